import { describe, expect, it } from "vitest";
import type { Command } from "./commands.ts";
import { DomainError } from "./errors.ts";
import type { SequenceDoc } from "./model.ts";
import {
  planAddBeat,
  planCreate,
  planMoveBeat,
  planPatch,
  planRemoveBeat,
  planReplaceBeats,
  planUpdateBeat,
} from "./planners.ts";
import { testContext } from "./testing.ts";

const motion = { motion_type: "pro", prop_rot_dir: "cw", start_loc: "n", end_loc: "e" } as const;

function created(input: Parameters<typeof planCreate>[0]): SequenceDoc {
  const command = planCreate(input, testContext());
  if (command.kind !== "sequence.create") throw new Error("expected create");
  return command.sequence;
}

function domainError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

describe("planCreate", () => {
  it("creates 16 blank beats by default, or the given length", () => {
    expect(created({ name: "A" }).beats).toHaveLength(16);
    const doc = created({ name: "A", length: 3 });
    expect(doc.beats.map((b) => b.is_blank)).toEqual([true, true, true]);
    expect(new Set(doc.beats.map((b) => b.id)).size).toBe(3);
  });

  it("creates explicit beats with defaults and an upper-case letter", () => {
    const doc = created({ name: "A", beats: [{ letter: "b", blue_motion: motion }, {}] });
    expect(doc.beats[0]).toMatchObject({ letter: "B", duration: 1, is_blank: false, red_motion: null });
    expect(doc.beats[0]?.blue_motion).toEqual({ ...motion, turns: 0, start_ori: "in", end_ori: "in" });
    expect(doc.beats[1]).toMatchObject({ letter: null, is_blank: false, metadata: {} });
  });

  it("lists every invalid field at once", () => {
    const error = domainError(() =>
      planCreate(
        {
          name: "",
          length: 2,
          beats: [{ duration: 0, letter: "ab", blue_motion: { ...motion, turns: 0.3 } }],
          start_position: "x".repeat(33),
        },
        testContext(),
      ),
    );
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.fields.map((f) => f.field).sort()).toEqual(
      [
        "/beats/0/blue_motion/turns",
        "/beats/0/duration",
        "/beats/0/letter",
        "/length",
        "/name",
        "/start_position",
      ].sort(),
    );
  });

  it("refuses more than 64 beats and a length outside 1..64", () => {
    expect(domainError(() => planCreate({ name: "A", length: 65 }, testContext())).fields[0]?.field).toBe("/length");
    expect(domainError(() => planCreate({ name: "A", length: 0 }, testContext())).fields[0]?.field).toBe("/length");
    const tooMany = Array.from({ length: 65 }, () => ({}));
    expect(domainError(() => planCreate({ name: "A", beats: tooMany }, testContext())).fields[0]?.field).toBe("/beats");
    expect(created({ name: "A", length: 64 }).beats).toHaveLength(64);
  });
});

describe("planPatch", () => {
  const doc = created({ name: "Flow", length: 2, metadata: { a: 1, b: { c: 2 } } });

  it("records only what changes, as one command", () => {
    const command = planPatch(
      doc,
      { name: "Flow", start_position: "n", metadata: { b: { c: null }, d: 4 } },
      testContext(),
    );
    expect(command).toEqual({
      kind: "sequence.update",
      from: { start_position: null, metadata: { a: 1, b: { c: 2 } } },
      to: { start_position: "n", metadata: { a: 1, b: {}, d: 4 } },
    });
  });

  it("returns null for a patch that changes nothing, and resets metadata on null", () => {
    expect(planPatch(doc, { name: "Flow", metadata: { a: 1 } }, testContext())).toBeNull();
    expect(planPatch(doc, { metadata: null }, testContext())).toMatchObject({ to: { metadata: {} } });
  });
});

describe("beat planners", () => {
  const doc = created({ name: "A", beats: [{ letter: "A" }, { letter: "B" }, { letter: "C" }] });
  const ids = doc.beats.map((b) => b.id);

  it("appends by default and inserts at a 0-based position", () => {
    expect(planAddBeat(doc, { letter: "D" }, testContext())).toMatchObject({ kind: "beat.add", index: 3 });
    expect(planAddBeat(doc, { letter: "D", position: 0 }, testContext())).toMatchObject({ index: 0 });
    expect(domainError(() => planAddBeat(doc, { position: 4 }, testContext())).fields[0]?.field).toBe("/position");
  });

  it("refuses a 65th beat with BEAT_LIMIT_REACHED", () => {
    const full = created({ name: "A", length: 64 });
    expect(domainError(() => planAddBeat(full, {}, testContext())).code).toBe("BEAT_LIMIT_REACHED");
  });

  it("merges a beat patch, motions included", () => {
    const withMotion = created({ name: "A", beats: [{ blue_motion: motion }] });
    const id = withMotion.beats[0]?.id as string;
    const command = planUpdateBeat(withMotion, id, { blue_motion: { turns: 2.5 }, letter: "q", metadata: { x: 1 } });
    expect(command).toMatchObject({
      kind: "beat.update",
      index: 0,
      to: { letter: "Q", blue_motion: { ...motion, turns: 2.5 }, metadata: { x: 1 } },
    });
    expect(planUpdateBeat(withMotion, id, { blue_motion: { turns: 0 } })).toBeNull();
  });

  it("needs a complete motion where the beat has none", () => {
    const error = domainError(() => planUpdateBeat(doc, ids[0] as string, { red_motion: { turns: 1 } }));
    expect(error.fields.map((f) => f.field)).toEqual([
      "/red_motion/motion_type",
      "/red_motion/prop_rot_dir",
      "/red_motion/start_loc",
      "/red_motion/end_loc",
    ]);
  });

  it("moves within bounds, and a move to the same place is no change", () => {
    expect(planMoveBeat(doc, ids[2] as string, 0)).toEqual({ kind: "beat.move", beat_id: ids[2], from: 2, to: 0 });
    expect(planMoveBeat(doc, ids[1] as string, 1)).toBeNull();
    expect(domainError(() => planMoveBeat(doc, ids[0] as string, 3)).fields[0]?.field).toBe("/position");
  });

  it("answers NOT_FOUND for an unknown beat", () => {
    expect(domainError(() => planRemoveBeat(doc, "beat_nope")).code).toBe("NOT_FOUND");
    expect(domainError(() => planUpdateBeat(doc, "beat_nope", {})).code).toBe("NOT_FOUND");
  });

  it("replaces all beats with new ids", () => {
    const command = planReplaceBeats(doc, [{ letter: "Z" }], testContext()) as Extract<
      Command,
      { kind: "beats.replace" }
    >;
    expect(command.from).toBe(doc.beats);
    expect(command.to.map((b) => b.letter)).toEqual(["Z"]);
  });
});

describe("metadata size", () => {
  const big = (bytes: number) => ({ s: "x".repeat(bytes - '{"s":""}'.length) });

  it("allows metadata up to its limit as UTF-8 JSON: 128 KiB on a sequence, 8 KiB on a beat", () => {
    expect(created({ name: "A", metadata: big(131_072) }).metadata).toEqual(big(131_072));
    expect(domainError(() => created({ name: "A", metadata: big(131_073) })).fields).toEqual([
      { field: "/metadata", code: "maxBytes", message: "must be at most 131072 bytes as JSON (UTF-8)" },
    ]);
    // UTF-8 bytes, not characters: 4,093 two-byte letters and the JSON around them are 8,194 bytes.
    const beats = [{ metadata: { s: "\u00e9".repeat(4_093) } }];
    expect(domainError(() => created({ name: "A", beats })).fields).toEqual([
      { field: "/beats/0/metadata", code: "maxBytes", message: "must be at most 8192 bytes as JSON (UTF-8)" },
    ]);
  });

  it("holds after merge patches, which could otherwise grow metadata without bound", () => {
    let doc = created({ name: "A", length: 1, metadata: big(100_000) });
    expect(domainError(() => planPatch(doc, { metadata: { more: "y".repeat(40_000) } }, testContext())).fields).toEqual(
      [{ field: "/metadata", code: "maxBytes", message: "must be at most 131072 bytes as JSON (UTF-8)" }],
    );
    // Shrinking stays possible, and so does any other change.
    expect(planPatch(doc, { metadata: { s: null } }, testContext())).not.toBeNull();
    expect(planPatch(doc, { name: "B" }, testContext())).not.toBeNull();
    doc = created({ name: "A", beats: [{ metadata: { a: "z".repeat(8_000) } }] });
    const beatId = (doc.beats[0] as { id: string }).id;
    expect(domainError(() => planUpdateBeat(doc, beatId, { metadata: { b: "z".repeat(500) } })).fields).toEqual([
      { field: "/metadata", code: "maxBytes", message: "must be at most 8192 bytes as JSON (UTF-8)" },
    ]);
  });
});
