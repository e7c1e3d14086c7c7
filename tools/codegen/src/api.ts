// The generator's programmatic API (for `pnpm gen` and other tools).
export { GeneratorError } from "./errors.ts";
export { generateIR } from "./index.ts";
export type * from "./ir/types.ts";
export { generate, type Target, type TargetFile, targets, templatesRoot } from "./targets/index.ts";
