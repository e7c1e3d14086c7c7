// The edits a person makes in the editor, as data: applied at once to what the page shows
// (optimistic), sent to the server with the version they were made on (If-Match), and, when
// someone else changed the sequence first (412), re-based onto the latest version if they
// still make sense there.
import type { Beat, BeatCreate, BeatPatch, Motion, MotionPatch, Sequence, TKA } from "tka-sdk";

export type Edit =
  | { kind: "rename"; name: string }
  | { kind: "add-beat"; beat: BeatCreate }
  | { kind: "update-beat"; beatId: string; patch: BeatPatch }
  | { kind: "move-beat"; beatId: string; position: number }
  | { kind: "remove-beat"; beatId: string };

/** What the edit does, for notices ("Move beat 3 to 1"). */
export function describeEdit(edit: Edit, sequence: Sequence | null): string {
  const number = (id: string) => sequence?.beats.find((b) => b.id === id)?.beat_number ?? "?";
  switch (edit.kind) {
    case "rename":
      return `Rename to "${edit.name}"`;
    case "add-beat":
      return edit.beat.position === undefined ? "Add a beat" : `Insert a beat at ${edit.beat.position + 1}`;
    case "update-beat":
      return `Edit beat ${number(edit.beatId)}`;
    case "move-beat":
      return `Move beat ${number(edit.beatId)} to ${edit.position + 1}`;
    case "remove-beat":
      return `Remove beat ${number(edit.beatId)}`;
  }
}

const motionDefaults = { turns: 0, start_ori: "in", end_ori: "in" } as const;

function patchMotion(current: Motion | null, patch: MotionPatch | null | undefined): Motion | null {
  if (patch === undefined) return current;
  if (patch === null) return null;
  const merged = { ...motionDefaults, ...(current ?? {}), ...patch };
  return merged as Motion;
}

function patchBeat(beat: Beat, patch: BeatPatch): Beat {
  return {
    ...beat,
    ...(patch.letter !== undefined ? { letter: patch.letter === null ? null : patch.letter.toUpperCase() } : {}),
    ...(patch.duration !== undefined ? { duration: patch.duration } : {}),
    ...(patch.is_blank !== undefined ? { is_blank: patch.is_blank } : {}),
    ...(patch.blue_reversal !== undefined ? { blue_reversal: patch.blue_reversal } : {}),
    ...(patch.red_reversal !== undefined ? { red_reversal: patch.red_reversal } : {}),
    blue_motion: patchMotion(beat.blue_motion, patch.blue_motion),
    red_motion: patchMotion(beat.red_motion, patch.red_motion),
  };
}

/** The derived fields (numbers, word, length, duration) recomputed from the beats, as the server does. */
export function withBeats(sequence: Sequence, beats: Beat[]): Sequence {
  const numbered = beats.map((beat, index) =>
    beat.beat_number === index + 1 ? beat : { ...beat, beat_number: index + 1 },
  );
  return {
    ...sequence,
    beats: numbered,
    word: numbered
      .filter((b) => !b.is_blank && b.letter !== null)
      .map((b) => b.letter)
      .join(""),
    length: numbered.length,
    total_duration: numbered.reduce((sum, b) => sum + b.duration, 0),
  };
}

let pendingIds = 0;

/** The sequence as it will be once the server has applied the edit (a close guess: shown meanwhile). */
export function applyLocally(sequence: Sequence, edit: Edit): Sequence {
  const beats = [...sequence.beats];
  switch (edit.kind) {
    case "rename":
      return { ...sequence, name: edit.name };
    case "add-beat": {
      const { position, ...input } = edit.beat;
      const beat: Beat = {
        id: `pending-${++pendingIds}`,
        beat_number: 0,
        letter: input.letter?.toUpperCase() ?? null,
        duration: input.duration ?? 1,
        blue_motion: input.blue_motion ? ({ ...motionDefaults, ...input.blue_motion } as Motion) : null,
        red_motion: input.red_motion ? ({ ...motionDefaults, ...input.red_motion } as Motion) : null,
        blue_reversal: input.blue_reversal ?? false,
        red_reversal: input.red_reversal ?? false,
        is_blank: input.is_blank ?? false,
        metadata: input.metadata ?? {},
      };
      beats.splice(Math.min(position ?? beats.length, beats.length), 0, beat);
      return withBeats(sequence, beats);
    }
    case "update-beat":
      return withBeats(
        sequence,
        beats.map((b) => (b.id === edit.beatId ? patchBeat(b, edit.patch) : b)),
      );
    case "move-beat": {
      const from = beats.findIndex((b) => b.id === edit.beatId);
      if (from < 0) return sequence;
      const [beat] = beats.splice(from, 1);
      beats.splice(Math.min(edit.position, beats.length), 0, beat as Beat);
      return withBeats(sequence, beats);
    }
    case "remove-beat":
      return withBeats(
        sequence,
        beats.filter((b) => b.id !== edit.beatId),
      );
  }
}

/**
 * The edit re-based onto a newer version of the sequence, or null when it no longer makes sense
 * there (its beat was removed by someone else). Positions are kept within the new length.
 */
export function rebase(edit: Edit, latest: Sequence): Edit | null {
  const has = (id: string) => latest.beats.some((b) => b.id === id);
  switch (edit.kind) {
    case "rename":
      return edit;
    case "add-beat":
      return edit.beat.position === undefined
        ? edit
        : { ...edit, beat: { ...edit.beat, position: Math.min(edit.beat.position, latest.beats.length) } };
    case "update-beat":
    case "remove-beat":
      return has(edit.beatId) ? edit : null;
    case "move-beat":
      return has(edit.beatId) ? { ...edit, position: Math.min(edit.position, latest.beats.length - 1) } : null;
  }
}

/** Sends the edit, to apply only if the sequence is still at `version` (else a 412). */
export function sendEdit(client: TKA, sequenceId: string, edit: Edit, version: number): Promise<Sequence> {
  const ifMatch = { if_match: version };
  switch (edit.kind) {
    case "rename":
      return client.sequences.update(sequenceId, { name: edit.name }, ifMatch);
    case "add-beat":
      return client.beats.add(sequenceId, edit.beat, ifMatch);
    case "update-beat":
      return client.beats.update(sequenceId, edit.beatId, edit.patch, ifMatch);
    case "move-beat":
      return client.beats.move(sequenceId, edit.beatId, { position: edit.position }, ifMatch);
    case "remove-beat":
      return client.beats.remove(sequenceId, edit.beatId, ifMatch);
  }
}
