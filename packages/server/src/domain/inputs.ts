// Client inputs, checked against the domain's rules and turned into stored values. The HTTP
// skeleton validates shapes first; these checks hold the invariants the domain owns whatever the
// caller, and report each failing field as a JSON pointer.
import type { Problems } from "./errors.ts";
import {
  BEAT_METADATA_MAX_BYTES,
  type Beat,
  DEFAULT_DURATION,
  locations,
  MAX_DURATION,
  MAX_TURNS,
  type Metadata,
  type Motion,
  motionTypes,
  orientations,
  propRotDirs,
} from "./model.ts";

export interface MotionInput {
  motion_type: Motion["motion_type"];
  prop_rot_dir: Motion["prop_rot_dir"];
  start_loc: Motion["start_loc"];
  end_loc: Motion["end_loc"];
  turns?: number;
  start_ori?: Motion["start_ori"];
  end_ori?: Motion["end_ori"];
}

export type MotionPatch = Partial<Motion>;

export interface BeatInput {
  letter?: string;
  duration?: number;
  blue_motion?: MotionInput;
  red_motion?: MotionInput;
  blue_reversal?: boolean;
  red_reversal?: boolean;
  is_blank?: boolean;
  metadata?: Metadata;
}

export interface BeatPatch {
  letter?: string | null;
  duration?: number;
  blue_motion?: MotionPatch | null;
  red_motion?: MotionPatch | null;
  blue_reversal?: boolean;
  red_reversal?: boolean;
  is_blank?: boolean;
  metadata?: Metadata | null;
}

function oneOf<T extends string>(values: readonly T[], value: unknown, field: string, problems: Problems): void {
  if (!values.includes(value as T)) problems.add(field, "enum", `must be one of ${values.join(", ")}`);
}

export function checkLetter(letter: string, field: string, problems: Problems): string {
  if (!/^[A-Za-z]$/.test(letter)) problems.add(field, "pattern", "must be a single letter A-Z");
  return letter.toUpperCase();
}

export function checkDuration(duration: number, field: string, problems: Problems): void {
  if (!Number.isFinite(duration) || duration <= 0 || duration > MAX_DURATION) {
    problems.add(field, "range", `must be more than 0 and at most ${MAX_DURATION}`);
  }
}

/** A complete motion, checked: enums, and turns from 0 to 4 in steps of 0.5. */
export function checkMotion(motion: Motion, field: string, problems: Problems): Motion {
  oneOf(motionTypes, motion.motion_type, `${field}/motion_type`, problems);
  oneOf(propRotDirs, motion.prop_rot_dir, `${field}/prop_rot_dir`, problems);
  oneOf(locations, motion.start_loc, `${field}/start_loc`, problems);
  oneOf(locations, motion.end_loc, `${field}/end_loc`, problems);
  oneOf(orientations, motion.start_ori, `${field}/start_ori`, problems);
  oneOf(orientations, motion.end_ori, `${field}/end_ori`, problems);
  const { turns } = motion;
  if (!Number.isFinite(turns) || turns < 0 || turns > MAX_TURNS || !Number.isInteger(turns * 2)) {
    problems.add(`${field}/turns`, "range", `must be from 0 to ${MAX_TURNS} in steps of 0.5`);
  }
  return motion;
}

export function motionFromInput(input: MotionInput, field: string, problems: Problems): Motion {
  return checkMotion(
    {
      motion_type: input.motion_type,
      prop_rot_dir: input.prop_rot_dir,
      start_loc: input.start_loc,
      end_loc: input.end_loc,
      turns: input.turns ?? 0,
      start_ori: input.start_ori ?? "in",
      end_ori: input.end_ori ?? "in",
    },
    field,
    problems,
  );
}

const requiredMotionFields = ["motion_type", "prop_rot_dir", "start_loc", "end_loc"] as const;

/** Merges a motion patch into the current motion; a patch onto no motion must be complete. */
export function mergeMotion(current: Motion | null, patch: MotionPatch, field: string, problems: Problems): Motion {
  if (current === null) {
    const missing = requiredMotionFields.filter((key) => patch[key] === undefined);
    for (const key of missing)
      problems.add(`${field}/${key}`, "required", "is required when the beat has no motion yet");
    if (missing.length > 0) return { ...(patch as Motion) };
    return motionFromInput(patch as MotionInput, field, problems);
  }
  const merged: Motion = { ...current };
  for (const key of Object.keys(patch) as (keyof Motion)[]) {
    const value = patch[key];
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return checkMotion(merged, field, problems);
}

/** The length of `text` in UTF-8 bytes, without encoding it. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Metadata must stay within `maxBytes` as UTF-8 JSON (see model.ts). */
export function checkMetadata(metadata: Metadata, maxBytes: number, field: string, problems: Problems): void {
  if (utf8Length(JSON.stringify(metadata)) > maxBytes) {
    problems.add(field, "maxBytes", `must be at most ${maxBytes} bytes as JSON (UTF-8)`);
  }
}

export function beatFromInput(id: string, input: BeatInput, field: string, problems: Problems): Beat {
  const duration = input.duration ?? DEFAULT_DURATION;
  checkDuration(duration, `${field}/duration`, problems);
  if (input.metadata !== undefined)
    checkMetadata(input.metadata, BEAT_METADATA_MAX_BYTES, `${field}/metadata`, problems);
  return {
    id,
    letter: input.letter === undefined ? null : checkLetter(input.letter, `${field}/letter`, problems),
    duration,
    blue_motion: input.blue_motion ? motionFromInput(input.blue_motion, `${field}/blue_motion`, problems) : null,
    red_motion: input.red_motion ? motionFromInput(input.red_motion, `${field}/red_motion`, problems) : null,
    blue_reversal: input.blue_reversal ?? false,
    red_reversal: input.red_reversal ?? false,
    is_blank: input.is_blank ?? false,
    metadata: input.metadata ?? {},
  };
}

export function blankBeat(id: string): Beat {
  return {
    id,
    letter: null,
    duration: DEFAULT_DURATION,
    blue_motion: null,
    red_motion: null,
    blue_reversal: false,
    red_reversal: false,
    is_blank: true,
    metadata: {},
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 7396 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
      continue;
    }
    // Own members only, defined rather than assigned: a member named `__proto__` is data (an
    // assignment would set the object's prototype and the member would be lost).
    const current = Object.hasOwn(result, key) ? result[key] : undefined;
    Object.defineProperty(result, key, {
      value: mergePatch(current, value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

/** Structural equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
