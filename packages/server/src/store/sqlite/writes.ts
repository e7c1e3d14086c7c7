// Every write of the SQLite store, synchronous, on one connection: the store's writer runs them
// on a thread of its own (writer-thread.ts) or, for an in-memory database, on the caller's.
import type Database from "better-sqlite3";
import {
  type EventPruning,
  type IdempotencyClaim,
  type IdempotencyLookup,
  type IdempotentResponse,
  VersionConflictError,
} from "../types.ts";
import type { CommitRows } from "./commit-rows.ts";

const ABANDONED_CLAIM_MS = 60_000;

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Where a commit's event landed: its global number (the id) and its position in the project;
 * with the sequence's history counters as written (the row's state, for the store's row cache).
 */
export interface EventPlace {
  seq: number;
  position: number;
  undo_count: number;
  redo_count: number;
}

export class SqliteWrites {
  readonly #db: Database.Database;
  readonly #s;
  readonly #batch: (commits: readonly CommitRows[]) => Outcome<EventPlace>[];
  readonly #isolatedBatch: (commits: readonly CommitRows[]) => Outcome<EventPlace>[];

  constructor(db: Database.Database) {
    this.#db = db;
    this.#s = {
      insertSequence: db.prepare(
        `INSERT INTO sequences (id, project_id, doc, version, created_at, updated_at, name, word, length,
           undo_count, redo_count)
         VALUES (@id, @project_id, @doc, @version, @created_at, @updated_at, @name, @word, @length,
           @undo_count, @redo_count)
         ON CONFLICT (id) DO NOTHING`,
      ),
      updateSequence: db.prepare(
        `UPDATE sequences SET doc = @doc, version = @version, updated_at = @updated_at,
           name = @name, word = @word, length = @length, undo_count = @undo_count, redo_count = @redo_count
         WHERE id = @id AND version = @expected_version`,
      ),
      counts: db.prepare<[string], { applied: number; undone: number }>(
        "SELECT undo_count AS applied, redo_count AS undone FROM sequences WHERE id = ?",
      ),
      dropUndone: db.prepare("DELETE FROM history WHERE sequence_id = ? AND undone = 1"),
      insertEntry: db.prepare(
        `INSERT INTO history (id, sequence_id, command, description, created_at, undone)
         VALUES (@id, @sequence_id, @command, @description, @created_at, 0)`,
      ),
      // The oldest entry is an applied one: an append drops the undone entries first.
      dropOldest: db.prepare(
        "DELETE FROM history WHERE seq = (SELECT seq FROM history WHERE sequence_id = ? AND undone = 0 ORDER BY seq LIMIT 1)",
      ),
      setUndone: db.prepare("UPDATE history SET undone = ? WHERE id = ? AND sequence_id = ?"),
      // The project's next position; rolled back with a failing commit's savepoint, so gapless.
      nextPosition: db.prepare<[string], { last_position: number }>(
        `INSERT INTO event_positions (project_id, last_position) VALUES (?, 1)
         ON CONFLICT (project_id) DO UPDATE SET last_position = last_position + 1
         RETURNING last_position`,
      ),
      insertEvent: db.prepare(
        `INSERT INTO events (project_id, sequence_id, sequence_version, type, data, occurred_at, position)
         VALUES (@project_id, @sequence_id, @sequence_version, @type, @data, @occurred_at, @position)`,
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
      firstEventSince: db.prepare<[string], { seq: number }>(
        "SELECT seq FROM events WHERE occurred_at >= ? ORDER BY seq LIMIT 1",
      ),
      lastEvent: db.prepare<[], { seq: number | null }>("SELECT MAX(seq) AS seq FROM events"),
      eventBeyondCount: db.prepare<[number], { seq: number }>(
        "SELECT seq FROM events ORDER BY seq DESC LIMIT 1 OFFSET ?",
      ),
      raisePrunedThrough: db.prepare("UPDATE event_retention SET pruned_through = MAX(pruned_through, ?)"),
      deleteEventsThrough: db.prepare(
        "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq <= ? ORDER BY seq LIMIT ?)",
      ),
      insertApiKey: db.prepare(
        "INSERT INTO api_keys (id, project_id, key_hash, name, created_at, prefix) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      savepoint: db.prepare("SAVEPOINT tka_commit"),
      release: db.prepare("RELEASE tka_commit"),
      rollbackTo: db.prepare("ROLLBACK TO tka_commit"),
    };
    // A lost version race is found by a commit's first statement, before it wrote anything: it
    // needs no savepoint. Any other error inside a commit rolls the whole batch back, which is
    // then written again with a savepoint per commit, so only the failing one fails.
    this.#batch = db.transaction((commits: readonly CommitRows[]) =>
      commits.map((commit): Outcome<EventPlace> => {
        try {
          return { ok: true, value: this.#commitOne(commit) };
        } catch (error) {
          if (error instanceof VersionConflictError) return { ok: false, error };
          throw error;
        }
      }),
    ).immediate;
    this.#isolatedBatch = db.transaction((commits: readonly CommitRows[]) =>
      commits.map((commit) => this.#savepointed(commit)),
    ).immediate;
  }

  /**
   * Writes commits in one transaction, so they share one fsync. A commit that fails does not
   * undo the others (see the constructor). Returns, in order, each commit's event place or error;
   * throws when the transaction itself fails (then none is written).
   */
  commitBatch(commits: readonly CommitRows[]): Outcome<EventPlace>[] {
    try {
      return this.#batch(commits);
    } catch {
      return this.#isolatedBatch(commits);
    }
  }

  #savepointed(commit: CommitRows): Outcome<EventPlace> {
    const s = this.#s;
    s.savepoint.run();
    try {
      const value = this.#commitOne(commit);
      s.release.run();
      return { ok: true, value };
    } catch (error) {
      s.rollbackTo.run();
      s.release.run();
      return { ok: false, error };
    }
  }

  /** Writes one commit; a lost version race throws VersionConflictError before anything is written. */
  #commitOne(commit: CommitRows): EventPlace {
    const s = this.#s;
    const { sequence, history } = commit;
    // History bookkeeping with counters kept on the sequence row, so undo and redo cost the
    // same with 10 entries or 10,000 (no scan of the history). The counters read here are the
    // expected version's (the write below checks it), and are written with the sequence.
    const counts =
      sequence.expected_version === 0
        ? { applied: 0, undone: 0 }
        : (s.counts.get(sequence.id) ?? { applied: 0, undone: 0 });
    let applied: number;
    let undone: number;
    if (history.kind === "append") {
      applied = counts.applied + 1;
      undone = 0;
    } else {
      const delta = history.undone ? 1 : -1;
      applied = counts.applied - delta;
      undone = counts.undone + delta;
    }
    const drops = history.kind === "append" ? Math.max(0, applied - history.limit) : 0;
    const row = { ...sequence, undo_count: applied - drops, redo_count: undone };
    // The version check: the insert of a new sequence or the update of the expected version
    // changes one row, or another writer got there first (and nothing was written).
    let changed: number;
    if (sequence.expected_version === 0) {
      const { expected_version: _, ...insert } = row;
      changed = s.insertSequence.run(insert).changes;
    } else {
      changed = s.updateSequence.run(row).changes;
    }
    if (changed !== 1) throw new VersionConflictError(sequence.id);
    if (history.kind === "append") {
      if (counts.undone > 0) s.dropUndone.run(sequence.id);
      s.insertEntry.run({ ...history.entry, sequence_id: sequence.id });
      for (let i = 0; i < drops; i++) s.dropOldest.run(sequence.id);
    } else {
      s.setUndone.run(history.undone ? 1 : 0, history.entry_id, sequence.id);
    }
    const position = s.nextPosition.get(commit.event.project_id)?.last_position;
    if (position === undefined) throw new Error("no event position returned");
    const seq = Number(s.insertEvent.run({ ...commit.event, position }).lastInsertRowid);
    if (commit.idempotency) {
      const { project_id, key, response } = commit.idempotency;
      s.completeIdempotency.run(response, project_id, key);
    }
    return { seq, position, undo_count: row.undo_count, redo_count: row.redo_count };
  }

  /**
   * The highest event number the pruning removes (0: none): the events before the first one
   * young enough to keep, and, by count, those before the newest `count` that are also older
   * than the count's floor.
   */
  eventPruneCutoff(pruning: EventPruning): number {
    const s = this.#s;
    // Walks from the oldest event, so it costs about the number of events to remove.
    const keptFrom = (since: string) => s.firstEventSince.get(since)?.seq ?? (s.lastEvent.get()?.seq ?? 0) + 1;
    let cutoff = keptFrom(pruning.olderThan) - 1;
    if (pruning.beyondCount) {
      const { count, before } = pruning.beyondCount;
      const beyond = s.eventBeyondCount.get(count)?.seq ?? 0;
      cutoff = Math.max(cutoff, Math.min(beyond, keptFrom(before) - 1));
    }
    return cutoff;
  }

  /**
   * Deletes at most `limit` events numbered up to `cutoff`, oldest first, and records the cutoff
   * as pruned in the same transaction (from then on, resuming at or below it is refused).
   * Returns how many it deleted.
   */
  pruneEventsThrough(cutoff: number, limit: number): number {
    return this.#db
      .transaction((): number => {
        this.#s.raisePrunedThrough.run(cutoff);
        return this.#s.deleteEventsThrough.run(cutoff, limit).changes;
      })
      .immediate();
  }

  /** `now` comes from the caller's clock (milliseconds since the epoch). */
  claimIdempotencyKey(claim: IdempotencyClaim, ttlMs: number, now: number): IdempotencyLookup {
    return this.#db
      .transaction((): IdempotencyLookup => {
        const row = this.#s.getIdempotency.get(claim.project_id, claim.key);
        if (row !== undefined && row.expires_at > now) {
          if (row.fingerprint !== claim.fingerprint) return { state: "mismatch" };
          if (row.response !== null) return { state: "done", response: JSON.parse(row.response) as IdempotentResponse };
          // A claim whose request never finished (the process died) is abandoned after a minute.
          if (now - row.created_at < ABANDONED_CLAIM_MS) return { state: "in_progress" };
        }
        this.#s.upsertIdempotency.run({ ...claim, now, expires_at: now + ttlMs });
        return { state: "new" };
      })
      .immediate();
  }

  releaseIdempotencyKey(projectId: string, key: string): void {
    this.#s.deleteIdempotency.run(projectId, key);
  }

  completeIdempotencyKey(projectId: string, key: string, response: IdempotentResponse): void {
    this.#s.completeIdempotency.run(JSON.stringify(response), projectId, key);
  }

  createApiKey(
    projectId: string,
    keyId: string,
    keyHash: string,
    name: string,
    createdAt: string,
    prefix: string | null = null,
  ): void {
    this.#s.insertApiKey.run(keyId, projectId, keyHash, name, createdAt, prefix);
  }

  // Key management: rare writes (an admin command, a key's first use after an upgrade, the start),
  // so their statements are prepared when used.

  revokeApiKey(keyId: string, revokedAt: string): void {
    this.#db.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(revokedAt, keyId);
  }

  replaceApiKeyHash(keyId: string, fromHash: string, toHash: string): void {
    this.#db.prepare("UPDATE api_keys SET key_hash = ? WHERE id = ? AND key_hash = ?").run(toHash, keyId, fromHash);
  }

  claimKeySecretFingerprint(fingerprint: string): string {
    this.#db
      .prepare("INSERT INTO key_secret (id, fingerprint) VALUES (1, ?) ON CONFLICT (id) DO NOTHING")
      .run(fingerprint);
    return (this.#db.prepare("SELECT fingerprint FROM key_secret").get() as { fingerprint: string }).fingerprint;
  }

  replaceKeySecretFingerprint(fingerprint: string, revokedAt: string): number {
    return this.#db.transaction(() => {
      this.#db
        .prepare(
          "INSERT INTO key_secret (id, fingerprint) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint",
        )
        .run(fingerprint);
      return this.#db.prepare("UPDATE api_keys SET revoked_at = ? WHERE revoked_at IS NULL").run(revokedAt).changes;
    })();
  }
}
