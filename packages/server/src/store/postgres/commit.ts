// Writing a batch of commits: one call of tka_commit_batch (migration 7), so one statement, one
// round trip and one COMMIT with one WAL flush for the whole batch. It runs as a single
// statement outside any explicit transaction, so PostgreSQL commits it before it reports the
// statement done; node-postgres resolves the query only then: a commit's promise settles once
// it is durable (synchronous_commit=on).
//
// Inside (see the function's comments): every commit in its own subtransaction, so a lost race
// or a failing insert undoes that commit alone; sequence rows are locked in sequence id order
// and the projects' position counters afterwards in project id order, the same order in every
// batch of every instance, so concurrent batches never deadlock. See argumentsOf for how the
// values travel.
import pg from "pg";
import { wordOf } from "../../domain/index.ts";
import { eventIdOf } from "../event-id.ts";
import { storableText } from "../text.ts";
import { type Commit, type CommitResult, VersionConflictError } from "../types.ts";
import type { Outcome } from "./group-commit.ts";

/** The code tka_commit_batch reports for a lost version race. */
const CONFLICT = "TKA01";

interface ResultRow {
  r_index: number;
  r_seq: string | null;
  r_position: string | null;
  r_code: string | null;
  r_message: string | null;
}

const CALL = {
  name: "tka_commit_batch",
  text: "SELECT r_index, r_seq, r_position, r_code, r_message FROM tka_commit_batch($1, $2, $3, $4, $5, $6, $7)",
};

/** Joins JSON texts with U+001E, which JSON text never holds raw; "" stands for null. */
const SEPARATOR = "\u001e";

/** A commit with its values encoded for the function once, when it is asked for. */
export interface EncodedCommit {
  commit: Commit;
  /** The small values (client text in them made storable: PostgreSQL's JSON functions refuse \u0000). */
  row: Record<string, unknown>;
  doc: string;
  command: string;
  eventData: string;
  response: string;
  /** About what it adds to the statement, in UTF-16 code units (a batch is capped by this). */
  size: number;
}

export function encodeCommit(commit: Commit): EncodedCommit {
  const doc = commit.doc;
  const history = commit.history;
  const idempotency = commit.idempotency;
  const append = history.kind === "append" ? history : null;
  const row = {
    id: storableText(commit.sequence_id),
    project: storableText(commit.project_id),
    expected: commit.expected_version,
    version: commit.version,
    created: doc?.created_at ?? commit.updated_at,
    updated: commit.updated_at,
    name: storableText(doc?.name ?? ""),
    word: doc ? storableText(wordOf(doc.beats)) : "",
    length: doc?.beats.length ?? 0,
    append: append !== null,
    entry_id: storableText(history.kind === "append" ? history.entry.id : history.entry_id),
    description: append ? storableText(append.entry.description) : null,
    entry_created: append?.entry.created_at ?? null,
    limit: append?.limit ?? null,
    undone: history.kind === "set_undone" ? history.undone : null,
    event_type: commit.change.type,
    idem_project: idempotency ? storableText(idempotency.project_id) : null,
    idem_key: idempotency ? storableText(idempotency.key) : null,
  };
  const encoded = {
    commit,
    row,
    doc: doc === null ? "" : JSON.stringify(doc),
    command: append ? JSON.stringify(append.entry.command) : "",
    eventData: JSON.stringify(commit.change.data),
    response: idempotency ? JSON.stringify(idempotency.response) : "",
  };
  // The row's text is a few hundred characters plus the client text in it (name, key, description).
  const rowSize = 512 + row.name.length + row.id.length + (row.description?.length ?? 0) + (row.idem_key?.length ?? 0);
  const size =
    rowSize + encoded.doc.length + encoded.command.length + encoded.eventData.length + encoded.response.length;
  return { ...encoded, size };
}

/**
 * The function's arguments: the small values of every commit as one JSON array of records, and
 * each JSON column's texts joined into one string (stored as json, never parsed, so kept exactly).
 */
function argumentsOf(commits: readonly EncodedCommit[], channel: string, instanceId: string): unknown[] {
  return [
    JSON.stringify(commits.map((c) => c.row)),
    commits.map((c) => c.doc).join(SEPARATOR),
    commits.map((c) => c.command).join(SEPARATOR),
    commits.map((c) => c.eventData).join(SEPARATOR),
    commits.map((c) => c.response).join(SEPARATOR),
    channel,
    instanceId,
  ];
}

/**
 * An error the function caught inside a commit's subtransaction, rebuilt as node-postgres would
 * have raised it: a DatabaseError whose `code` is the SQLSTATE (so faults can be told from
 * errors a request caused).
 */
function databaseError(code: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, 0, "error");
  error.code = code;
  error.severity = "ERROR";
  return error;
}

/** Writes the commits in one statement; resolves with each commit's outcome, in order. */
export async function commitBatch(
  pool: pg.Pool,
  commits: readonly EncodedCommit[],
  channel: string,
  instanceId: string,
): Promise<Outcome<CommitResult>[]> {
  const { rows } = await pool.query<ResultRow>({ ...CALL, values: argumentsOf(commits, channel, instanceId) });
  const outcomes: Outcome<CommitResult>[] = commits.map(() => ({
    ok: false,
    error: new Error("no outcome from tka_commit_batch"),
  }));
  for (const row of rows) {
    const commit = commits[row.r_index - 1]?.commit;
    if (commit === undefined) continue;
    let outcome: Outcome<CommitResult>;
    if (row.r_seq !== null && row.r_position !== null) {
      outcome = {
        ok: true,
        value: {
          event: {
            id: eventIdOf(Number(row.r_seq)),
            project_id: commit.project_id,
            position: Number(row.r_position),
            sequence_id: commit.sequence_id,
            sequence_version: commit.version,
            type: commit.change.type,
            occurred_at: commit.updated_at,
            data: commit.change.data,
          },
        },
      };
    } else if (row.r_code === CONFLICT) {
      outcome = { ok: false, error: new VersionConflictError(commit.sequence_id) };
    } else {
      outcome = { ok: false, error: databaseError(row.r_code ?? "XX000", row.r_message ?? "commit failed") };
    }
    outcomes[row.r_index - 1] = outcome;
  }
  return outcomes;
}
