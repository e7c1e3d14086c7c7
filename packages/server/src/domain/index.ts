// The sequence domain: pure data and functions, no HTTP, no SQL, no clock of its own.
export * from "./commands.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./history.ts";
export type { BeatInput, BeatPatch, MotionInput, MotionPatch } from "./inputs.ts";
export * from "./model.ts";
export * from "./planners.ts";
export * from "./sequence.ts";
export * from "./views.ts";
