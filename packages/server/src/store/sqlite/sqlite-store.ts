// The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a commit that
// returned is on disk. better-sqlite3 is synchronous; each method still returns a promise to
// keep the Store interface shared with PostgreSQL.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Command, HistoryEntry, HistoryState, SequenceDoc } from "../../domain/index.ts";
import { wordOf } from "../../domain/index.ts";
import { eventIdOf, seqOfEventId } from "../event-id.ts";
import {
  type Commit,
  type CommitResult,
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
import { migrations } from "./migrations.ts";

const ABANDONED_CLAIM_MS = 60_000;
const SEQUENCE_COLUMNS = "id, project_id, doc, version, updated_at, undo_count, redo_count";

interface SequenceRow {
  id: string;
  project_id: string;
  doc: string | null;
  version: number;
  updated_at: string;
  undo_count: number;
  redo_count: number;
}

interface HistoryRow {
  seq: number;
  id: string;
  command: string;
  description: string;
  created_at: string;
  undone: number;
}

interface EventRow {
  seq: number;
  project_id: string;
  sequence_id: string;
  sequence_version: number;
  type: StoredEvent["type"];
  data: string;
  occurred_at: string;
}

function toSequence(row: SequenceRow): StoredSequence {
  return {
    id: row.id,
    project_id: row.project_id,
    doc: row.doc === null ? null : (JSON.parse(row.doc) as SequenceDoc),
    version: row.version,
    updated_at: row.updated_at,
    undo_count: row.undo_count,
    redo_count: row.redo_count,
  };
}

function toEntry(row: HistoryRow): HistoryEntry & { seq: number } {
  return {
    seq: row.seq,
    id: row.id,
    command: JSON.parse(row.command) as Command,
    description: row.description,
    created_at: row.created_at,
    undone: row.undone === 1,
  };
}

function toEvent(row: EventRow): StoredEvent {
  return {
    id: eventIdOf(row.seq),
    project_id: row.project_id,
    sequence_id: row.sequence_id,
    sequence_version: row.sequence_version,
    type: row.type,
    occurred_at: row.occurred_at,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

/** `sqlite:./data/tka.db` or `sqlite::memory:` -> a file path for better-sqlite3. */
export function sqlitePathOf(url: string): string {
  const path = url.replace(/^sqlite:(\/\/)?/, "");
  if (path === "") throw new Error(`DATABASE_URL ${url} names no file`);
  return path;
}

export class SqliteStore implements Store {
  readonly engine = "sqlite" as const;
  readonly #db: Database.Database;
  readonly #statements;
  readonly #pending: { commit: Commit; resolve: (r: CommitResult) => void; reject: (e: unknown) => void }[] = [];

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    this.#db.pragma("foreign_keys = ON");
    this.#db.pragma("busy_timeout = 5000");
    this.#migrate();
    const db = this.#db;
    this.#statements = {
      getSequence: db.prepare<[string, string], SequenceRow>(
        `SELECT ${SEQUENCE_COLUMNS} FROM sequences WHERE id = ? AND project_id = ?`,
      ),
      versionOf: db.prepare<[string], { version: number }>("SELECT version FROM sequences WHERE id = ?"),
      insertSequence: db.prepare(
        `INSERT INTO sequences (id, project_id, doc, version, created_at, updated_at, name, word, length)
         VALUES (@id, @project_id, @doc, @version, @created_at, @updated_at, @name, @word, @length)`,
      ),
      updateSequence: db.prepare(
        `UPDATE sequences SET doc = @doc, version = @version, updated_at = @updated_at,
           name = @name, word = @word, length = @length
         WHERE id = @id AND version = @expected_version`,
      ),
      lastApplied: db.prepare<[string], HistoryRow>(
        "SELECT * FROM history WHERE sequence_id = ? AND undone = 0 ORDER BY seq DESC LIMIT 2",
      ),
      firstUndone: db.prepare<[string], HistoryRow>(
        "SELECT * FROM history WHERE sequence_id = ? AND undone = 1 ORDER BY seq ASC LIMIT 2",
      ),
      lastAppliedDescription: db.prepare<[string], { description: string }>(
        "SELECT description FROM history WHERE sequence_id = ? AND undone = 0 ORDER BY seq DESC LIMIT 1",
      ),
      firstUndoneDescription: db.prepare<[string], { description: string }>(
        "SELECT description FROM history WHERE sequence_id = ? AND undone = 1 ORDER BY seq ASC LIMIT 1",
      ),
      counts: db.prepare<[string], { applied: number; undone: number }>(
        "SELECT undo_count AS applied, redo_count AS undone FROM sequences WHERE id = ?",
      ),
      setCounts: db.prepare("UPDATE sequences SET undo_count = ?, redo_count = ? WHERE id = ?"),
      dropUndone: db.prepare("DELETE FROM history WHERE sequence_id = ? AND undone = 1"),
      insertEntry: db.prepare(
        `INSERT INTO history (id, sequence_id, command, description, created_at, undone)
         VALUES (@id, @sequence_id, @command, @description, @created_at, 0)`,
      ),
      dropOldest: db.prepare(
        "DELETE FROM history WHERE seq = (SELECT seq FROM history WHERE sequence_id = ? ORDER BY seq ASC LIMIT 1)",
      ),
      setUndone: db.prepare("UPDATE history SET undone = ? WHERE id = ? AND sequence_id = ?"),
      insertEvent: db.prepare(
        `INSERT INTO events (project_id, sequence_id, sequence_version, type, data, occurred_at)
         VALUES (@project_id, @sequence_id, @sequence_version, @type, @data, @occurred_at)`,
      ),
      eventsAfter: db.prepare<[string, number, number], EventRow>(
        "SELECT * FROM events WHERE project_id = ? AND seq > ? ORDER BY seq LIMIT ?",
      ),
      historyPage: db.prepare<[string, number, number], HistoryRow>(
        "SELECT * FROM history WHERE sequence_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
      ),
      getIdempotency: db.prepare<
        [string, string],
        { fingerprint: string; response: string | null; expires_at: number; created_at: number }
      >("SELECT fingerprint, response, expires_at, created_at FROM idempotency WHERE project_id = ? AND key = ?"),
      upsertIdempotency: db.prepare(
        `INSERT INTO idempotency (project_id, key, fingerprint, response, created_at, expires_at)
         VALUES (@project_id, @key, @fingerprint, NULL, @now, @expires_at)
         ON CONFLICT (project_id, key) DO UPDATE SET fingerprint = excluded.fingerprint, response = NULL,
           created_at = excluded.created_at, expires_at = excluded.expires_at`,
      ),
      completeIdempotency: db.prepare("UPDATE idempotency SET response = ? WHERE project_id = ? AND key = ?"),
      deleteIdempotency: db.prepare("DELETE FROM idempotency WHERE project_id = ? AND key = ?"),
      findApiKey: db.prepare<[string], { key_id: string; project_id: string }>(
        "SELECT id AS key_id, project_id FROM api_keys WHERE key_hash = ?",
      ),
      insertApiKey: db.prepare(
        "INSERT INTO api_keys (id, project_id, key_hash, name, created_at) VALUES (?, ?, ?, ?, ?)",
      ),
      countApiKeys: db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM api_keys"),
    };
  }

  #migrate(): void {
    this.#db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    );
    const applied = new Set(
      this.#db
        .prepare<[], { version: number }>("SELECT version FROM schema_migrations")
        .all()
        .map((r) => r.version),
    );
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      this.#db.transaction(() => {
        this.#db.exec(migration.sql);
        this.#db
          .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
          .run(migration.version, migration.name, new Date().toISOString());
      })();
    }
  }

  async getSequence(projectId: string, sequenceId: string): Promise<StoredSequence | null> {
    const row = this.#statements.getSequence.get(sequenceId, projectId);
    return row === undefined ? null : toSequence(row);
  }

  /** What clients see of the history; reads descriptions only, never the stored commands. */
  #historyState(sequenceId: string): HistoryState {
    const s = this.#statements;
    const undo = s.lastAppliedDescription.get(sequenceId)?.description ?? null;
    const redo = s.firstUndoneDescription.get(sequenceId)?.description ?? null;
    const counts = s.counts.get(sequenceId) ?? { applied: 0, undone: 0 };
    return {
      can_undo: undo !== null,
      can_redo: redo !== null,
      undo_description: undo,
      redo_description: redo,
      undo_count: counts.applied,
      redo_count: counts.undone,
    };
  }

  #historyHead(sequenceId: string): HistoryHead {
    const s = this.#statements;
    const [undo, beforeUndo] = s.lastApplied.all(sequenceId);
    const [redo, afterRedo] = s.firstUndone.all(sequenceId);
    return {
      next_undo: undo ? toEntry(undo) : null,
      next_redo: redo ? toEntry(redo) : null,
      undo_after_undo: beforeUndo?.description ?? null,
      redo_after_redo: afterRedo?.description ?? null,
      state: this.#historyState(sequenceId),
    };
  }

  async historyState(sequenceId: string): Promise<HistoryState> {
    return this.#historyState(sequenceId);
  }

  async historyHead(sequenceId: string): Promise<HistoryHead> {
    return this.#historyHead(sequenceId);
  }

  async listSequences(projectId: string, filter: ListFilter, page: PageRequest): Promise<Page<StoredSequence>> {
    const where = ["project_id = @project_id", "doc IS NOT NULL"];
    const params: Record<string, unknown> = { project_id: projectId, limit: page.limit + 1 };
    if (filter.name_contains !== undefined) {
      where.push("instr(lower(name), lower(@name_contains)) > 0");
      params.name_contains = filter.name_contains;
    }
    if (filter.word !== undefined) {
      where.push("word = upper(@word)");
      params.word = filter.word;
    }
    if (filter.min_length !== undefined) {
      where.push("length >= @min_length");
      params.min_length = filter.min_length;
    }
    if (filter.max_length !== undefined) {
      where.push("length <= @max_length");
      params.max_length = filter.max_length;
    }
    if (filter.updated_since !== undefined) {
      where.push("updated_at >= @updated_since");
      params.updated_since = filter.updated_since;
    }
    if (page.after !== undefined) {
      where.push("(created_at < @after_created_at OR (created_at = @after_created_at AND id < @after_id))");
      params.after_created_at = page.after.created_at;
      params.after_id = page.after.id;
    }
    const rows = this.#db
      .prepare<Record<string, unknown>, SequenceRow>(
        `SELECT ${SEQUENCE_COLUMNS} FROM sequences WHERE ${where.join(" AND ")}
         ORDER BY created_at DESC, id DESC LIMIT @limit`,
      )
      .all(params);
    return { items: rows.slice(0, page.limit).map(toSequence), has_more: rows.length > page.limit };
  }

  async listHistory(
    sequenceId: string,
    page: { limit: number; before?: number },
  ): Promise<Page<HistoryEntry & { seq: number }>> {
    const rows = this.#statements.historyPage.all(sequenceId, page.before ?? Number.MAX_SAFE_INTEGER, page.limit + 1);
    return { items: rows.slice(0, page.limit).map(toEntry), has_more: rows.length > page.limit };
  }

  /**
   * Group commit: commits that arrive while the event loop is busy are written in one
   * transaction, so they share one fsync; each has its own savepoint, so one failing commit
   * (a lost version race) does not undo the others. Every promise settles only after the
   * transaction is durable.
   */
  commit(commit: Commit): Promise<CommitResult> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ commit, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const batch = this.#pending.splice(0);
    const outcomes: ({ ok: true; result: CommitResult } | { ok: false; error: unknown })[] = [];
    try {
      this.#db
        .transaction(() => {
          for (const { commit } of batch) {
            this.#db.exec("SAVEPOINT tka_commit");
            try {
              outcomes.push({ ok: true, result: this.#commitOne(commit) });
              this.#db.exec("RELEASE tka_commit");
            } catch (error) {
              this.#db.exec("ROLLBACK TO tka_commit");
              this.#db.exec("RELEASE tka_commit");
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) item.resolve(outcome.result);
      else item.reject(outcome?.error);
    });
  }

  #commitOne(commit: Commit): CommitResult {
    const s = this.#statements;
    const current = s.versionOf.get(commit.sequence_id)?.version ?? 0;
    if (current !== commit.expected_version) throw new VersionConflictError(commit.sequence_id);
    const doc = commit.doc;
    const row = {
      id: commit.sequence_id,
      project_id: commit.project_id,
      doc: doc === null ? null : JSON.stringify(doc),
      version: commit.version,
      updated_at: commit.updated_at,
      created_at: doc?.created_at ?? commit.updated_at,
      name: doc?.name ?? "",
      word: doc ? wordOf(doc.beats) : "",
      length: doc?.beats.length ?? 0,
      expected_version: commit.expected_version,
    };
    if (commit.expected_version === 0) {
      const { expected_version: _, ...insert } = row;
      s.insertSequence.run(insert);
    } else if (s.updateSequence.run(row).changes !== 1) {
      throw new VersionConflictError(commit.sequence_id);
    }
    // History bookkeeping with counters kept on the sequence row, so undo and redo cost the
    // same with 10 entries or 10,000 (no scan of the history).
    const counts = s.counts.get(commit.sequence_id) ?? { applied: 0, undone: 0 };
    const history = commit.history;
    if (history.kind === "append") {
      if (counts.undone > 0) s.dropUndone.run(commit.sequence_id);
      s.insertEntry.run({
        id: history.entry.id,
        sequence_id: commit.sequence_id,
        command: JSON.stringify(history.entry.command),
        description: history.entry.description,
        created_at: history.entry.created_at,
      });
      let applied = counts.applied + 1;
      for (; applied > history.limit; applied--) s.dropOldest.run(commit.sequence_id);
      s.setCounts.run(applied, 0, commit.sequence_id);
    } else {
      s.setUndone.run(history.undone ? 1 : 0, history.entry_id, commit.sequence_id);
      const delta = history.undone ? 1 : -1;
      s.setCounts.run(counts.applied - delta, counts.undone + delta, commit.sequence_id);
    }
    const { change } = commit;
    const eventRow = {
      project_id: commit.project_id,
      sequence_id: commit.sequence_id,
      sequence_version: commit.version,
      type: change.type,
      data: JSON.stringify(change.data),
      occurred_at: commit.updated_at,
    };
    const seq = Number(s.insertEvent.run(eventRow).lastInsertRowid);
    if (commit.idempotency) {
      const { project_id, key, response } = commit.idempotency;
      s.completeIdempotency.run(JSON.stringify(response), project_id, key);
    }
    return { event: { ...eventRow, id: eventIdOf(seq), data: change.data } };
  }

  async eventsAfter(projectId: string, afterId: string | null, limit: number): Promise<StoredEvent[]> {
    const after = afterId === null ? 0 : seqOfEventId(afterId);
    return this.#statements.eventsAfter.all(projectId, after ?? 0, limit).map(toEvent);
  }

  async claimIdempotencyKey(claim: IdempotencyClaim, ttlMs: number): Promise<IdempotencyLookup> {
    return this.#db
      .transaction((): IdempotencyLookup => {
        const now = Date.now();
        const row = this.#statements.getIdempotency.get(claim.project_id, claim.key);
        if (row !== undefined && row.expires_at > now) {
          if (row.fingerprint !== claim.fingerprint) return { state: "mismatch" };
          if (row.response !== null) return { state: "done", response: JSON.parse(row.response) as IdempotentResponse };
          // A claim whose request never finished (the process died) is abandoned after a minute.
          if (now - row.created_at < ABANDONED_CLAIM_MS) return { state: "in_progress" };
        }
        this.#statements.upsertIdempotency.run({ ...claim, now, expires_at: now + ttlMs });
        return { state: "new" };
      })
      .immediate();
  }

  async releaseIdempotencyKey(projectId: string, key: string): Promise<void> {
    this.#statements.deleteIdempotency.run(projectId, key);
  }

  async completeIdempotencyKey(projectId: string, key: string, response: IdempotentResponse): Promise<void> {
    this.#statements.completeIdempotency.run(JSON.stringify(response), projectId, key);
  }

  async findApiKey(keyHash: string): Promise<{ key_id: string; project_id: string } | null> {
    return this.#statements.findApiKey.get(keyHash) ?? null;
  }

  async createApiKey(projectId: string, keyId: string, keyHash: string, name: string): Promise<void> {
    this.#statements.insertApiKey.run(keyId, projectId, keyHash, name, new Date().toISOString());
  }

  async countApiKeys(): Promise<number> {
    return this.#statements.countApiKeys.get()?.n ?? 0;
  }

  async ping(): Promise<void> {
    this.#db.prepare("SELECT 1").get();
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
