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
