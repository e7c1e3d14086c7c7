// Turns what a client asks for into a command, or refuses it with a DomainError. Planners read
// the current state and never change it; `null` means the request changes nothing.
import type { Command, SequenceFields } from "./commands.ts";
import { DomainError, Problems } from "./errors.ts";
import {
  type BeatInput,
  type BeatPatch,
  beatFromInput,
  blankBeat,
  checkDuration,
  checkLetter,
  checkMetadata,
  jsonEqual,
  mergeMotion,
  mergePatch,
} from "./inputs.ts";
import {
  BEAT_METADATA_MAX_BYTES,
  type Beat,
  DEFAULT_LENGTH,
  indexOfBeat,
  MAX_BEATS,
  type Metadata,
  NAME_MAX,
  SEQUENCE_METADATA_MAX_BYTES,
  type SequenceDoc,
  START_POSITION_MAX,
} from "./model.ts";

/** Where new ids and the time come from (injected: tests make them deterministic). */
export interface PlanContext {
  newId(kind: "sequence" | "beat"): string;
  now(): string;
}

export interface SequenceCreateInput {
  name: string;
  length?: number;
  beats?: BeatInput[];
  start_position?: string;
  metadata?: Metadata;
}

export interface SequencePatchInput {
  name?: string;
  start_position?: string | null;
  metadata?: Metadata | null;
  beats?: BeatInput[];
}

function checkName(name: string, field: string, problems: Problems): void {
  const length = [...name].length;
  if (length < 1 || length > NAME_MAX) problems.add(field, "length", `must have 1 to ${NAME_MAX} characters`);
}

function checkStartPosition(value: string, field: string, problems: Problems): void {
  if ([...value].length > START_POSITION_MAX) {
    problems.add(field, "maxLength", `must have at most ${START_POSITION_MAX} characters`);
  }
}

function beatsFromInputs(inputs: readonly BeatInput[], field: string, ctx: PlanContext, problems: Problems): Beat[] {
  if (inputs.length > MAX_BEATS) problems.add(field, "maxItems", `must have at most ${MAX_BEATS} beats`);
  return inputs.map((input, i) => beatFromInput(ctx.newId("beat"), input, `${field}/${i}`, problems));
}

export function planCreate(input: SequenceCreateInput, ctx: PlanContext): Command {
  const problems = new Problems();
  checkName(input.name, "/name", problems);
  if (input.start_position !== undefined) checkStartPosition(input.start_position, "/start_position", problems);
  if (input.metadata !== undefined) checkMetadata(input.metadata, SEQUENCE_METADATA_MAX_BYTES, "/metadata", problems);
  let beats: Beat[];
  if (input.beats !== undefined) {
    if (input.length !== undefined) problems.add("/length", "exclusive", "give either length or beats, not both");
    beats = beatsFromInputs(input.beats, "/beats", ctx, problems);
  } else {
    const length = input.length ?? DEFAULT_LENGTH;
    if (!Number.isInteger(length) || length < 1 || length > MAX_BEATS) {
      problems.add("/length", "range", `must be an integer from 1 to ${MAX_BEATS}`);
    }
    beats = Array.from({ length: Math.min(Math.max(length, 0), MAX_BEATS) }, () => blankBeat(ctx.newId("beat")));
  }
  problems.throwIfAny("The sequence");
  return {
    kind: "sequence.create",
    sequence: {
      id: ctx.newId("sequence"),
      name: input.name,
      start_position: input.start_position ?? null,
      metadata: input.metadata ?? {},
      beats,
      created_at: ctx.now(),
    },
  };
}

export function planDelete(doc: SequenceDoc): Command {
  return { kind: "sequence.delete", sequence: doc };
}

/** One command for the whole patch, holding only the fields whose value changes. */
export function planPatch(doc: SequenceDoc, patch: SequencePatchInput, ctx: PlanContext): Command | null {
  const problems = new Problems();
  const to: Partial<SequenceFields> = {};
  if (patch.name !== undefined) {
    checkName(patch.name, "/name", problems);
    if (patch.name !== doc.name) to.name = patch.name;
  }
  if (patch.start_position !== undefined) {
    if (patch.start_position !== null) checkStartPosition(patch.start_position, "/start_position", problems);
    if (patch.start_position !== doc.start_position) to.start_position = patch.start_position;
  }
  if (patch.metadata !== undefined) {
    const metadata = patch.metadata === null ? {} : (mergePatch(doc.metadata, patch.metadata) as Metadata);
    if (!jsonEqual(metadata, doc.metadata)) {
      checkMetadata(metadata, SEQUENCE_METADATA_MAX_BYTES, "/metadata", problems);
      to.metadata = metadata;
    }
  }
  if (patch.beats !== undefined) to.beats = beatsFromInputs(patch.beats, "/beats", ctx, problems);
  problems.throwIfAny("The patch");
  const fields = Object.keys(to) as (keyof SequenceFields)[];
  if (fields.length === 0) return null;
  const from: Partial<SequenceFields> = {};
  for (const field of fields) (from as Record<string, unknown>)[field] = doc[field];
  return { kind: "sequence.update", from, to };
}

export function planReplaceBeats(doc: SequenceDoc, inputs: readonly BeatInput[], ctx: PlanContext): Command {
  const problems = new Problems();
  const beats = beatsFromInputs(inputs, "/beats", ctx, problems);
  problems.throwIfAny("The beats");
  return { kind: "beats.replace", from: doc.beats, to: beats };
}

export function planAddBeat(doc: SequenceDoc, input: BeatInput & { position?: number }, ctx: PlanContext): Command {
  if (doc.beats.length >= MAX_BEATS) {
    throw new DomainError("BEAT_LIMIT_REACHED", `A sequence holds at most ${MAX_BEATS} beats.`);
  }
  const problems = new Problems();
  const index = input.position ?? doc.beats.length;
  if (!Number.isInteger(index) || index < 0 || index > doc.beats.length) {
    problems.add("/position", "range", `must be an integer from 0 to ${doc.beats.length}`);
  }
  const { position: _, ...beatInput } = input;
  const beat = beatFromInput(ctx.newId("beat"), beatInput, "", problems);
  problems.throwIfAny("The beat");
  return { kind: "beat.add", index, beat };
}

function findBeat(doc: SequenceDoc, beatId: string): number {
  const index = indexOfBeat(doc, beatId);
  if (index < 0) throw new DomainError("NOT_FOUND", `Sequence ${doc.id} has no beat ${beatId}.`);
  return index;
}

export function planUpdateBeat(doc: SequenceDoc, beatId: string, patch: BeatPatch): Command | null {
  const index = findBeat(doc, beatId);
  const from = doc.beats[index] as Beat;
  const problems = new Problems();
  const to: Beat = { ...from };
  if (patch.letter !== undefined)
    to.letter = patch.letter === null ? null : checkLetter(patch.letter, "/letter", problems);
  if (patch.duration !== undefined) {
    checkDuration(patch.duration, "/duration", problems);
    to.duration = patch.duration;
  }
  for (const side of ["blue_motion", "red_motion"] as const) {
    const value = patch[side];
    if (value === undefined) continue;
    to[side] = value === null ? null : mergeMotion(from[side], value, `/${side}`, problems);
  }
  for (const flag of ["blue_reversal", "red_reversal", "is_blank"] as const) {
    const value = patch[flag];
    if (value !== undefined) to[flag] = value;
  }
  if (patch.metadata !== undefined) {
    to.metadata = patch.metadata === null ? {} : (mergePatch(from.metadata, patch.metadata) as Metadata);
    checkMetadata(to.metadata, BEAT_METADATA_MAX_BYTES, "/metadata", problems);
  }
  problems.throwIfAny("The beat patch");
  return jsonEqual(from, to) ? null : { kind: "beat.update", index, from, to };
}

export function planMoveBeat(doc: SequenceDoc, beatId: string, position: number): Command | null {
  const from = findBeat(doc, beatId);
  if (!Number.isInteger(position) || position < 0 || position >= doc.beats.length) {
    const problems = new Problems();
    problems.add("/position", "range", `must be an integer from 0 to ${doc.beats.length - 1}`);
    problems.throwIfAny("The move");
  }
  return from === position ? null : { kind: "beat.move", beat_id: beatId, from, to: position };
}

export function planRemoveBeat(doc: SequenceDoc, beatId: string): Command {
  const index = findBeat(doc, beatId);
  return { kind: "beat.remove", index, beat: doc.beats[index] as Beat };
}
