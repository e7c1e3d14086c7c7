// The persistence boundary. The service reads state, lets the domain decide, then hands the
// whole outcome to `commit`, which writes it atomically or not at all. A commit is plain data
// (nothing for the store to call back), so a store may write it on another thread. Every method
// is async so a PostgreSQL store fits the same interface as the embedded SQLite one.
import type { Change, HistoryEntry, HistoryState, SequenceDoc } from "../domain/index.ts";

export interface StoredSequence {
  id: string;
  project_id: string;
  /** `null` while deleted. */
  doc: SequenceDoc | null;
  version: number;
  updated_at: string;
  /** The history counters at `version` (HistoryState's undo_count and redo_count). */
  undo_count: number;
  redo_count: number;
}

/** The history entries undo and redo would act on, and the state clients see. */
export interface HistoryHead {
  next_undo: HistoryEntry | null;
  next_redo: HistoryEntry | null;
  /** The description of the applied entry before next_undo: what undo offers once it is undone. */
  undo_after_undo: string | null;
  /** The description of the undone entry after next_redo: what redo offers once it is redone. */
  redo_after_redo: string | null;
  state: HistoryState;
}

export interface StoredEvent {
  /** `evt_<global number>`: unique across projects (see event-id.ts). */
  id: string;
  project_id: string;
  /**
   * The event's place in its project's stream: 1, 2, 3, ... with no gap, assigned inside the
   * committing transaction, in commit order. Kept apart from the events, so pruning never
   * restarts it.
   */
  position: number;
  sequence_id: string;
  sequence_version: number;
  type: Change["type"];
  occurred_at: string;
  data: Record<string, unknown>;
}

/** A stored answer to an idempotent request, replayed for retries with the same key. */
export interface IdempotentResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyClaim {
  project_id: string;
  key: string;
  /** A hash of method, path and body: the same key with another request is refused. */
  fingerprint: string;
}

/** Everything one mutation writes. */
export interface Commit {
  project_id: string;
  sequence_id: string;
  /** The version read before deciding (0 for a new sequence); the commit fails if it moved on. */
  expected_version: number;
  doc: SequenceDoc | null;
  version: number;
  updated_at: string;
  history:
    | { kind: "append"; entry: HistoryEntry; limit: number }
    | { kind: "set_undone"; entry_id: string; undone: boolean };
  /** The event to record (the service built it from the state after the change). */
  change: Change;
  /** The answer to store for an idempotency key, in the same transaction as the change. */
  idempotency?: { project_id: string; key: string; response: IdempotentResponse };
}

export interface CommitResult {
  event: StoredEvent;
}

export interface ListFilter {
  name_contains?: string;
  word?: string;
  min_length?: number;
  max_length?: number;
  updated_since?: string;
}

export interface PageRequest {
  limit: number;
  /** Decoded cursor: the sort key after which to continue. */
  after?: { created_at: string; id: string };
}

export interface Page<T> {
  items: T[];
  has_more: boolean;
}

export type IdempotencyLookup =
  | { state: "new" }
  | { state: "in_progress" }
  | { state: "mismatch" }
  | { state: "done"; response: IdempotentResponse };

/**
 * Which events retention removes, always the oldest first (a prefix in event order), so one
 * number, the highest removed, tells whether a reader resuming after some event missed any.
 */
export interface EventPruning {
  /** Events that occurred before this instant go (ISO 8601, UTC). */
  olderThan: string;
  /** Beyond the newest `count` events, older ones go too, but only those that occurred before `before`. */
  beyondCount?: { count: number; before: string };
}

/**
 * Events after the id (or position) a reader resumes from may have been pruned: the reader must
 * start over from the current state.
 */
export class EventsPrunedError extends Error {
  /** The event id the reader resumed after (eventsAfter), or null (eventsFrom). */
  readonly afterId: string | null;
  /** The position the reader resumed after (eventsFrom), or null (eventsAfter). */
  readonly afterPosition: number | null;

  constructor(afterId: string | null, afterPosition: number | null = null) {
    super(`events after ${afterId ?? `position ${afterPosition}`} are no longer all kept`);
    this.afterId = afterId;
    this.afterPosition = afterPosition;
    this.name = "EventsPrunedError";
  }
}

/** The version in the store differs from `expected_version`: another writer got there first. */
export class VersionConflictError extends Error {
  readonly sequenceId: string;

  constructor(sequenceId: string) {
    super(`sequence ${sequenceId} changed concurrently`);
    this.sequenceId = sequenceId;
    this.name = "VersionConflictError";
  }
}

/** Keyed key hashes (HMAC-SHA-256 with the server's secret) carry this scheme; older ones are bare SHA-256. */
export const KEYED_HASH_SCHEME = "hmac-sha256:";

export function isKeyedHash(hash: string): boolean {
  return hash.startsWith(KEYED_HASH_SCHEME);
}

/** An API key as listed: never the key, never its hash. */
export interface ApiKeyRecord {
  id: string;
  project_id: string;
  name: string;
  /** The key's first characters (null for keys created before prefixes were kept). */
  prefix: string | null;
  created_at: string;
  revoked_at: string | null;
  /** False for a hash from before keyed hashes (a plain SHA-256), rewritten at the key's next use. */
  keyed: boolean;
}

export interface Store {
  readonly engine: "sqlite" | "postgresql";
  getSequence(projectId: string, sequenceId: string): Promise<StoredSequence | null>;
  historyHead(sequenceId: string): Promise<HistoryHead>;
  /** The history state alone (cheaper than historyHead: no stored commands are read). */
  historyState(sequenceId: string): Promise<HistoryState>;
  listSequences(projectId: string, filter: ListFilter, page: PageRequest): Promise<Page<StoredSequence>>;
  listHistory(
    sequenceId: string,
    page: { limit: number; before?: number },
  ): Promise<Page<HistoryEntry & { seq: number }>>;
  commit(commit: Commit): Promise<CommitResult>;
  /**
   * The project's events after `afterId` (from the first kept one when null), in order. Throws
   * EventsPrunedError when `afterId` is at or below what retention removed.
   */
  eventsAfter(projectId: string, afterId: string | null, limit: number): Promise<StoredEvent[]>;
  /**
   * The project's events with position > `afterPosition` (an integer >= 0), in position order, at
   * most `limit`. Throws EventsPrunedError when events in that range were pruned (the first one
   * kept is beyond afterPosition + 1), so a reader never skips an event unknowingly.
   */
  eventsFrom(projectId: string, afterPosition: number, limit: number): Promise<StoredEvent[]>;
  /** The project's newest position; 0 before its first event. Pruning never lowers it. */
  lastEventPosition(projectId: string): Promise<number>;
  /** Removes the events the policy names (in every project); resolves with how many went. */
  pruneEvents(pruning: EventPruning): Promise<number>;
  /** Starts an idempotent request, or tells what happened to an earlier one with the same key. */
  claimIdempotencyKey(claim: IdempotencyClaim, ttlMs: number): Promise<IdempotencyLookup>;
  /** Releases a claim whose request failed without committing (so a retry may run). */
  releaseIdempotencyKey(projectId: string, key: string): Promise<void>;
  /** Stores the answer of a claimed request that committed nothing (for example a 4xx). */
  completeIdempotencyKey(projectId: string, key: string, response: IdempotentResponse): Promise<void>;
  /** The key with this hash, unless it was revoked. */
  findApiKey(keyHash: string): Promise<{ key_id: string; project_id: string } | null>;
  /** `prefix`: the key's first characters, shown in listings and logs (never the whole key). */
  createApiKey(projectId: string, keyId: string, keyHash: string, name: string, prefix?: string): Promise<void>;
  /** Every key ever created, revoked ones included (none: this is the first start). */
  countApiKeys(): Promise<number>;
  /** The keys of one project (or of all), revoked ones included, oldest first. */
  listApiKeys(projectId?: string): Promise<ApiKeyRecord[]>;
  /** Revokes a key (at once, for good); an already revoked one keeps its time. Null: no such key. */
  revokeApiKey(keyId: string, revokedAt: string): Promise<ApiKeyRecord | null>;
  /** Rewrites a key's hash (from a plain SHA-256 to the keyed one), if it still is `fromHash`. */
  replaceApiKeyHash(keyId: string, fromHash: string, toHash: string): Promise<void>;
  /**
   * The fingerprint of the secret the stored key hashes were made with: `fingerprint` is recorded
   * when there is none yet; resolves with the one recorded.
   */
  claimKeySecretFingerprint(fingerprint: string): Promise<string>;
  /** Records a new secret's fingerprint and revokes every key (their hashes no longer verify); resolves with how many. */
  replaceKeySecretFingerprint(fingerprint: string, revokedAt: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The store cannot reach its database (for example the SQLite writer thread died, or the file
 * went away): a fault of the database, never of the request, which the circuit breaker counts.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}
