// The vocabulary of a motion (from the contract's enums) and its one-line summary.
import type { Motion } from "tka-sdk";

export const MOTION_TYPES = ["pro", "anti", "float", "dash", "static"] as const;
export const ROTATIONS = ["cw", "ccw", "no_rot"] as const;
export const LOCATIONS = ["n", "ne", "e", "se", "s", "sw", "w", "nw"] as const;
export const ORIENTATIONS = ["in", "out"] as const;
export const TURNS = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4] as const;

const rotation: Record<string, string> = { cw: "↻", ccw: "↺", no_rot: "·" };

/** `pro ↻ n→e 1` */
export function motionSummary(motion: Motion | null): string {
  if (motion === null) return "—";
  return `${motion.motion_type} ${rotation[motion.prop_rot_dir] ?? motion.prop_rot_dir} ${motion.start_loc}→${motion.end_loc} ${motion.turns}`;
}
