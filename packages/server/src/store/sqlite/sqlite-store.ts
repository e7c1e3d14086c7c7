// The embedded store: one SQLite file (see database.ts for WAL and synchronous=FULL). Reads run
// here, on the caller's thread (better-sqlite3 is synchronous; each takes microseconds); writes go
// to a writer thread, so a transaction and its fsync never stall the event loop, and a write's
// promise settles once it is durable. An in-memory database, visible only to its own connection,
// is written on this thread instead. Methods return promises to share the Store interface with
// PostgreSQL.
import type Database from "better-sqlite3";
import type { Command, HistoryEntry, HistoryState, SequenceDoc } from "../../domain/index.ts";
import { checkEventsFrom, eventIdOf, seqOfEventId } from "../event-id.ts";
import { storableText } from "../text.ts";
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
} from "../types.ts";
import { commitRows } from "./commit-rows.ts";
import { migrate, openDatabase } from "./database.ts";
import { RowCache } from "./row-cache.ts";
import { ThreadWriter } from "./thread-writer.ts";
import { LocalWriter, type Writer } from "./writer.ts";
import type { EventPlace } from "./writes.ts";

const SEQUENCE_COLUMNS = "id, project_id, doc, version, updated_at, undo_count, redo_count";
/** Sequence rows kept in memory (row-cache.ts): at most this many, and this many document bytes. */
const ROW_CACHE_ENTRIES = 10_000;
const ROW_CACHE_BYTES = 32 * 1024 * 1024;
/** Events deleted per transaction while pruning, so commits wait behind one chunk at most. */
const PRUNE_CHUNK = 1000;

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
  position: number;
  project_id: string;
  sequence_id: string;
  sequence_version: number;
  type: StoredEvent["type"];
  data: string;
  occurred_at: string;
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
    position: row.position,
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
  readonly #writer: Writer;
  readonly #statements;
  /** The rows of the sequences last committed or read (see row-cache.ts). */
  readonly #rows: RowCache | undefined;
  #closed: Promise<void> | undefined;

  /**
   * `options.onlyWriter`: this process makes every write to the file (the server: one process per
   * data directory, as its read cache also assumes), so sequence rows are kept in memory between
   * commits (row-cache.ts). Without it (several stores on one file), every read asks SQLite.
   */
  constructor(path: string, options: { onlyWriter?: boolean } = {}) {
    this.#db = openDatabase(path);
    this.#rows = options.onlyWriter
      ? new RowCache({ maxEntries: ROW_CACHE_ENTRIES, maxBytes: ROW_CACHE_BYTES })
      : undefined;
    migrate(this.#db);
    this.#writer = path === ":memory:" ? new LocalWriter(this.#db) : new ThreadWriter(path);
    const db = this.#db;
    this.#statements = {
      getSequence: db.prepare<[string, string], SequenceRow>(
        `SELECT ${SEQUENCE_COLUMNS} FROM sequences WHERE id = ? AND project_id = ?`,
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
      eventsAfter: db.prepare<[string, number, number], EventRow>(
        "SELECT * FROM events WHERE project_id = ? AND seq > ? ORDER BY seq LIMIT ?",
      ),
      eventsFrom: db.prepare<[string, number, number], EventRow>(
        "SELECT * FROM events WHERE project_id = ? AND position > ? ORDER BY position LIMIT ?",
      ),
      lastPosition: db.prepare<[string], { last_position: number }>(
        "SELECT last_position FROM event_positions WHERE project_id = ?",
      ),
      // Newest first across both halves of the index (applied, undone), each read in order.
      historyPage: db.prepare<{ id: string; before: number; limit: number }, HistoryRow>(
        `SELECT * FROM (SELECT * FROM history WHERE sequence_id = @id AND undone = 1 AND seq < @before
           ORDER BY seq DESC LIMIT @limit)
         UNION ALL
         SELECT * FROM (SELECT * FROM history WHERE sequence_id = @id AND undone = 0 AND seq < @before
           ORDER BY seq DESC LIMIT @limit)
         ORDER BY seq DESC LIMIT @limit`,
      ),
      prunedThrough: db.prepare<[], { pruned_through: number }>("SELECT pruned_through FROM event_retention"),
      findApiKey: db.prepare<[string], { key_id: string; project_id: string }>(
        "SELECT id AS key_id, project_id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
      ),
      countApiKeys: db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM api_keys"),
    };
  }

  async getSequence(projectId: string, sequenceId: string): Promise<StoredSequence | null> {
    const cached = this.#rows?.get(sequenceId);
    if (cached !== undefined) return cached.project_id === projectId ? toSequence(cached) : null;
    const row = this.#statements.getSequence.get(sequenceId, projectId);
    if (row === undefined) return null;
    this.#rows?.set(row);
    return toSequence(row);
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
      params.name_contains = storableText(filter.name_contains);
    }
    if (filter.word !== undefined) {
      where.push("word = upper(@word)");
      params.word = storableText(filter.word);
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
    const rows = this.#statements.historyPage.all({
      id: sequenceId,
      before: page.before ?? Number.MAX_SAFE_INTEGER,
      limit: page.limit + 1,
    });
    return { items: rows.slice(0, page.limit).map(toEntry), has_more: rows.length > page.limit };
  }

  async commit(commit: Commit): Promise<CommitResult> {
    const rows = commitRows(commit);
    let place: EventPlace;
    try {
      place = await this.#writer.commit(rows);
    } catch (error) {
      // Whatever the failure, the next read of this sequence asks SQLite.
      this.#rows?.delete(commit.sequence_id);
      throw error;
    }
    const { seq, position } = place;
    const { id, project_id, doc, version, updated_at } = rows.sequence;
    this.#rows?.set({
      id,
      project_id,
      doc,
      version,
      updated_at,
      undo_count: place.undo_count,
      redo_count: place.redo_count,
    });
    const event: StoredEvent = {
      id: eventIdOf(seq),
      project_id: commit.project_id,
      position,
      sequence_id: commit.sequence_id,
      sequence_version: commit.version,
      type: commit.change.type,
      occurred_at: commit.updated_at,
      data: commit.change.data,
    };
    return { event };
  }

  async eventsAfter(projectId: string, afterId: string | null, limit: number): Promise<StoredEvent[]> {
    const after = (afterId === null ? 0 : seqOfEventId(afterId)) ?? 0;
    const events = this.#statements.eventsAfter.all(projectId, after, limit).map(toEvent);
    // Read after the events: pruning records its cutoff before deleting, so if nothing at or
    // above `after` was pruned by now, nothing was missing when the events were read.
    const pruned = this.#statements.prunedThrough.get()?.pruned_through ?? 0;
    if (afterId !== null && pruned > 0 && after <= pruned) throw new EventsPrunedError(afterId);
    return events;
  }

  async eventsFrom(projectId: string, afterPosition: number, limit: number): Promise<StoredEvent[]> {
    checkEventsFrom(afterPosition, limit);
    const s = this.#statements;
    // One read transaction: the events and the counter from the same snapshot.
    const { rows, last } = this.#db.transaction(() => ({
      rows: s.eventsFrom.all(projectId, afterPosition, limit),
      last: s.lastPosition.get(projectId)?.last_position ?? 0,
    }))();
    // Positions are gapless and pruning removes a prefix, so a missing one was pruned.
    const first = rows[0]?.position ?? last + 1;
    if (first !== afterPosition + 1 && afterPosition < last) throw new EventsPrunedError(null, afterPosition);
    return rows.map(toEvent);
  }

  async lastEventPosition(projectId: string): Promise<number> {
    return this.#statements.lastPosition.get(projectId)?.last_position ?? 0;
  }

  async pruneEvents(pruning: EventPruning): Promise<number> {
    const cutoff = await this.#writer.run({ method: "eventPruneCutoff", args: [pruning] });
    let deleted = 0;
    for (;;) {
      const chunk = await this.#writer.run({ method: "pruneEventsThrough", args: [cutoff, PRUNE_CHUNK] });
      deleted += chunk;
      if (chunk < PRUNE_CHUNK) return deleted;
    }
  }

  claimIdempotencyKey(claim: IdempotencyClaim, ttlMs: number): Promise<IdempotencyLookup> {
    const stored = { ...claim, key: storableText(claim.key) };
    return this.#writer.run({ method: "claimIdempotencyKey", args: [stored, ttlMs, Date.now()] });
  }

  releaseIdempotencyKey(projectId: string, key: string): Promise<void> {
    return this.#writer.run({ method: "releaseIdempotencyKey", args: [projectId, storableText(key)] });
  }

  completeIdempotencyKey(projectId: string, key: string, response: IdempotentResponse): Promise<void> {
    return this.#writer.run({ method: "completeIdempotencyKey", args: [projectId, storableText(key), response] });
  }

  async findApiKey(keyHash: string): Promise<{ key_id: string; project_id: string } | null> {
    return this.#statements.findApiKey.get(keyHash) ?? null;
  }

  createApiKey(projectId: string, keyId: string, keyHash: string, name: string, prefix?: string): Promise<void> {
    return this.#writer.run({
      method: "createApiKey",
      args: [projectId, keyId, keyHash, storableText(name), new Date().toISOString(), prefix ?? null],
    });
  }

  async countApiKeys(): Promise<number> {
    return this.#statements.countApiKeys.get()?.n ?? 0;
  }

  /** Reads from the file, and fails once the writer thread was given up on (no write can work). */
  async ping(): Promise<void> {
    if (this.#writer.failure !== null) throw this.#writer.failure;
    this.#db.prepare("SELECT 1").get();
  }

  async listApiKeys(projectId?: string): Promise<ApiKeyRecord[]> {
    const where = projectId === undefined ? "" : "WHERE project_id = ?";
    const rows = this.#db
      .prepare<string[], ApiKeyRow>(`SELECT ${API_KEY_COLUMNS} FROM api_keys ${where} ORDER BY created_at, id`)
      .all(...(projectId === undefined ? [] : [projectId]));
    return rows.map(toApiKeyRecord);
  }

  async revokeApiKey(keyId: string, revokedAt: string): Promise<ApiKeyRecord | null> {
    await this.#writer.run({ method: "revokeApiKey", args: [keyId, revokedAt] });
    const row = this.#db
      .prepare<[string], ApiKeyRow>(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE id = ?`)
      .get(keyId);
    return row === undefined ? null : toApiKeyRecord(row);
  }

  replaceApiKeyHash(keyId: string, fromHash: string, toHash: string): Promise<void> {
    return this.#writer.run({ method: "replaceApiKeyHash", args: [keyId, fromHash, toHash] });
  }

  claimKeySecretFingerprint(fingerprint: string): Promise<string> {
    return this.#writer.run({ method: "claimKeySecretFingerprint", args: [fingerprint] });
  }

  replaceKeySecretFingerprint(fingerprint: string, revokedAt: string): Promise<number> {
    return this.#writer.run({ method: "replaceKeySecretFingerprint", args: [fingerprint, revokedAt] });
  }

  /** Waits for the writes asked for so far, then closes both connections. */
  close(): Promise<void> {
    this.#closed ??= this.#writer.close().finally(() => this.#db.close());
    return this.#closed;
  }
}
