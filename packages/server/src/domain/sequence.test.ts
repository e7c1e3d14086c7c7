import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Command, describeCommand } from "./commands.ts";
import { DomainError } from "./errors.ts";
import { changeOfCommand } from "./events.ts";
import { historyState } from "./history.ts";
import { type BeatInput, locations, type MotionInput, motionTypes } from "./index.ts";
import {
  planAddBeat,
  planCreate,
  planDelete,
  planMoveBeat,
  planPatch,
  planRemoveBeat,
  planReplaceBeats,
  planUpdateBeat,
} from "./planners.ts";
import { emptyRecord, execute, redo, type SequenceRecord, undo } from "./sequence.ts";
import { testContext } from "./testing.ts";
import { sequenceView } from "./views.ts";

const motionArb: fc.Arbitrary<MotionInput> = fc.record(
  {
    motion_type: fc.constantFrom(...motionTypes),
    prop_rot_dir: fc.constantFrom("cw", "ccw", "no_rot"),
    start_loc: fc.constantFrom(...locations),
    end_loc: fc.constantFrom(...locations),
    turns: fc.integer({ min: 0, max: 8 }).map((n) => n / 2),
  },
  { requiredKeys: ["motion_type", "prop_rot_dir", "start_loc", "end_loc"] },
);

const beatArb: fc.Arbitrary<BeatInput> = fc.record(
  {
    letter: fc.constantFrom("a", "B", "z"),
    duration: fc.integer({ min: 1, max: 100 }).map((n) => n / 10),
    blue_motion: motionArb,
    is_blank: fc.boolean(),
    metadata: fc.dictionary(fc.constantFrom("k", "l"), fc.integer()),
  },
  { requiredKeys: [] },
);

/** A user intent, resolved against the current state when it runs (indices wrap). */
type Intent =
  | { op: "patch"; name?: string; start?: string | null; meta?: Record<string, number> }
  | { op: "add"; beat: BeatInput; at: number }
  | { op: "update"; at: number; beat: { letter?: string | null; duration?: number; blue_motion?: MotionInput | null } }
  | { op: "move"; at: number; to: number }
  | { op: "remove"; at: number }
  | { op: "replace"; beats: BeatInput[] }
  | { op: "delete" }
  | { op: "undo" }
  | { op: "redo" };

const intentArb: fc.Arbitrary<Intent> = fc.oneof(
  fc.record(
    {
      op: fc.constant("patch" as const),
      name: fc.string({ minLength: 1, maxLength: 5 }),
      start: fc.option(fc.constantFrom("n", "s"), { nil: null }),
      meta: fc.dictionary(fc.constantFrom("x", "y"), fc.integer()),
    },
    { requiredKeys: ["op"] },
  ),
  fc.record({ op: fc.constant("add" as const), beat: beatArb, at: fc.nat() }),
  fc.record({
    op: fc.constant("update" as const),
    at: fc.nat(),
    beat: fc.record(
      {
        letter: fc.option(fc.constantFrom("c", "D"), { nil: null }),
        duration: fc.constantFrom(0.5, 2),
        blue_motion: fc.option(motionArb, { nil: null }),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ op: fc.constant("move" as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ op: fc.constant("remove" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("replace" as const), beats: fc.array(beatArb, { maxLength: 4 }) }),
  fc.constant({ op: "delete" as const }),
  fc.constant({ op: "undo" as const }),
  fc.constant({ op: "redo" as const }),
);

type Ctx = ReturnType<typeof testContext>;

/** The command an intent turns into on this record, or null when it does not apply. */
function plan(record: SequenceRecord, intent: Intent, ctx: Ctx): Command | null {
  const doc = record.doc;
  if (doc === null) return null;
  const n = doc.beats.length;
  const beatId = (at: number) => doc.beats[at % n]?.id as string;
  switch (intent.op) {
    case "patch": {
      const patch: Parameters<typeof planPatch>[1] = { ...(intent.name === undefined ? {} : { name: intent.name }) };
      if (intent.start !== undefined) patch.start_position = intent.start;
      if (intent.meta !== undefined) patch.metadata = intent.meta;
      return planPatch(doc, patch, ctx);
    }
    case "add":
      return n >= 64 ? null : planAddBeat(doc, { ...intent.beat, position: intent.at % (n + 1) }, ctx);
    case "update":
      return n === 0 ? null : planUpdateBeat(doc, beatId(intent.at), intent.beat);
    case "move":
      return n === 0 ? null : planMoveBeat(doc, beatId(intent.at), intent.to % n);
    case "remove":
      return n === 0 ? null : planRemoveBeat(doc, beatId(intent.at));
    case "replace":
      return planReplaceBeats(doc, intent.beats, ctx);
    case "delete":
      return planDelete(doc);
    default:
      return null;
  }
}

function run(intents: readonly Intent[], limit = 10_000): { start: SequenceRecord; end: SequenceRecord; ctx: Ctx } {
  const ctx = testContext();
  const create = planCreate({ name: "Start", beats: [{ letter: "A" }, { letter: "B" }] }, ctx);
  const start = execute(emptyRecord("seq_1"), create, ctx, limit).record;
  let record = start;
  for (const intent of intents) {
    if (intent.op === "undo" || intent.op === "redo") {
      try {
        record = (intent.op === "undo" ? undo : redo)(record, ctx).record;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
      continue;
    }
    const command = plan(record, intent, ctx);
    if (command !== null) record = execute(record, command, ctx, limit).record;
  }
  return { start, end: record, ctx };
}

describe("undo and redo (property-based)", () => {
  it("undoing everything restores the original exactly; redoing everything reproduces the end state", () => {
    fc.assert(
      fc.property(fc.array(intentArb, { maxLength: 40 }), (intents) => {
        const { start, end, ctx } = run(intents);
        let record = end;
        let undone = 0;
        while (historyState(record.history).can_undo) {
          record = undo(record, ctx).record;
          undone++;
        }
        // Everything is undone back to before the creation, whatever the end state was.
        expect(record.doc).toBeNull();
        for (let i = 0; i < undone; i++) {
          record = redo(record, ctx).record;
          if (i === 0) expect(record.doc).toEqual(start.doc);
        }
        expect(record.doc).toEqual(end.doc);
        expect(historyState(record.history)).toEqual(historyState(end.history));
        expect(record.version).toBe(end.version + 2 * undone);
      }),
      { numRuns: 300 },
    );
  });

  it("every state keeps its invariants: at most 64 beats, unique beat ids, versions only grow", () => {
    fc.assert(
      fc.property(fc.array(intentArb, { maxLength: 60 }), (intents) => {
        const { end } = run(intents);
        if (end.doc) {
          expect(end.doc.beats.length).toBeLessThanOrEqual(64);
          expect(new Set(end.doc.beats.map((b) => b.id)).size).toBe(end.doc.beats.length);
        }
        expect(end.version).toBeGreaterThanOrEqual(1);
      }),
    );
  });
});

describe("history", () => {
  const ctx = testContext();
  const created = execute(emptyRecord("seq_1"), planCreate({ name: "A", length: 1 }, ctx), ctx, 3).record;

  function rename(record: SequenceRecord, name: string): SequenceRecord {
    return execute(record, planPatch(record.doc ?? never(), { name }, ctx) ?? never(), ctx, 3).record;
  }

  it("describes what undo and redo would do", () => {
    const record = rename(created, "Flow");
    expect(historyState(record.history)).toEqual({
      can_undo: true,
      can_redo: false,
      undo_description: 'Rename to "Flow"',
      redo_description: null,
      undo_count: 2,
      redo_count: 0,
    });
    const back = undo(record, ctx).record;
    expect(historyState(back.history)).toMatchObject({
      undo_description: 'Create sequence "A"',
      redo_description: 'Rename to "Flow"',
      redo_count: 1,
    });
  });

  it("a new command clears what could be redone", () => {
    const back = undo(rename(created, "Flow"), ctx).record;
    const again = rename(back, "Other");
    expect(historyState(again.history)).toMatchObject({ can_redo: false, undo_count: 2 });
    expect(() => redo(again, ctx)).toThrow(DomainError);
  });

  it("keeps only the newest entries up to the limit", () => {
    let record = created;
    for (const name of ["B", "C", "D", "E"]) record = rename(record, name);
    expect(record.history.map((e) => e.description)).toEqual(['Rename to "C"', 'Rename to "D"', 'Rename to "E"']);
    for (let i = 0; i < 3; i++) record = undo(record, ctx).record;
    expect(record.doc?.name).toBe("B");
    expect(() => undo(record, ctx)).toThrow(/nothing to undo/);
  });

  it("undoes a deletion and a creation", () => {
    const deleted = execute(created, planDelete(created.doc ?? never()), ctx, 10).record;
    expect(deleted.doc).toBeNull();
    const restored = undo(deleted, ctx).record;
    expect(restored.doc).toEqual(created.doc);
    const gone = undo(restored, ctx).record;
    expect(gone.doc).toBeNull();
    expect(() => undo(gone, ctx)).toThrow(DomainError);
  });
});

describe("descriptions and events", () => {
  const ctx = testContext();
  const record = execute(
    emptyRecord("s"),
    planCreate({ name: "A", beats: [{ letter: "A" }, { letter: "B" }] }, ctx),
    ctx,
    10,
  ).record;
  const doc = record.doc ?? never();

  it("reads naturally", () => {
    const id = doc.beats[1]?.id as string;
    expect(describeCommand(planAddBeat(doc, { position: 2 }, ctx))).toBe("Add beat 3");
    expect(describeCommand(planMoveBeat(doc, id, 0) ?? never())).toBe("Move beat 2 to 1");
    expect(describeCommand(planRemoveBeat(doc, id))).toBe("Remove beat 2");
    expect(describeCommand(planPatch(doc, { name: "X", metadata: { a: 1 } }, ctx) ?? never())).toBe(
      "Update name and metadata",
    );
    expect(describeCommand(planPatch(doc, { start_position: "n" }, ctx) ?? never())).toBe('Set start position to "n"');
  });

  it("derive the word, the length and the total duration in views", () => {
    const view = sequenceView(doc, {
      version: 1,
      updated_at: record.updated_at,
      history: historyState(record.history),
    });
    expect(view).toMatchObject({ word: "AB", length: 2, total_duration: 2, version: 1 });
    expect(view.beats.map((b) => b.beat_number)).toEqual([1, 2]);
  });

  it("name the change of each command", () => {
    const id = doc.beats[0]?.id as string;
    expect(changeOfCommand(planMoveBeat(doc, id, 1) ?? never(), null)).toEqual({
      type: "beat.moved",
      data: { beat_id: id, from_beat_number: 1, to_beat_number: 2 },
    });
    expect(changeOfCommand(planPatch(doc, { name: "Z" }, ctx) ?? never(), null).data).toMatchObject({
      changed_fields: ["name"],
    });
  });
});

function never(): never {
  throw new Error("unexpected null");
}
