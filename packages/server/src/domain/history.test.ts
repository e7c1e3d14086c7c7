import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  appendEntry,
  type HistoryEntry,
  historyState,
  nextRedo,
  nextUndo,
  setUndone,
  stateAfterAppend,
  stateAfterRedo,
  stateAfterUndo,
} from "./history.ts";

function entry(n: number): HistoryEntry {
  return {
    id: `cmd_${n}`,
    command: { kind: "sequence.update", from: { name: `${n - 1}` }, to: { name: `${n}` } },
    description: `step ${n}`,
    created_at: "2026-11-22T12:00:00.000Z",
    undone: false,
  };
}

const step = fc.constantFrom("append", "undo", "redo");

describe("history state after a change", () => {
  it("is what the whole history gives after the change (the service relies on it)", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), (steps, limit) => {
        let entries: HistoryEntry[] = [];
        let n = 0;
        for (const kind of steps) {
          const before = historyState(entries);
          if (kind === "append") {
            const next = entry(++n);
            entries = appendEntry(entries, next, limit);
            expect(stateAfterAppend(before.undo_count, next, limit)).toEqual(historyState(entries));
          } else if (kind === "undo") {
            const target = nextUndo(entries);
            if (target === undefined) continue;
            const previous = entries.filter((e) => !e.undone).at(-2)?.description ?? null;
            entries = setUndone(entries, target.id, true);
            expect(stateAfterUndo(before, target, previous)).toEqual(historyState(entries));
          } else {
            const target = nextRedo(entries);
            if (target === undefined) continue;
            const following = entries.filter((e) => e.undone)[1]?.description ?? null;
            entries = setUndone(entries, target.id, false);
            expect(stateAfterRedo(before, target, following)).toEqual(historyState(entries));
          }
        }
      }),
    );
  });
});
