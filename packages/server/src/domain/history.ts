// Per-sequence undo / redo history. Entries are in the order they were first applied; the undone
// ones always form a suffix (undo marks the last applied entry, a new command drops the suffix).
import type { Command } from "./commands.ts";

export interface HistoryEntry {
  id: string;
  command: Command;
  description: string;
  created_at: string;
  undone: boolean;
}

/** What clients see of a history: whether undo / redo would act, and what they would do. */
export interface HistoryState {
  can_undo: boolean;
  can_redo: boolean;
  undo_description: string | null;
  redo_description: string | null;
  undo_count: number;
  redo_count: number;
}

export const DEFAULT_HISTORY_LIMIT = 1000;

/** The entry undo would reverse: the last one not undone. */
export function nextUndo(entries: readonly HistoryEntry[]): HistoryEntry | undefined {
  return entries.findLast((entry) => !entry.undone);
}

/** The entry redo would re-apply: the first undone one. */
export function nextRedo(entries: readonly HistoryEntry[]): HistoryEntry | undefined {
  return entries.find((entry) => entry.undone);
}

export function historyState(entries: readonly HistoryEntry[]): HistoryState {
  const undo = nextUndo(entries);
  const redo = nextRedo(entries);
  const redoCount = entries.filter((entry) => entry.undone).length;
  return {
    can_undo: undo !== undefined,
    can_redo: redo !== undefined,
    undo_description: undo?.description ?? null,
    redo_description: redo?.description ?? null,
    undo_count: entries.length - redoCount,
    redo_count: redoCount,
  };
}

/** Records a new command: what could be redone is dropped, and only the newest `limit` entries stay. */
export function appendEntry(entries: readonly HistoryEntry[], entry: HistoryEntry, limit: number): HistoryEntry[] {
  const kept = entries.filter((e) => !e.undone);
  kept.push(entry);
  return kept.length > limit ? kept.slice(kept.length - limit) : kept;
}

export function setUndone(entries: readonly HistoryEntry[], id: string, undone: boolean): HistoryEntry[] {
  return entries.map((entry) => (entry.id === id ? { ...entry, undone } : entry));
}

/**
 * The state after a new command is recorded: nothing left to redo, the newest `limit` entries
 * kept. `undoCount` is the count before it. Lets the service know the outcome of a commit before
 * it is written, so the event and the answer need nothing read back from the store.
 */
export function stateAfterAppend(undoCount: number, entry: HistoryEntry, limit: number): HistoryState {
  return {
    can_undo: true,
    can_redo: false,
    undo_description: entry.description,
    redo_description: null,
    undo_count: Math.min(undoCount + 1, limit),
    redo_count: 0,
  };
}

/** The state after undoing `entry` (the next undo); `previous` describes the applied entry before it. */
export function stateAfterUndo(state: HistoryState, entry: HistoryEntry, previous: string | null): HistoryState {
  return {
    can_undo: previous !== null,
    can_redo: true,
    undo_description: previous,
    redo_description: entry.description,
    undo_count: state.undo_count - 1,
    redo_count: state.redo_count + 1,
  };
}

/** The state after redoing `entry` (the next redo); `following` describes the undone entry after it. */
export function stateAfterRedo(state: HistoryState, entry: HistoryEntry, following: string | null): HistoryState {
  return {
    can_undo: true,
    can_redo: following !== null,
    undo_description: entry.description,
    redo_description: following,
    undo_count: state.undo_count + 1,
    redo_count: state.redo_count - 1,
  };
}
