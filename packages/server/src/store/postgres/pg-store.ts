// The shared store: PostgreSQL through a connection pool, so several server instances can run
// against one database. Same semantics as the SQLite store (../sqlite/sqlite-store.ts), which
// the contract suite (../store.contract.test.ts) checks on both.
//
// Concurrency, in short:
// - commit: one READ COMMITTED transaction. An existing sequence's row is locked with
//   SELECT ... FOR UPDATE and its version compared with expected_version; a new sequence is an
//   INSERT ... ON CONFLICT DO NOTHING, and "nothing inserted" means another writer created it.
//   Either way a lost race is a VersionConflictError (the service reloads and retries).
// - events: see `#insertEvent` for positions and why ids follow commit order within a project.
// - idempotency claims: INSERT ... ON CONFLICT DO NOTHING, else the existing row under FOR UPDATE.
// - migrations: under a session advisory lock, so instances starting together apply each once.
// - cross-instance events: NOTIFY in the commit transaction, LISTEN in listen.ts (wake-ups).
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Command, HistoryEntry, HistoryState, SequenceDoc } from "../../domain/index.ts";
import { wordOf } from "../../domain/index.ts";
import { checkEventsFrom, eventIdOf, seqOfEventId } from "../event-id.ts";
import {
  type Commit,
  type CommitResult,
  type EventPruning,
  EventsPrunedError,
  type HistoryHead,
  type IdempotencyClaim,
  type IdempotencyLookup,
  type IdempotentResponse,
  type ListFilter,
  type Page,
  type PageRequest,
  type Store,
  type StoredEvent,
  type StoredSequence,
  VersionConflictError,
} from "../types.ts";
import { type CommitListener, channelOf, listenForCommits } from "./listen.ts";
import { migrations } from "./migrations.ts";

const ABANDONED_CLAIM_MS = 60_000;
/** Key of the session advisory lock held while migrating (any constant unique to this app). */
const MIGRATION_LOCK = 7_351_946_021;
/** Events deleted per transaction while pruning. */
const PRUNE_CHUNK = 1000;

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
  position: string | number;
  project_id: string;
  sequence_id: string;
  sequence_version: number;
  type: StoredEvent["type"];
  data: Record<string, unknown>;
  occurred_at: string;
}

const SEQUENCE_COLUMNS = "id, project_id, doc, version, updated_at, undo_count, redo_count";
const EVENT_COLUMNS = "seq, position, project_id, sequence_id, sequence_version, type, data, occurred_at";

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
    position: Number(row.position),
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

export class PgStore implements Store {
  readonly engine = "postgresql" as const;
  readonly #pool: pg.Pool;
  readonly #config: pg.ClientConfig;
  /** Names this instance in its notifications (for diagnostics). */
  readonly #instanceId = randomUUID();
  /** The NOTIFY channel of this store's schema (see listen.ts). */
  #channel = "";
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
      const { rows } = await store.#pool.query<{ schema: string | null }>("SELECT current_schema() AS schema");
      store.#channel = channelOf(rows[0]?.schema ?? "");
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
      return { event };
    });
  }

  /**
   * Takes the project's next position, inserts the event, and queues its NOTIFY (delivered at
   * commit, in commit order).
   *
   * The position comes from the project's counter row (event_positions), incremented with
   * INSERT ... ON CONFLICT DO UPDATE: the row stays locked until this transaction commits or
   * rolls back, so a project's commits take their positions one after the other, in commit
   * order, and a rolled-back commit leaves no gap. The event's global number (its id,
   * `evt_<n>` from events_seq_seq) is taken after that lock, so within a project ids follow
   * commit order too and eventsAfter(project, last id) never skips an event. Across projects
   * ids may commit out of order, which no reader observes: every read is per project.
   * The counter is taken last, so it covers only the event insert, the idempotency update and
   * the commit itself; other projects are not affected. The order is deadlock-free: a commit
   * takes the sequence row lock, then the project's counter, and nothing waits for a sequence
   * row while holding a counter.
   */
  async #insertEvent(client: pg.PoolClient, event: Omit<EventRow, "seq" | "position">): Promise<StoredEvent> {
    const { rows } = await client.query<{ seq: string; position: string }>(
      `WITH p AS (
         INSERT INTO event_positions (project_id, last_position) VALUES ($1, 1)
         ON CONFLICT (project_id) DO UPDATE SET last_position = event_positions.last_position + 1
         RETURNING last_position
       ), e AS (
         INSERT INTO events (project_id, sequence_id, sequence_version, type, data, occurred_at, position)
         SELECT $1, $2, $3, $4, $5, $6, last_position FROM p RETURNING seq, position
       )
       SELECT seq, position, pg_notify($7, $8 || ':' || seq || ':' || position || ':' || $1) FROM e`,
      [
        event.project_id,
        event.sequence_id,
        event.sequence_version,
        event.type,
        JSON.stringify(event.data),
        event.occurred_at,
        this.#channel,
        this.#instanceId,
      ],
    );
    const row = rows[0];
    if (row === undefined) throw new Error("INSERT INTO events returned no row");
    return toEvent({ ...event, seq: row.seq, position: row.position });
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

  async eventsFrom(projectId: string, afterPosition: number, limit: number): Promise<StoredEvent[]> {
    checkEventsFrom(afterPosition, limit);
    // One statement, so the events and the counter come from one snapshot.
    const { rows } = await this.#pool.query<Partial<EventRow> & { last: string }>(
      `SELECT c.last, e.* FROM
         (SELECT COALESCE((SELECT last_position FROM event_positions WHERE project_id = $1), 0) AS last) c
       LEFT JOIN LATERAL
         (SELECT ${EVENT_COLUMNS} FROM events WHERE project_id = $1 AND position > $2 ORDER BY position LIMIT $3) e
       ON true`,
      [projectId, afterPosition, limit],
    );
    const last = Number(rows[0]?.last ?? 0);
    const events = rows.flatMap((row) => (row.seq === null || row.seq === undefined ? [] : [toEvent(row as EventRow)]));
    // Positions are gapless and pruning removes a prefix, so a missing one was pruned.
    const first = events[0]?.position ?? last + 1;
    if (first !== afterPosition + 1 && afterPosition < last) throw new EventsPrunedError(null, afterPosition);
    return events;
  }

  async lastEventPosition(projectId: string): Promise<number> {
    const { rows } = await this.#pool.query<{ last_position: string }>(
      "SELECT last_position FROM event_positions WHERE project_id = $1",
      [projectId],
    );
    return Number(rows[0]?.last_position ?? 0);
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
      "SELECT id AS key_id, project_id FROM api_keys WHERE key_hash = $1",
      [keyHash],
    );
    return rows[0] ?? null;
  }

  async createApiKey(projectId: string, keyId: string, keyHash: string, name: string): Promise<void> {
    await this.#pool.query(
      "INSERT INTO api_keys (id, project_id, key_hash, name, created_at) VALUES ($1, $2, $3, $4, $5)",
      [keyId, projectId, keyHash, name, new Date().toISOString()],
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
   * Wake-ups for every commit on this database's schema, by any instance (this one included):
   * `onCommitted(project, position)` per commit, in commit order; `onResync()` after the
   * listening connection was lost and re-established (read what you follow with eventsFrom).
   * Resolves once listening; the returned function stops it (close() stops all).
   */
  async listen(listener: CommitListener): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error("PgStore is closed");
    const stopListening = await listenForCommits(this.#config, this.#channel, listener);
    const stop = async () => {
      this.#listeners.delete(stop);
      await stopListening();
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
}
