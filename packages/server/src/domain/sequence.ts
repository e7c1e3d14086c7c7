// A sequence with its version and history: the unit every mutation changes as a whole. These
// transitions are the reference semantics; stores persist their results in one transaction.
import { applyCommand, type Command, describeCommand, revertCommand } from "./commands.ts";
import { DomainError } from "./errors.ts";
import { appendEntry, type HistoryEntry, nextRedo, nextUndo, setUndone } from "./history.ts";
import type { SequenceDoc } from "./model.ts";

export interface SequenceRecord {
  id: string;
  /** `null` while the sequence is deleted (its history stays, so the deletion can be undone). */
  doc: SequenceDoc | null;
  /** Increases by one with every committed change, undo and redo included. */
  version: number;
  updated_at: string;
  history: HistoryEntry[];
}

export interface Transition {
  record: SequenceRecord;
  entry: HistoryEntry;
}

export interface Clock {
  newId(kind: "command"): string;
  now(): string;
}

/** The record a sequence.create command starts from. */
export function emptyRecord(id: string): SequenceRecord {
  return { id, doc: null, version: 0, updated_at: "", history: [] };
}

export function execute(record: SequenceRecord, command: Command, clock: Clock, historyLimit: number): Transition {
  const now = clock.now();
  const entry: HistoryEntry = {
    id: clock.newId("command"),
    command,
    description: describeCommand(command),
    created_at: now,
    undone: false,
  };
  return {
    record: {
      id: record.id,
      doc: applyCommand(record.doc, command),
      version: record.version + 1,
      updated_at: now,
      history: appendEntry(record.history, entry, historyLimit),
    },
    entry,
  };
}

export function undo(record: SequenceRecord, clock: Clock): Transition {
  const entry = nextUndo(record.history);
  if (entry === undefined) throw new DomainError("NOTHING_TO_UNDO", `Sequence ${record.id} has nothing to undo.`);
  return {
    record: {
      id: record.id,
      doc: revertCommand(record.doc, entry.command),
      version: record.version + 1,
      updated_at: clock.now(),
      history: setUndone(record.history, entry.id, true),
    },
    entry: { ...entry, undone: true },
  };
}

export function redo(record: SequenceRecord, clock: Clock): Transition {
  const entry = nextRedo(record.history);
  if (entry === undefined) throw new DomainError("NOTHING_TO_REDO", `Sequence ${record.id} has nothing to redo.`);
  return {
    record: {
      id: record.id,
      doc: applyCommand(record.doc, entry.command),
      version: record.version + 1,
      updated_at: clock.now(),
      history: setUndone(record.history, entry.id, false),
    },
    entry: { ...entry, undone: false },
  };
}
