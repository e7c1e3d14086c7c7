// The shared store: PostgreSQL through a connection pool, so several server instances can run
// against one database. Same semantics as the SQLite store (../sqlite/sqlite-store.ts), which
// the contract suite (../store.contract.test.ts) checks on both.
//
// Concurrency, in short:
// - commit: one READ COMMITTED transaction. An existing sequence's row is locked with
//   SELECT ... FOR UPDATE and its version compared with expected_version; a new sequence is an
//   INSERT ... ON CONFLICT DO NOTHING, and "nothing inserted" means another writer created it.
//   Either way a lost race is a VersionConflictError (the service reloads and retries).
// - events: see `#insertEvent` for why event numbers follow commit order within a project.
// - idempotency claims: INSERT ... ON CONFLICT DO NOTHING, else the existing row under FOR UPDATE.
// - migrations: under a session advisory lock, so instances starting together apply each once.
// - cross-instance events: NOTIFY in the commit transaction, LISTEN in `listen`.
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Command, HistoryEntry, HistoryState, SequenceDoc } from "../../domain/index.ts";
import { wordOf } from "../../domain/index.ts";
import { eventIdOf, seqOfEventId } from "../event-id.ts";
import {
  type ApiKeyRecord,
  type Commit,
  type CommitResult,
  type EventPruning,
  EventsPrunedError,
  type HistoryHead,
  type IdempotencyClaim,
  type IdempotencyLookup,
  type IdempotentResponse,
  isKeyedHash,
  type ListFilter,
  type Page,
  type PageRequest,
  type Store,
  type StoredEvent,
  type StoredSequence,
  VersionConflictError,
} from "../types.ts";
import { migrations } from "./migrations.ts";

const ABANDONED_CLAIM_MS = 60_000;
/** Key of the session advisory lock held while migrating (any constant unique to this app). */
const MIGRATION_LOCK = 7_351_946_021;
/** First key of the per-project transaction advisory lock around event numbering. */
const EVENT_LOCK_CLASS = 7_351_946;
/** Events deleted per transaction while pruning. */
const PRUNE_CHUNK = 1000;
/** The NOTIFY channel; payload `<instance id>:<event seq>`. */
const CHANNEL = "tka_events";

interface SequenceRow {
  id: string;
  project_id: string;
  doc: SequenceDoc | null;
  version: number;
  updated_at: string;
  undo_count: number;
  redo_count: number;
}

interface HistoryRow {
  seq: string | number;
  id: string;
  command: Command;
  description: string;
  created_at: string;
  undone: boolean;
}

interface EventRow {
  seq: string | number;
  project_id: string;
  sequence_id: string;
  sequence_version: number;
  type: StoredEvent["type"];
  data: Record<string, unknown>;
  occurred_at: string;
}

const SEQUENCE_COLUMNS = "id, project_id, doc, version, updated_at, undo_count, redo_count";
const EVENT_COLUMNS = "seq, project_id, sequence_id, sequence_version, type, data, occurred_at";

function toSequence(row: SequenceRow): StoredSequence {
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

function toEntry(row: HistoryRow): HistoryEntry & { seq: number } {
  return {
    seq: Number(row.seq),
    id: row.id,
    command: row.command,
    description: row.description,
    created_at: row.created_at,
    undone: row.undone,
  };
}

function toEvent(row: EventRow): StoredEvent {
  return {
    id: eventIdOf(Number(row.seq)),
    project_id: row.project_id,
    sequence_id: row.sequence_id,
    sequence_version: row.sequence_version,
    type: row.type,
    occurred_at: row.occurred_at,
    data: row.data,
  };
}

export interface PgStoreOptions {
  /** Pool size (10). */
  max?: number;
  /** Errors of idle pooled connections (the pool replaces them); ignored when absent. */
  onError?: (error: Error) => void;
}

export interface ListenOptions {
  /** Also deliver the events this PgStore committed itself (false: the service publishes those). */
  includeOwn?: boolean;
  /** Failures of the listening connection (it reconnects) and of loading an event. */
  onError?: (error: unknown) => void;
}

export class PgStore implements Store {
  readonly engine = "postgresql" as const;
  readonly #pool: pg.Pool;
  readonly #config: pg.ClientConfig;
  /** Tells this instance's notifications from other instances'. */
  readonly #instanceId = randomUUID();
  /** Recent event numbers this instance committed while someone listens (told apart on catch-up). */
  readonly #own = new Set<number>();
  readonly #listeners = new Set<() => Promise<void>>();
  #closed = false;

  private constructor(config: pg.PoolConfig) {
    this.#config = config;
    this.#pool = new pg.Pool(config);
  }

  /** Opens a pool on `postgres://...` and applies the pending migrations. */
  static async connect(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    const store = new PgStore({
      connectionString: url,
      max: options.max ?? 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      application_name: "tka-server",
    });
    store.#pool.on("error", (error) => options.onError?.(error));
    try {
      await store.#migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async #migrate(): Promise<void> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      // Session-level: held across the per-migration transactions, released below (or when the
      // connection drops). A second instance waits here, then finds everything applied.
      await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
      try {
        await client.query(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        );
        const applied = new Set(
          (await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map((r) => r.version),
        );
        for (const migration of migrations) {
          if (applied.has(migration.version)) continue;
          await client.query("BEGIN");
          try {
            await client.query(migration.sql);
            await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
              migration.version,
              migration.name,
              new Date().toISOString(),
            ]);
            await client.query("COMMIT");
          } catch (error) {
            await client.query("ROLLBACK");
            throw error;
          }
        }
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
      }
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Runs `work` in one transaction on one pooled connection; rolls back when it throws. */
  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        // The connection is unusable: drop it from the pool rather than hand it out again.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async getSequence(projectId: string, sequenceId: string): Promise<StoredSequence | null> {
    const { rows } = await this.#pool.query<SequenceRow>(
      `SELECT ${SEQUENCE_COLUMNS} FROM sequences WHERE id = $1 AND project_id = $2`,
      [sequenceId, projectId],
    );
    return rows[0] ? toSequence(rows[0]) : null;
  }

  /** What clients see of the history, in one statement; reads descriptions, never the commands. */
  async historyState(sequenceId: string): Promise<HistoryState> {
    const { rows } = await this.#pool.query<{
      undo: string | null;
      redo: string | null;
      undo_count: number | null;
      redo_count: number | null;
    }>(
      `SELECT
         (SELECT description FROM history WHERE sequence_id = $1 AND NOT undone ORDER BY seq DESC LIMIT 1) AS undo,
         (SELECT description FROM history WHERE sequence_id = $1 AND undone ORDER BY seq ASC LIMIT 1) AS redo,
         (SELECT undo_count FROM sequences WHERE id = $1) AS undo_count,
         (SELECT redo_count FROM sequences WHERE id = $1) AS redo_count`,
      [sequenceId],
    );
    const row = rows[0];
    const undo = row?.undo ?? null;
    const redo = row?.redo ?? null;
    return {
      can_undo: undo !== null,
      can_redo: redo !== null,
      undo_description: undo,
      redo_description: redo,
      undo_count: row?.undo_count ?? 0,
      redo_count: row?.redo_count ?? 0,
    };
  }

  /** The entries undo and redo would act on and the state, in one statement (one snapshot). */
  async historyHead(sequenceId: string): Promise<HistoryHead> {
    const entry = (order: "ASC" | "DESC", undone: boolean) =>
      `(SELECT json_build_object('seq', seq, 'id', id, 'command', command, 'description', description,
          'created_at', created_at, 'undone', undone)
        FROM history WHERE sequence_id = $1 AND undone = ${undone} ORDER BY seq ${order} LIMIT 1)`;
    const second = (order: "ASC" | "DESC", undone: boolean) =>
      `(SELECT description FROM history WHERE sequence_id = $1 AND undone = ${undone}
        ORDER BY seq ${order} LIMIT 1 OFFSET 1)`;
    const { rows } = await this.#pool.query<{
      undo: HistoryRow | null;
      redo: HistoryRow | null;
      undo_after_undo: string | null;
      redo_after_redo: string | null;
      undo_count: number | null;
      redo_count: number | null;
    }>(
      `SELECT ${entry("DESC", false)} AS undo, ${entry("ASC", true)} AS redo,
         ${second("DESC", false)} AS undo_after_undo, ${second("ASC", true)} AS redo_after_redo,
         (SELECT undo_count FROM sequences WHERE id = $1) AS undo_count,
         (SELECT redo_count FROM sequences WHERE id = $1) AS redo_count`,
      [sequenceId],
    );
    const row = rows[0];
    const undo = row?.undo ?? null;
    const redo = row?.redo ?? null;
    const state: HistoryState = {
      can_undo: undo !== null,
      can_redo: redo !== null,
      undo_description: undo?.description ?? null,
      redo_description: redo?.description ?? null,
      undo_count: row?.undo_count ?? 0,
      redo_count: row?.redo_count ?? 0,
    };
    return {
      next_undo: undo ? toEntry(undo) : null,
      next_redo: redo ? toEntry(redo) : null,
      undo_after_undo: row?.undo_after_undo ?? null,
      redo_after_redo: row?.redo_after_redo ?? null,
      state,
    };
  }

  async listSequences(projectId: string, filter: ListFilter, page: PageRequest): Promise<Page<StoredSequence>> {
    const params: unknown[] = [projectId];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = ["project_id = $1", "doc IS NOT NULL"];
    if (filter.name_contains !== undefined) where.push(`strpos(lower(name), lower(${p(filter.name_contains)})) > 0`);
    if (filter.word !== undefined) where.push(`word = upper(${p(filter.word)})`);
    if (filter.min_length !== undefined) where.push(`length >= ${p(filter.min_length)}`);
    if (filter.max_length !== undefined) where.push(`length <= ${p(filter.max_length)}`);
    if (filter.updated_since !== undefined) where.push(`updated_at >= ${p(filter.updated_since)}`);
    if (page.after !== undefined) {
      const createdAt = p(page.after.created_at);
      where.push(`(created_at < ${createdAt} OR (created_at = ${createdAt} AND id < ${p(page.after.id)}))`);
    }
    const { rows } = await this.#pool.query<SequenceRow>(
      `SELECT ${SEQUENCE_COLUMNS} FROM sequences WHERE ${where.join(" AND ")}
       ORDER BY created_at DESC, id DESC LIMIT ${p(page.limit + 1)}`,
      params,
    );
    return { items: rows.slice(0, page.limit).map(toSequence), has_more: rows.length > page.limit };
  }

  async listHistory(
    sequenceId: string,
    page: { limit: number; before?: number },
  ): Promise<Page<HistoryEntry & { seq: number }>> {
    // Newest first across both halves of the index (applied, undone), each read in order.
    const half = (undone: boolean) =>
      `(SELECT seq, id, command, description, created_at, undone FROM history
        WHERE sequence_id = $1 AND undone = ${undone} AND seq < $2 ORDER BY seq DESC LIMIT $3)`;
    const { rows } = await this.#pool.query<HistoryRow>(
      `${half(true)} UNION ALL ${half(false)} ORDER BY seq DESC LIMIT $3`,
      [sequenceId, page.before ?? Number.MAX_SAFE_INTEGER, page.limit + 1],
    );
    return { items: rows.slice(0, page.limit).map(toEntry), has_more: rows.length > page.limit };
  }

  async commit(commit: Commit): Promise<CommitResult> {
    return this.#transaction(async (client): Promise<CommitResult> => {
      const id = commit.sequence_id;
      const doc = commit.doc;
      const history = commit.history;

      // 1. The version check, holding the sequence row until commit.
      let counts = { applied: 0, undone: 0 };
      if (commit.expected_version !== 0) {
        const { rows } = await client.query<{ version: number; undo_count: number; redo_count: number }>(
          "SELECT version, undo_count, redo_count FROM sequences WHERE id = $1 FOR UPDATE",
          [id],
        );
        const current = rows[0];
        if (current === undefined || current.version !== commit.expected_version) throw new VersionConflictError(id);
        counts = { applied: current.undo_count, undone: current.redo_count };
      }

      // 2. The history counters after the change, kept on the sequence row so undo and redo cost
      // the same with 10 entries or 10,000 (no scan of the history).
      let next: { applied: number; undone: number };
      let excess = 0;
      if (history.kind === "append") {
        const applied = counts.applied + 1;
        excess = Math.max(0, applied - history.limit);
        next = { applied: applied - excess, undone: 0 };
      } else {
        const delta = history.undone ? 1 : -1;
        next = { applied: counts.applied - delta, undone: counts.undone + delta };
      }

      // 3. The sequence row.
      const json = doc === null ? null : JSON.stringify(doc);
      const name = doc?.name ?? "";
      const word = doc ? wordOf(doc.beats) : "";
      const length = doc?.beats.length ?? 0;
      if (commit.expected_version === 0) {
        const inserted = await client.query(
          `INSERT INTO sequences (id, project_id, doc, version, created_at, updated_at, name, word, length,
             undo_count, redo_count)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
          [
            id,
            commit.project_id,
            json,
            commit.version,
            doc?.created_at ?? commit.updated_at,
            commit.updated_at,
            name,
            word,
            length,
            next.applied,
            next.undone,
          ],
        );
        // Nothing inserted: another writer created this sequence first.
        if (inserted.rowCount !== 1) throw new VersionConflictError(id);
      } else {
        // project_id and created_at never change; the row is locked and its version was checked.
        await client.query(
          `UPDATE sequences SET doc = $2, version = $3, updated_at = $4, name = $5, word = $6, length = $7,
             undo_count = $8, redo_count = $9
           WHERE id = $1`,
          [id, json, commit.version, commit.updated_at, name, word, length, next.applied, next.undone],
        );
      }

      // 4. The history.
      if (history.kind === "append") {
        if (counts.undone > 0) await client.query("DELETE FROM history WHERE sequence_id = $1 AND undone", [id]);
        await client.query(
          `INSERT INTO history (id, sequence_id, command, description, created_at, undone)
           VALUES ($1, $2, $3, $4, $5, false)`,
          [
            history.entry.id,
            id,
            JSON.stringify(history.entry.command),
            history.entry.description,
            history.entry.created_at,
          ],
        );
        if (excess > 0) {
          await client.query(
            // The oldest entries are applied ones: the undone ones were dropped above.
            `DELETE FROM history WHERE seq IN
               (SELECT seq FROM history WHERE sequence_id = $1 AND NOT undone ORDER BY seq ASC LIMIT $2)`,
            [id, excess],
          );
        }
      } else {
        await client.query("UPDATE history SET undone = $1 WHERE id = $2 AND sequence_id = $3", [
          history.undone,
          history.entry_id,
          id,
        ]);
      }

      // 5. The event, then the idempotent answer, then COMMIT.
      const change = commit.change;
      const event = await this.#insertEvent(client, {
        project_id: commit.project_id,
        sequence_id: id,
        sequence_version: commit.version,
        type: change.type,
        data: change.data as Record<string, unknown>,
        occurred_at: commit.updated_at,
      });
      if (commit.idempotency) {
        await client.query("UPDATE idempotency SET response = $1 WHERE project_id = $2 AND key = $3", [
          JSON.stringify(commit.idempotency.response),
          commit.idempotency.project_id,
          commit.idempotency.key,
        ]);
      }
      // Known as ours before it commits, so a listener's catch-up can never take it for another's.
      if (this.#listeners.size > 0) this.#remember(seqOfEventId(event.id) ?? 0);
      return { event };
    });
  }

  /**
   * Numbers and inserts the event, and queues its NOTIFY (delivered at commit, in commit order).
   *
   * Event ids are `evt_<n>` with n from the `events_seq_seq` sequence, and clients resume with
   * eventsAfter(project, last id): "every event of the project numbered above n". A sequence
   * alone would break that: transaction A takes n = 10, transaction B takes 11 and commits
   * first; a reader that sees 11 and resumes after it never sees 10. So before taking a number
   * the transaction takes a transaction-level advisory lock for its project, held until it
   * commits or rolls back. Within a project, numbers are therefore handed out in commit order
   * (the next writer can only take its number once the previous one is visible), and
   * "after n" never skips an event. Across projects numbers may still commit out of order,
   * which no reader observes: every read (eventsAfter, the WebSocket resume) is per project.
   * The lock is taken last, so it covers only the event insert, the idempotency update and the
   * commit itself; commits of one project serialise there, other projects are not affected.
   * The order is deadlock-free: a commit takes the sequence row lock, then the project lock,
   * and nothing waits for a row lock while holding a project lock.
   */
  async #insertEvent(client: pg.PoolClient, event: Omit<EventRow, "seq">): Promise<StoredEvent> {
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [EVENT_LOCK_CLASS, event.project_id]);
    const { rows } = await client.query<{ seq: string }>(
      `WITH e AS (
         INSERT INTO events (project_id, sequence_id, sequence_version, type, data, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq
       )
       SELECT seq, pg_notify($7, $8 || ':' || seq) FROM e`,
      [
        event.project_id,
        event.sequence_id,
        event.sequence_version,
        event.type,
        JSON.stringify(event.data),
        event.occurred_at,
        CHANNEL,
        this.#instanceId,
      ],
    );
    const seq = rows[0]?.seq;
    if (seq === undefined) throw new Error("INSERT INTO events returned no number");
    return toEvent({ ...event, seq });
  }

  #remember(seq: number): void {
    this.#own.add(seq);
    trim(this.#own);
  }

  async eventsAfter(projectId: string, afterId: string | null, limit: number): Promise<StoredEvent[]> {
    const after = (afterId === null ? 0 : seqOfEventId(afterId)) ?? 0;
    const { rows } = await this.#pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE project_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [projectId, after, limit],
    );
    if (afterId !== null) {
      // Read after the events: pruning records its cutoff before deleting, so if nothing at or
      // above `after` was pruned by now, nothing was missing when the events were read.
      const pruned = await this.#pool.query<{ pruned_through: string }>("SELECT pruned_through FROM event_retention");
      const through = Number(pruned.rows[0]?.pruned_through ?? 0);
      if (through > 0 && after <= through) throw new EventsPrunedError(afterId);
    }
    return rows.map(toEvent);
  }

  async pruneEvents(pruning: EventPruning): Promise<number> {
    // The number of the first event to keep by time; walks from the oldest event, so it costs
    // about the number of events to remove.
    const keptFrom = async (since: string): Promise<number> => {
      const { rows } = await this.#pool.query<{ seq: string }>(
        `SELECT COALESCE((SELECT seq FROM events WHERE occurred_at >= $1 ORDER BY seq LIMIT 1),
           (SELECT COALESCE(MAX(seq), 0) + 1 FROM events)) AS seq`,
        [since],
      );
      return Number(rows[0]?.seq ?? 1);
    };
    let cutoff = (await keptFrom(pruning.olderThan)) - 1;
    if (pruning.beyondCount) {
      const { count, before } = pruning.beyondCount;
      const { rows } = await this.#pool.query<{ seq: string }>(
        "SELECT seq FROM events ORDER BY seq DESC LIMIT 1 OFFSET $1",
        [count],
      );
      cutoff = Math.max(cutoff, Math.min(Number(rows[0]?.seq ?? 0), (await keptFrom(before)) - 1));
    }
    let deleted = 0;
    for (;;) {
      // The cutoff is recorded before (and with) the deletions it allows; see eventsAfter.
      const chunk = await this.#transaction(async (client) => {
        await client.query("UPDATE event_retention SET pruned_through = GREATEST(pruned_through, $1)", [cutoff]);
        const removed = await client.query(
          "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq <= $1 ORDER BY seq LIMIT $2)",
          [cutoff, PRUNE_CHUNK],
        );
        return removed.rowCount ?? 0;
      });
      deleted += chunk;
      if (chunk < PRUNE_CHUNK) return deleted;
    }
  }

  async claimIdempotencyKey(claim: IdempotencyClaim, ttlMs: number): Promise<IdempotencyLookup> {
    return this.#transaction(async (client): Promise<IdempotencyLookup> => {
      // The application clock, as in SQLite (instances are expected to run NTP; the thresholds
      // are a minute and the TTL).
      const now = Date.now();
      for (;;) {
        const inserted = await client.query(
          `INSERT INTO idempotency (project_id, key, fingerprint, response, created_at, expires_at)
           VALUES ($1, $2, $3, NULL, $4, $5) ON CONFLICT (project_id, key) DO NOTHING`,
          [claim.project_id, claim.key, claim.fingerprint, now, now + ttlMs],
        );
        if (inserted.rowCount === 1) return { state: "new" };
        const { rows } = await client.query<{
          fingerprint: string;
          response: IdempotentResponse | null;
          created_at: string;
          expires_at: string;
        }>(
          `SELECT fingerprint, response, created_at, expires_at FROM idempotency
           WHERE project_id = $1 AND key = $2 FOR UPDATE`,
          [claim.project_id, claim.key],
        );
        const row = rows[0];
        if (row === undefined) continue; // released between the two statements: claim again
        if (Number(row.expires_at) > now) {
          if (row.fingerprint !== claim.fingerprint) return { state: "mismatch" };
          if (row.response !== null) return { state: "done", response: row.response };
          // A claim whose request never finished (the process died) is abandoned after a minute.
          if (now - Number(row.created_at) < ABANDONED_CLAIM_MS) return { state: "in_progress" };
        }
        await client.query(
          `UPDATE idempotency SET fingerprint = $3, response = NULL, created_at = $4, expires_at = $5
           WHERE project_id = $1 AND key = $2`,
          [claim.project_id, claim.key, claim.fingerprint, now, now + ttlMs],
        );
        return { state: "new" };
      }
    });
  }

  async releaseIdempotencyKey(projectId: string, key: string): Promise<void> {
    await this.#pool.query("DELETE FROM idempotency WHERE project_id = $1 AND key = $2", [projectId, key]);
  }

  async completeIdempotencyKey(projectId: string, key: string, response: IdempotentResponse): Promise<void> {
    await this.#pool.query("UPDATE idempotency SET response = $1 WHERE project_id = $2 AND key = $3", [
      JSON.stringify(response),
      projectId,
      key,
    ]);
  }

  async findApiKey(keyHash: string): Promise<{ key_id: string; project_id: string } | null> {
    const { rows } = await this.#pool.query<{ key_id: string; project_id: string }>(
      "SELECT id AS key_id, project_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
      [keyHash],
    );
    return rows[0] ?? null;
  }

  async createApiKey(projectId: string, keyId: string, keyHash: string, name: string, prefix?: string): Promise<void> {
    await this.#pool.query(
      "INSERT INTO api_keys (id, project_id, key_hash, name, created_at, prefix) VALUES ($1, $2, $3, $4, $5, $6)",
      [keyId, projectId, keyHash, name, new Date().toISOString(), prefix ?? null],
    );
  }

  async countApiKeys(): Promise<number> {
    const { rows } = await this.#pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM api_keys");
    return Number(rows[0]?.n ?? 0);
  }

  async ping(): Promise<void> {
    await this.#pool.query("SELECT 1");
  }

  /**
   * Calls `onEvent` with every event other instances commit on this database, in commit order,
   * so a server can publish them to its local bus (its own commits it publishes itself; set
   * `includeOwn` to get those too). One dedicated connection LISTENs; each notification names
   * an event, loaded here (payloads are too small for events). When the connection drops it
   * reconnects with backoff and delivers the events numbered above the last one seen; an event
   * of another project still in flight at that moment can be missed live (see #insertEvent on
   * ordering across projects). Clients resuming with eventsAfter never miss one.
   * Resolves once listening; the returned function stops it.
   */
  async listen(onEvent: (event: StoredEvent) => void, options: ListenOptions = {}): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error("PgStore is closed");
    const includeOwn = options.includeOwn ?? false;
    const report = (error: unknown) => options.onError?.(error);
    let client: pg.Client | null = null;
    let stopped = false;
    let lastSeq = 0;
    let queue: Promise<void> = Promise.resolve();
    let retry: NodeJS.Timeout | undefined;
    let backoff = 100;

    // Recent event numbers delivered or skipped, so the catch-up after a reconnect and the
    // notifications arriving meanwhile never deliver one twice.
    const handled = new Set<number>();
    const mark = (seq: number) => {
      handled.add(seq);
      trim(handled);
      if (seq > lastSeq) lastSeq = seq;
    };
    const deliver = (rows: EventRow[]) => {
      for (const row of rows) {
        const seq = Number(row.seq);
        if (handled.has(seq)) continue;
        mark(seq);
        if (!includeOwn && this.#own.has(seq)) continue;
        try {
          onEvent(toEvent(row));
        } catch (error) {
          report(error);
        }
      }
    };
    const load = async (seq: number) => {
      const { rows } = await this.#pool.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq = $1`, [seq]);
      // No row: an event of another schema on the same database (the channel is database-wide).
      deliver(rows);
    };
    const enqueue = (task: () => Promise<void>) => {
      queue = queue.then(task).catch(report);
    };
    const connect = async (catchUp: boolean): Promise<void> => {
      const next = new pg.Client(this.#config);
      next.on("notification", (message) => {
        if (stopped || message.channel !== CHANNEL || !message.payload) return;
        const [origin, seqText] = message.payload.split(":");
        const seq = Number(seqText);
        if (!Number.isSafeInteger(seq)) return;
        if (origin === this.#instanceId && !includeOwn) {
          mark(seq);
          return;
        }
        enqueue(() => load(seq));
      });
      const lost = () => {
        if (client !== next) return;
        client = null;
        next.end().catch(() => {});
        schedule();
      };
      next.on("error", (error) => {
        report(error);
        lost();
      });
      next.on("end", lost);
      await next.connect();
      try {
        await next.query(`LISTEN ${CHANNEL}`);
      } catch (error) {
        await next.end().catch(() => {});
        throw error;
      }
      if (stopped) {
        await next.end().catch(() => {});
        return;
      }
      client = next;
      backoff = 100;
      if (!catchUp) {
        // Catch-ups start from here: events committed before listen() are not delivered.
        const { rows } = await this.#pool.query<{ max: string | null }>("SELECT max(seq) AS max FROM events");
        lastSeq = Math.max(lastSeq, Number(rows[0]?.max ?? 0));
      } else {
        const from = lastSeq;
        enqueue(async () => {
          const { rows } = await this.#pool.query<EventRow>(
            `SELECT ${EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT 10000`,
            [from],
          );
          deliver(rows);
        });
      }
    };
    const schedule = () => {
      if (stopped || retry !== undefined) return;
      retry = setTimeout(() => {
        retry = undefined;
        connect(true).catch((error: unknown) => {
          report(error);
          backoff = Math.min(backoff * 2, 10_000);
          schedule();
        });
      }, backoff);
    };

    await connect(false);
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      this.#listeners.delete(stop);
      if (retry !== undefined) clearTimeout(retry);
      const current = client;
      client = null;
      await queue;
      if (current) await current.end().catch(() => {});
      if (this.#listeners.size === 0) this.#own.clear();
    };
    this.#listeners.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stop of [...this.#listeners]) await stop();
    await this.#pool.end();
  }

  // API key management (see Store).

  async listApiKeys(projectId?: string): Promise<ApiKeyRecord[]> {
    const { rows } = await this.#pool.query<ApiKeyRow>(
      `SELECT ${API_KEY_COLUMNS} FROM api_keys ${projectId === undefined ? "" : "WHERE project_id = $1"}
       ORDER BY created_at COLLATE "C", id COLLATE "C"`,
      projectId === undefined ? [] : [projectId],
    );
    return rows.map(toApiKeyRecord);
  }

  async revokeApiKey(keyId: string, revokedAt: string): Promise<ApiKeyRecord | null> {
    const { rows } = await this.#pool.query<ApiKeyRow>(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${API_KEY_COLUMNS}`,
      [keyId, revokedAt],
    );
    return rows[0] === undefined ? null : toApiKeyRecord(rows[0]);
  }

  async replaceApiKeyHash(keyId: string, fromHash: string, toHash: string): Promise<void> {
    await this.#pool.query("UPDATE api_keys SET key_hash = $3 WHERE id = $1 AND key_hash = $2", [
      keyId,
      fromHash,
      toHash,
    ]);
  }

  async claimKeySecretFingerprint(fingerprint: string): Promise<string> {
    await this.#pool.query("INSERT INTO key_secret (id, fingerprint) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", [
      fingerprint,
    ]);
    const { rows } = await this.#pool.query<{ fingerprint: string }>("SELECT fingerprint FROM key_secret");
    return rows[0]?.fingerprint ?? fingerprint;
  }

  async replaceKeySecretFingerprint(fingerprint: string, revokedAt: string): Promise<number> {
    return this.#transaction(async (client) => {
      await client.query(
        `INSERT INTO key_secret (id, fingerprint) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint`,
        [fingerprint],
      );
      const revoked = await client.query("UPDATE api_keys SET revoked_at = $1 WHERE revoked_at IS NULL", [revokedAt]);
      return revoked.rowCount ?? 0;
    });
  }
}

const API_KEY_COLUMNS = "id, project_id, name, prefix, created_at, revoked_at, key_hash";

interface ApiKeyRow {
  id: string;
  project_id: string;
  name: string;
  prefix: string | null;
  created_at: string;
  revoked_at: string | null;
  key_hash: string;
}

function toApiKeyRecord({ key_hash, ...row }: ApiKeyRow): ApiKeyRecord {
  return { ...row, keyed: isKeyedHash(key_hash) };
}

/** Keeps a set of recent numbers bounded: drops the oldest half past 10,000 entries. */
function trim(set: Set<number>): void {
  if (set.size <= 10_000) return;
  for (const old of set) {
    set.delete(old);
    if (set.size <= 5_000) break;
  }
}
