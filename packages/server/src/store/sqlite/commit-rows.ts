// A commit as the SQLite writer stores it: its rows, with every JSON column already text. Encoded
// on the store's thread, so only strings and numbers cross to the writer thread (cheap to copy)
// and the writer spends its time on SQL alone.
import { wordOf } from "../../domain/index.ts";
import { storableText } from "../text.ts";
import type { Commit } from "../types.ts";

export interface CommitRows {
  sequence: {
    id: string;
    project_id: string;
    doc: string | null;
    version: number;
    expected_version: number;
    created_at: string;
    updated_at: string;
    name: string;
    word: string;
    length: number;
  };
  history:
    | {
        kind: "append";
        entry: { id: string; command: string; description: string; created_at: string };
        limit: number;
      }
    | { kind: "set_undone"; entry_id: string; undone: boolean };
  event: {
    project_id: string;
    sequence_id: string;
    sequence_version: number;
    type: string;
    data: string;
    occurred_at: string;
  };
  idempotency?: { project_id: string; key: string; response: string };
}

export function commitRows(commit: Commit): CommitRows {
  const doc = commit.doc;
  const history = commit.history;
  return {
    sequence: {
      id: commit.sequence_id,
      project_id: commit.project_id,
      doc: doc === null ? null : JSON.stringify(doc),
      version: commit.version,
      expected_version: commit.expected_version,
      created_at: doc?.created_at ?? commit.updated_at,
      updated_at: commit.updated_at,
      name: storableText(doc?.name ?? ""), // the filter column: text, as in PostgreSQL (../text.ts)
      word: doc ? wordOf(doc.beats) : "",
      length: doc?.beats.length ?? 0,
    },
    history:
      history.kind === "append"
        ? {
            kind: "append",
            entry: {
              id: history.entry.id,
              command: JSON.stringify(history.entry.command),
              description: storableText(history.entry.description),
              created_at: history.entry.created_at,
            },
            limit: history.limit,
          }
        : history,
    event: {
      project_id: commit.project_id,
      sequence_id: commit.sequence_id,
      sequence_version: commit.version,
      type: commit.change.type,
      data: JSON.stringify(commit.change.data),
      occurred_at: commit.updated_at,
    },
    ...(commit.idempotency
      ? {
          idempotency: {
            project_id: commit.idempotency.project_id,
            key: storableText(commit.idempotency.key),
            response: JSON.stringify(commit.idempotency.response),
          },
        }
      : {}),
  };
}
