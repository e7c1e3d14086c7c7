// The change event each committed transition produces (the contract's ChangeEvent, without the
// id and time, which the store assigns when it commits).
import { type Command, changedFields } from "./commands.ts";
import type { HistoryEntry } from "./history.ts";
import { type BeatView, beatView, type SequenceView } from "./views.ts";

export type ChangeType =
  | "sequence.created"
  | "sequence.updated"
  | "sequence.deleted"
  | "beat.added"
  | "beat.updated"
  | "beat.moved"
  | "beat.removed"
  | "command.undone"
  | "command.redone";

export interface Change {
  type: ChangeType;
  data: Record<string, unknown>;
}

export interface HistoryEntryView {
  id: string;
  sequence_id: string;
  command: Command["kind"];
  description: string;
  created_at: string;
  undone: boolean;
}

export function historyEntryView(sequenceId: string, entry: HistoryEntry): HistoryEntryView {
  return {
    id: entry.id,
    sequence_id: sequenceId,
    command: entry.command.kind,
    description: entry.description,
    created_at: entry.created_at,
    undone: entry.undone,
  };
}

/** The event of a newly executed command; `sequence` is the state after it (null once deleted). */
export function changeOfCommand(command: Command, sequence: SequenceView | null): Change {
  switch (command.kind) {
    case "sequence.create":
      return { type: "sequence.created", data: { sequence } };
    case "sequence.update":
      return { type: "sequence.updated", data: { sequence, changed_fields: changedFields(command) } };
    case "beats.replace":
      return { type: "sequence.updated", data: { sequence, changed_fields: ["beats"] } };
    case "sequence.delete":
      return { type: "sequence.deleted", data: { name: command.sequence.name } };
    case "beat.add":
      return { type: "beat.added", data: { beat: beatView(command.beat, command.index) } };
    case "beat.update":
      return { type: "beat.updated", data: { beat: beatView(command.to, command.index) satisfies BeatView } };
    case "beat.move":
      return {
        type: "beat.moved",
        data: { beat_id: command.beat_id, from_beat_number: command.from + 1, to_beat_number: command.to + 1 },
      };
    case "beat.remove":
      return { type: "beat.removed", data: { beat_id: command.beat.id, beat_number: command.index + 1 } };
  }
}

/** The event of an undo or a redo. */
export function changeOfHistory(
  direction: "undo" | "redo",
  sequenceId: string,
  entry: HistoryEntry,
  sequence: SequenceView | null,
): Change {
  return {
    type: direction === "undo" ? "command.undone" : "command.redone",
    data: { entry: historyEntryView(sequenceId, entry), sequence },
  };
}
