// The TKA data model: sequences of beats, and what is derived from them.
// Field names are the wire's snake_case: this is also the persisted JSON, and keeping one shape
// means no conversion between the domain, the store and the HTTP edge.

export const MAX_BEATS = 64;
export const NAME_MAX = 100;
export const START_POSITION_MAX = 32;
export const DEFAULT_LENGTH = 16;
export const DEFAULT_DURATION = 1;
export const MAX_DURATION = 10;
export const MAX_TURNS = 4;
/**
 * Metadata, as UTF-8 JSON, after any change (a merge patch included): so repeated patches cannot
 * grow a sequence without bound, and a whole sequence (64 beats) always fits in one 1 MiB body.
 */
export const SEQUENCE_METADATA_MAX_BYTES = 131_072;
export const BEAT_METADATA_MAX_BYTES = 8_192;

export type MotionType = "pro" | "anti" | "float" | "dash" | "static";
export type PropRotDir = "cw" | "ccw" | "no_rot";
export type Location = "n" | "e" | "s" | "w" | "ne" | "se" | "sw" | "nw";
export type Orientation = "in" | "out";
export type Metadata = { [key: string]: unknown };

export const motionTypes: readonly MotionType[] = ["pro", "anti", "float", "dash", "static"];
export const propRotDirs: readonly PropRotDir[] = ["cw", "ccw", "no_rot"];
export const locations: readonly Location[] = ["n", "e", "s", "w", "ne", "se", "sw", "nw"];
export const orientations: readonly Orientation[] = ["in", "out"];

export interface Motion {
  motion_type: MotionType;
  prop_rot_dir: PropRotDir;
  start_loc: Location;
  end_loc: Location;
  turns: number;
  start_ori: Orientation;
  end_ori: Orientation;
}

/** A beat as stored. Its number is its position, so it is not stored. */
export interface Beat {
  id: string;
  letter: string | null;
  duration: number;
  blue_motion: Motion | null;
  red_motion: Motion | null;
  blue_reversal: boolean;
  red_reversal: boolean;
  is_blank: boolean;
  metadata: Metadata;
}

/** The undoable state of one sequence. `updated_at` and `version` live outside it: undo moves them forward too. */
export interface SequenceDoc {
  id: string;
  name: string;
  start_position: string | null;
  metadata: Metadata;
  beats: Beat[];
  created_at: string;
}

/** The letters of the non-blank beats that have one, in order. */
export function wordOf(beats: readonly Beat[]): string {
  let word = "";
  for (const beat of beats) if (!beat.is_blank && beat.letter !== null) word += beat.letter;
  return word;
}

/** The sum of the beats' durations, rounded to microseconds so float sums stay stable. */
export function totalDurationOf(beats: readonly Beat[]): number {
  const sum = beats.reduce((total, beat) => total + beat.duration, 0);
  return Math.round(sum * 1e6) / 1e6;
}

export function indexOfBeat(doc: SequenceDoc, beatId: string): number {
  return doc.beats.findIndex((beat) => beat.id === beatId);
}
