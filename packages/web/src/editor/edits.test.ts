import type { Beat, Sequence } from "tka-sdk";
import { describe, expect, it } from "vitest";
import { applyLocally, describeEdit, rebase } from "./edits.ts";

function beat(id: string, letter: string | null, extra: Partial<Beat> = {}): Beat {
  return {
    id,
    beat_number: 0,
    letter,
    duration: 1,
    blue_motion: null,
    red_motion: null,
    blue_reversal: false,
    red_reversal: false,
    is_blank: false,
    metadata: {},
    ...extra,
  };
}

function sequence(beats: Beat[]): Sequence {
  return {
    id: "seq_1",
    name: "Flow",
    word: "",
    start_position: null,
    metadata: {},
    beats: beats.map((b, i) => ({ ...b, beat_number: i + 1 })),
    length: beats.length,
    total_duration: beats.length,
    version: 3,
    history: {
      can_undo: true,
      can_redo: false,
      undo_description: "x",
      redo_description: null,
      undo_count: 1,
      redo_count: 0,
    },
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

const abc = sequence([beat("a", "A"), beat("b", "B"), beat("c", "C")]);

describe("edits applied locally (what the page shows while the server works)", () => {
  it("moves, removes and inserts beats, renumbering them and deriving the word as the server does", () => {
    const moved = applyLocally(abc, { kind: "move-beat", beatId: "c", position: 0 });
    expect(moved.word).toBe("CAB");
    expect(moved.beats.map((b) => [b.id, b.beat_number])).toEqual([
      ["c", 1],
      ["a", 2],
      ["b", 3],
    ]);
    expect(applyLocally(abc, { kind: "remove-beat", beatId: "b" })).toMatchObject({ word: "AC", length: 2 });
    const inserted = applyLocally(abc, { kind: "add-beat", beat: { letter: "z", position: 1, duration: 2 } });
    expect(inserted).toMatchObject({ word: "AZBC", length: 4, total_duration: 5 });
    expect(inserted.beats[1]?.id).toMatch(/^pending-/);
  });

  it("merges a beat patch: letters upper-cased, null clears, a motion merged into the current one", () => {
    const withMotion = sequence([
      beat("a", "A", {
        blue_motion: {
          motion_type: "pro",
          prop_rot_dir: "cw",
          start_loc: "n",
          end_loc: "e",
          turns: 0,
          start_ori: "in",
          end_ori: "in",
        },
      }),
    ]);
    const patched = applyLocally(withMotion, {
      kind: "update-beat",
      beatId: "a",
      patch: { letter: "q", blue_motion: { turns: 1.5 }, is_blank: true },
    });
    expect(patched.beats[0]).toMatchObject({
      letter: "Q",
      is_blank: true,
      blue_motion: { motion_type: "pro", turns: 1.5 },
    });
    // A blank beat adds no letter to the word.
    expect(patched.word).toBe("");
    expect(
      applyLocally(withMotion, { kind: "update-beat", beatId: "a", patch: { letter: null, blue_motion: null } })
        .beats[0],
    ).toMatchObject({
      letter: null,
      blue_motion: null,
    });
  });

  it("re-bases an edit onto a newer version, or gives it up when its beat is gone", () => {
    const latest = sequence([beat("a", "A")]);
    expect(rebase({ kind: "update-beat", beatId: "a", patch: { letter: "X" } }, latest)).not.toBeNull();
    expect(rebase({ kind: "update-beat", beatId: "c", patch: { letter: "X" } }, latest)).toBeNull();
    expect(rebase({ kind: "remove-beat", beatId: "c" }, latest)).toBeNull();
    expect(rebase({ kind: "move-beat", beatId: "a", position: 2 }, latest)).toEqual({
      kind: "move-beat",
      beatId: "a",
      position: 0,
    });
    expect(rebase({ kind: "add-beat", beat: { position: 3 } }, latest)).toEqual({
      kind: "add-beat",
      beat: { position: 1 },
    });
    expect(rebase({ kind: "rename", name: "New" }, latest)).toEqual({ kind: "rename", name: "New" });
  });

  it("describes edits for people", () => {
    expect(describeEdit({ kind: "move-beat", beatId: "c", position: 0 }, abc)).toBe("Move beat 3 to 1");
    expect(describeEdit({ kind: "rename", name: "Flow 2" }, abc)).toBe('Rename to "Flow 2"');
  });
});
