// Rows as node-postgres returns them, and their conversion to the Store's shapes. BIGINT columns
// arrive as strings; json columns arrive parsed.
import type { Command, HistoryEntry, SequenceDoc } from "../../domain/index.ts";
import { eventIdOf } from "../event-id.ts";
import type { StoredEvent, StoredSequence } from "../types.ts";

export interface SequenceRow {
  id: string;
  project_id: string;
  doc: SequenceDoc | null;
  version: number;
  updated_at: string;
  undo_count: number;
  redo_count: number;
}

export interface HistoryRow {
  seq: string | number;
  id: string;
  command: Command;
  description: string;
  created_at: string;
  undone: boolean;
}

export interface EventRow {
  seq: string | number;
  position: string | number;
  project_id: string;
  sequence_id: string;
  sequence_version: number;
  type: StoredEvent["type"];
  data: Record<string, unknown>;
  occurred_at: string;
}

export const SEQUENCE_COLUMNS = "id, project_id, doc, version, updated_at, undo_count, redo_count";
export const EVENT_COLUMNS = "seq, position, project_id, sequence_id, sequence_version, type, data, occurred_at";

export function toSequence(row: SequenceRow): StoredSequence {
  return {
    id: row.id,
    project_id: row.project_id,
    doc: row.doc,
    version: row.version,
    updated_at: row.updated_at,
    undo_count: row.undo_count,
    redo_count: row.redo_count,
  };
}

export function toEntry(row: HistoryRow): HistoryEntry & { seq: number } {
  return {
    seq: Number(row.seq),
    id: row.id,
    command: row.command,
    description: row.description,
    created_at: row.created_at,
    undone: row.undone,
  };
}

export function toEvent(row: EventRow): StoredEvent {
  return {
    id: eventIdOf(Number(row.seq)),
    project_id: row.project_id,
    position: Number(row.position),
    sequence_id: row.sequence_id,
    sequence_version: row.sequence_version,
    type: row.type,
    occurred_at: row.occurred_at,
    data: row.data,
  };
}
