// The shared store: PostgreSQL through a connection pool, so several server instances can run
// against one database. Same semantics as the SQLite store (../sqlite/sqlite-store.ts), which
// the contract suites (../*.contract.test.ts) check on both. By concern:
// - connection.ts: migrations (under an advisory lock, so instances starting together apply
//   each once) and transactions;
// - commit.ts + group-commit.ts: mutations, written in batches by one call of a function
//   (tka_commit_batch): one round trip and one WAL flush per batch, each commit in its own
//   subtransaction, positions taken per project in commit order;
// - events.ts: the event log by id or position, and its pruning;
// - listen.ts: wake-ups for the commits of every instance (LISTEN/NOTIFY);
// - keys.ts: idempotency claims and API keys.
// - sequence-reads.ts: sequence reads of one event-loop turn batched into one query.
// Reads are single statements (one snapshot each); the hot ones are named, so each pooled
// connection parses and plans them once.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { HistoryEntry, HistoryState } from "../../domain/index.ts";
import { storableText } from "../text.ts";
import type {
  ApiKeyRecord,
  Commit,
  CommitResult,
  EventPruning,
  HistoryHead,
  IdempotencyClaim,
  IdempotencyLookup,
  IdempotentResponse,
  ListFilter,
  Page,
  PageRequest,
  Store,
  StoredEvent,
  StoredSequence,
} from "../types.ts";
import { BoundedPool } from "./bounded-client.ts";
import { commitBatch, type EncodedCommit, encodeCommit } from "./commit.ts";
import {
  type BoundedPoolConfig,
  boundedPoolConfig,
  DEFAULT_DATABASE_TIMEOUT_MS,
  isNoAnswer,
  migrate,
} from "./connection.ts";
import * as events from "./events.ts";
import { GroupCommitter } from "./group-commit.ts";
import * as keys from "./keys.ts";
import { type CommitListener, channelOf, listenForCommits } from "./listen.ts";
import { type HistoryRow, SEQUENCE_COLUMNS, type SequenceRow, toEntry, toSequence } from "./rows.ts";
import { SequenceReader } from "./sequence-reads.ts";

/**
 * Commits per batch at most: each is a subtransaction, and past 64 in one transaction
 * PostgreSQL's snapshots overflow their subtransaction cache (slower for every session).
 */
const MAX_BATCH = 48;
/**
 * Characters of JSON per batch at most (about 4 MB): 48 documents at the 1 MB body limit would
 * otherwise make one 48 MB statement, parsed and executed while every later commit waits.
 */
const MAX_BATCH_CHARS = 4 * 1024 * 1024;

export interface PgStoreOptions {
  /** Pool size (10). */
  max?: number;
  /**
   * The longest wait for one round trip, in ms (5,000): statements, connections, a free pooled
   * connection (see connection.ts, boundedPoolConfig).
   */
  timeoutMs?: number;
  /** Errors of idle pooled connections (the pool replaces them); ignored when absent. */
  onError?: (error: Error) => void;
}

export class PgStore implements Store {
  readonly engine = "postgresql" as const;
  readonly #pool: pg.Pool;
  readonly #config: BoundedPoolConfig;
  /** Names this instance in its notifications (for diagnostics). */
  readonly #instanceId = randomUUID();
  /** The NOTIFY channel of this store's schema (see listen.ts). */
  #channel = "";
  readonly #committer: GroupCommitter<EncodedCommit, CommitResult>;
  readonly #reader: SequenceReader;
  /** Answers this instance's commits stored with their idempotency key (see completeIdempotencyKey). */
  readonly #answered = new keys.StoredAnswers();
  readonly #listeners = new Set<() => Promise<void>>();
  #closed = false;
  /** How often a listening connection is checked: twice the round-trip bound. */
  readonly #listenCheckMs: number;

  private constructor(config: BoundedPoolConfig) {
    this.#config = config;
    this.#listenCheckMs = 2 * (config.statement_timeout || DEFAULT_DATABASE_TIMEOUT_MS);
    this.#pool = new BoundedPool(config);
    this.#committer = new GroupCommitter((batch) => commitBatch(this.#pool, batch, this.#channel, this.#instanceId), {
      maxBatch: MAX_BATCH,
      maxBatchBytes: MAX_BATCH_CHARS,
      sizeOf: (commit) => commit.size,
      // Commits queued behind a batch that got no answer would each wait out the timeout again.
      failsWaiting: isNoAnswer,
    });
    this.#reader = new SequenceReader(this.#pool);
  }

  /** Opens a pool on `postgres://...` and applies the pending migrations. */
  static async connect(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    const config = boundedPoolConfig(url, options.timeoutMs ?? DEFAULT_DATABASE_TIMEOUT_MS, options.max ?? 10);
    const store = new PgStore(config);
    store.#pool.on("error", (error) => options.onError?.(error));
    try {
      await migrate(config);
      const { rows } = await store.#pool.query<{ schema: string | null }>("SELECT current_schema() AS schema");
      store.#channel = channelOf(rows[0]?.schema ?? "");
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** Batched with the other reads of this turn of the event loop (sequence-reads.ts). */
  getSequence(projectId: string, sequenceId: string): Promise<StoredSequence | null> {
    return this.#reader.get(projectId, sequenceId);
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
      [storableText(sequenceId)],
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
      [storableText(sequenceId)],
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
    if (filter.name_contains !== undefined)
      where.push(`strpos(lower(name), lower(${p(storableText(filter.name_contains))})) > 0`);
    if (filter.word !== undefined) where.push(`word = upper(${p(storableText(filter.word))})`);
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
      [storableText(sequenceId), page.before ?? Number.MAX_SAFE_INTEGER, page.limit + 1],
    );
    return { items: rows.slice(0, page.limit).map(toEntry), has_more: rows.length > page.limit };
  }

  /** Resolves once durable (committed with its batch); VersionConflictError on a lost race. */
  async commit(commit: Commit): Promise<CommitResult> {
    if (this.#closed) throw new Error("PgStore is closed");
    const encoded = encodeCommit(commit);
    const result = await this.#committer.commit(encoded);
    const idempotency = commit.idempotency;
    if (idempotency) this.#answered.remember(idempotency.project_id, idempotency.key, encoded.response);
    return result;
  }

  eventsAfter(projectId: string, afterId: string | null, limit: number): Promise<StoredEvent[]> {
    return events.eventsAfter(this.#pool, projectId, afterId, limit);
  }

  eventsFrom(projectId: string, afterPosition: number, limit: number): Promise<StoredEvent[]> {
    return events.eventsFrom(this.#pool, projectId, afterPosition, limit);
  }

  lastEventPosition(projectId: string): Promise<number> {
    return events.lastEventPosition(this.#pool, projectId);
  }

  pruneEvents(pruning: EventPruning): Promise<number> {
    return events.pruneEvents(this.#pool, pruning);
  }

  claimIdempotencyKey(claim: IdempotencyClaim, ttlMs: number): Promise<IdempotencyLookup> {
    return keys.claimIdempotencyKey(this.#pool, claim, ttlMs);
  }

  releaseIdempotencyKey(projectId: string, key: string): Promise<void> {
    this.#answered.take(projectId, key);
    return keys.releaseIdempotencyKey(this.#pool, projectId, key);
  }

  /** No round trip when this instance's commit of the request stored this very answer already. */
  async completeIdempotencyKey(projectId: string, key: string, response: IdempotentResponse): Promise<void> {
    const text = JSON.stringify(response);
    if (this.#answered.take(projectId, key) === text) return;
    await keys.completeIdempotencyKey(this.#pool, projectId, text, key);
  }

  findApiKey(keyHash: string): Promise<{ key_id: string; project_id: string } | null> {
    return keys.findApiKey(this.#pool, keyHash);
  }

  createApiKey(projectId: string, keyId: string, keyHash: string, name: string, prefix?: string): Promise<void> {
    return keys.createApiKey(this.#pool, projectId, keyId, keyHash, name, prefix);
  }

  countApiKeys(): Promise<number> {
    return keys.countApiKeys(this.#pool);
  }

  listApiKeys(projectId?: string): Promise<ApiKeyRecord[]> {
    return keys.listApiKeys(this.#pool, projectId);
  }

  revokeApiKey(keyId: string, revokedAt: string): Promise<ApiKeyRecord | null> {
    return keys.revokeApiKey(this.#pool, keyId, revokedAt);
  }

  replaceApiKeyHash(keyId: string, fromHash: string, toHash: string): Promise<void> {
    return keys.replaceApiKeyHash(this.#pool, keyId, fromHash, toHash);
  }

  claimKeySecretFingerprint(fingerprint: string): Promise<string> {
    return keys.claimKeySecretFingerprint(this.#pool, fingerprint);
  }

  replaceKeySecretFingerprint(fingerprint: string, revokedAt: string): Promise<number> {
    return keys.replaceKeySecretFingerprint(this.#pool, fingerprint, revokedAt);
  }

  async ping(): Promise<void> {
    await this.#pool.query("SELECT 1");
  }

  /**
   * Wake-ups for every commit on this database's schema, by any instance (this one included):
   * `onCommitted(project, position)` per commit, per project in commit order; `onResync()` after
   * the listening connection was lost and re-established (read what you follow with eventsFrom).
   * Resolves once listening; the returned function stops it (close() stops all).
   */
  async listen(listener: CommitListener): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error("PgStore is closed");
    const stopListening = await listenForCommits(this.#config, this.#channel, listener, this.#listenCheckMs);
    const stop = async () => {
      this.#listeners.delete(stop);
      await stopListening();
    };
    this.#listeners.add(stop);
    return stop;
  }

  /** Waits for the commits asked for so far, then closes the listeners and the pool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#committer.drain();
    for (const stop of [...this.#listeners]) await stop();
    await this.#pool.end();
  }
}
