// The order of one connection's writes. Commits wait for the next turn of the event loop, so the
// ones that arrive together share one transaction and one fsync (group commit); any other write
// first writes the commits queued before it, so writes happen in the order they were asked for.
import type { CommitRows } from "./commit-rows.ts";
import type { EventPlace, Outcome, SqliteWrites } from "./writes.ts";

/** The writes other than commits, by name, with their arguments. */
type Method =
  | "claimIdempotencyKey"
  | "releaseIdempotencyKey"
  | "completeIdempotencyKey"
  | "createApiKey"
  | "revokeApiKey"
  | "replaceApiKeyHash"
  | "claimKeySecretFingerprint"
  | "replaceKeySecretFingerprint"
  | "eventPruneCutoff"
  | "pruneEventsThrough";
export type Call = { [M in Method]: { method: M; args: Parameters<SqliteWrites[M]> } }[Method];
export type CallResult<C extends Call> = ReturnType<SqliteWrites[C["method"]]>;

export class WriteQueue {
  readonly #writes: SqliteWrites;
  readonly #afterFlush: () => void;
  #pending: { commit: CommitRows; done: (outcome: Outcome<EventPlace>) => void }[] = [];

  /** `afterFlush` runs after each scheduled group commit (the writer thread sends its answers then). */
  constructor(writes: SqliteWrites, afterFlush: () => void = () => {}) {
    this.#writes = writes;
    this.#afterFlush = afterFlush;
  }

  /** Queues a commit; `done` gets its event place or its error once the group is written. */
  commit(commit: CommitRows, done: (outcome: Outcome<EventPlace>) => void): void {
    this.#pending.push({ commit, done });
    if (this.#pending.length === 1) {
      setImmediate(() => {
        this.flush();
        this.#afterFlush();
      });
    }
  }

  /** Writes the queued commits now. */
  flush(): void {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    let outcomes: Outcome<EventPlace>[];
    try {
      outcomes = this.#writes.commitBatch(batch.map((item) => item.commit));
    } catch (error) {
      // The transaction failed as a whole (for example the disk): none of the commits is written.
      outcomes = batch.map(() => ({ ok: false, error }));
    }
    for (const [i, item] of batch.entries()) item.done(outcomes[i] ?? { ok: false, error: new Error("no outcome") });
  }

  /** Runs another write, after the commits queued before it. */
  run(call: Call): Outcome<unknown> {
    this.flush();
    try {
      const method = this.#writes[call.method] as (...args: unknown[]) => unknown;
      return { ok: true, value: method.apply(this.#writes, call.args) };
    } catch (error) {
      return { ok: false, error };
    }
  }
}
