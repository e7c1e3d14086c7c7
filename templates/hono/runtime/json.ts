// Bounded JSON parsing for request bodies. The text is scanned once, without recursion, before
// JSON.parse builds anything: nesting depth, the total number of members (object members plus
// array elements) and string lengths are checked as they go, so a hostile body is refused
// before any object exists and nothing downstream (validation, copies, serialisation) ever sees
// a value deeper, wider or longer than the limits. Bytes must be valid UTF-8 (no silent U+FFFD),
// and strings (member names included) must be valid Unicode text: no unpaired surrogate
// escapes, and no U+0000 unless allowed (PostgreSQL cannot store it in text or JSON).
import type { FieldError } from "./validate.ts";

export interface JsonLimits {
  /** Deepest nesting of arrays and objects; a top-level `{}` is depth 1. */
  maxDepth: number;
  /** Most object members plus array elements in the whole body. */
  maxMembers: number;
  /** Longest string, member names included, in UTF-16 code units after unescaping. */
  maxStringLength: number;
}

export interface TextRules {
  /** Accept U+0000 in strings (refused by default: PostgreSQL cannot store it). */
  allowNul?: boolean;
}

export const defaultJsonLimits: JsonLimits = { maxDepth: 64, maxMembers: 10_000, maxStringLength: 100_000 };

/** Why a body was refused: 400 (not UTF-8, not JSON), 413 (over a limit), 422 (characters). */
export interface BodyProblem {
  status: 400 | 413 | 422;
  code: "BAD_REQUEST" | "PAYLOAD_TOO_LARGE" | "VALIDATION_FAILED";
  detail: string;
  errors: FieldError[];
}

export type ParseResult = { ok: true; value: unknown } | { ok: false; problem: BodyProblem };

const strict = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 bytes as text, or `undefined` when they are not valid UTF-8 (never replaced by U+FFFD). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

export function notUtf8(): BodyProblem {
  return {
    status: 400,
    code: "BAD_REQUEST",
    detail: "The body is not valid UTF-8.",
    errors: [{ field: "body", code: "encoding", message: "must be valid UTF-8" }],
  };
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** A pointer for an error message: the whole body is `body`. */
function fieldOf(pointer: string): string {
  return pointer === "" ? "body" : pointer;
}

interface Frame {
  array: boolean;
  /** Arrays: the current element's index. */
  index: number;
  /** Objects: the current member name's quoted text (start and end offsets), -1 before the first. */
  keyStart: number;
  keyEnd: number;
}

// Escapes met by the scan that need a closer look once parsed.
const NUL = 1;
const SURROGATE = 2;

/** Where the scan stopped over a limit: which limit, and the pointer of the offending value. */
interface Overrun {
  limit: "maxDepth" | "maxMembers" | "maxStringLength";
  pointer: string;
  /** For strings: the string is a member name (the pointer is then its object's). */
  name?: boolean;
}

function pointerOf(text: string, frames: readonly Frame[], count: number): string {
  let pointer = "";
  for (let i = 0; i < count; i++) {
    const frame = frames[i] as Frame;
    if (frame.array) pointer += `/${frame.index}`;
    else if (frame.keyStart >= 0) {
      const quoted = text.slice(frame.keyStart, frame.keyEnd + 1);
      let key: string;
      try {
        key = JSON.parse(quoted) as string;
      } catch {
        key = quoted.slice(1, -1);
      }
      pointer += `/${escapePointer(key)}`;
    }
  }
  return pointer;
}

const stringStop = /["\\]/g;

function hexValue(text: string, at: number): number {
  let value = 0;
  for (let i = at; i < at + 4; i++) {
    const c = text.charCodeAt(i);
    const digit =
      c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/**
 * One pass over the text: depth, member count and string lengths against the limits, and which
 * escapes need a closer look (`\u0000`, surrogates). Syntax is left to JSON.parse: on malformed
 * text the counts are approximate, which is harmless (it is refused either way).
 */
function scan(text: string, limits: JsonLimits): Overrun | number {
  const frames: Frame[] = [];
  let depth = 0;
  let members = 0;
  // Right after `[`, `{` or `,`: the next token starts a member of the innermost container.
  let pending = false;
  let flags = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    const frame = depth > 0 ? (frames[depth - 1] as Frame) : undefined;
    // A member starts: in an object with its name, in an array with the element.
    const starts = pending && c !== 0x5d && c !== 0x7d;
    if (starts) {
      pending = false;
      if (++members > limits.maxMembers) return { limit: "maxMembers", pointer: pointerOf(text, frames, depth - 1) };
      if (frame?.array) frame.index++;
    }
    if (c === 0x22) {
      // A string: jump from quote to backslash to quote; escapes count as one unit each.
      const isName = starts && frame !== undefined && !frame.array;
      const start = i;
      let length = 0;
      let at = i + 1;
      let closed = false;
      while (at < n) {
        stringStop.lastIndex = at;
        const stop = stringStop.exec(text);
        const end = stop === null ? n : stop.index;
        length += end - at;
        if (length > limits.maxStringLength) break;
        if (stop === null) {
          at = n;
          break;
        }
        if (text.charCodeAt(end) === 0x22) {
          at = end;
          closed = true;
          break;
        }
        // A backslash: `\uXXXX` or a one-letter escape.
        if (text.charCodeAt(end + 1) === 0x75) {
          const code = hexValue(text, end + 2);
          if (code === 0) flags |= NUL;
          else if (code >= 0xd800 && code <= 0xdfff) flags |= SURROGATE;
          at = end + 6;
        } else {
          at = end + 2;
        }
        length++;
      }
      if (length > limits.maxStringLength) {
        return isName
          ? { limit: "maxStringLength", pointer: pointerOf(text, frames, depth - 1), name: true }
          : { limit: "maxStringLength", pointer: pointerOf(text, frames, depth) };
      }
      if (isName && closed && frame !== undefined) {
        frame.keyStart = start;
        frame.keyEnd = at;
      }
      i = at;
      continue;
    }
    if (c === 0x5b || c === 0x7b) {
      if (depth + 1 > limits.maxDepth) return { limit: "maxDepth", pointer: pointerOf(text, frames, depth) };
      const next = frames[depth];
      if (next === undefined) frames.push({ array: c === 0x5b, index: -1, keyStart: -1, keyEnd: -1 });
      else {
        next.array = c === 0x5b;
        next.index = -1;
        next.keyStart = -1;
        next.keyEnd = -1;
      }
      depth++;
      pending = true;
    } else if (c === 0x5d || c === 0x7d) {
      if (depth > 0) depth--;
      pending = false;
    } else if (c === 0x2c) {
      pending = depth > 0;
    }
  }
  return flags;
}

const limitText = {
  maxDepth: (l: JsonLimits) => `must nest at most ${l.maxDepth} levels deep`,
  maxMembers: (l: JsonLimits) => `the body must have at most ${l.maxMembers} members and elements in all`,
  maxStringLength: (l: JsonLimits) => `must be at most ${l.maxStringLength} characters long`,
};

function overrunProblem(overrun: Overrun, limits: JsonLimits): BodyProblem {
  const message = overrun.name
    ? `has a member name longer than ${limits.maxStringLength} characters`
    : limitText[overrun.limit](limits);
  const what = {
    maxDepth: `nests deeper than ${limits.maxDepth} levels`,
    maxMembers: `has more than ${limits.maxMembers} members and elements`,
    maxStringLength: `has a string longer than ${limits.maxStringLength} characters`,
  }[overrun.limit];
  return {
    status: 413,
    code: "PAYLOAD_TOO_LARGE",
    detail: `The body ${what} (limit ${overrun.limit} = ${limits[overrun.limit]}).`,
    errors: [{ field: fieldOf(overrun.pointer), code: overrun.limit, message }],
  };
}

/**
 * Parses a JSON body within the limits: 400 for bytes that are not UTF-8 or text that is not
 * JSON, 413 naming the limit and where it was crossed, 422 naming every string (or the object
 * of every member name) with U+0000 or an unpaired surrogate.
 */
export function parseJson(bytes: Uint8Array, limits: JsonLimits, rules: TextRules = {}): ParseResult {
  const text = decodeUtf8(bytes);
  if (text === undefined) return { ok: false, problem: notUtf8() };
  const scanned = scan(text, limits);
  if (typeof scanned !== "number") return { ok: false, problem: overrunProblem(scanned, limits) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : "invalid JSON";
    return {
      ok: false,
      problem: {
        status: 400,
        code: "BAD_REQUEST",
        detail: "The body is not valid JSON.",
        errors: [{ field: "body", code: "json", message }],
      },
    };
  }
  // Only escapes can produce U+0000 or a lone surrogate (raw ones are not valid JSON or UTF-8).
  const suspect = (scanned & SURROGATE) !== 0 || ((scanned & NUL) !== 0 && !rules.allowNul);
  if (suspect) {
    const errors = textErrors(value, "", rules).map((e) => ({ ...e, field: fieldOf(e.field) }));
    if (errors.length > 0) return { ok: false, problem: characterProblem(errors) };
  }
  return { ok: true, value };
}

export function characterProblem(errors: FieldError[]): BodyProblem {
  return {
    status: 422,
    code: "VALIDATION_FAILED",
    detail: `The request body has ${errors.length} string${errors.length === 1 ? "" : "s"} with characters the server does not accept.`,
    errors,
  };
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a string's characters, if anything. */
export function badText(text: string, rules: TextRules = {}): FieldError | undefined {
  if (loneSurrogate.test(text)) {
    return { field: "", code: "unpaired_surrogate", message: "must not contain unpaired UTF-16 surrogates" };
  }
  if (!rules.allowNul && text.includes("\u0000")) {
    return { field: "", code: "nul_character", message: "must not contain U+0000 (NUL)" };
  }
  return undefined;
}

/**
 * Every string of `value` (member names included) with characters `badText` refuses, as JSON
 * pointers under `at` (`""` is `value` itself); a bad member name is reported on its object.
 * Iterative: no recursion.
 */
export function textErrors(value: unknown, at: string, rules: TextRules = {}): FieldError[] {
  const errors: FieldError[] = [];
  const stack: [unknown, string][] = [[value, at]];
  while (stack.length > 0) {
    const [item, pointer] = stack.pop() as [unknown, string];
    if (typeof item === "string") {
      const bad = badText(item, rules);
      if (bad !== undefined) errors.push({ ...bad, field: pointer });
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${pointer}/${i}`]);
    } else if (item !== null && typeof item === "object") {
      const entries = Object.entries(item as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, member] = entries[i] as [string, unknown];
        const bad = badText(key, rules);
        if (bad !== undefined) {
          errors.push({ field: pointer, code: bad.code, message: `has a member name that ${bad.message}` });
        }
        stack.push([member, `${pointer}/${escapePointer(key)}`]);
      }
    }
  }
  return errors;
}
