// Group commit: commits asked for while a batch is being written wait, then go together in the
// next one, so concurrent writers share a round trip and a WAL flush instead of queueing one by
// one behind each project's position counter. A commit asked for while nothing is in flight
// goes on the next turn of the event loop (with whatever else that turn asked for). A batch is
// capped by count and by bytes; a batch that failed because the database did not answer takes
// the commits still waiting down with it (they were never sent), instead of sending them one
// batch after another into the same silence.
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Waiting<C, T> {
  commit: C;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions<C> {
  /** Commits per batch at most. */
  maxBatch: number;
  /** Batches written at once (1). */
  maxInFlight?: number;
  /** Bytes per batch at most, by `sizeOf` (unbounded); a batch always takes its first commit. */
  maxBatchBytes?: number;
  sizeOf?: (commit: C) => number;
  /** A batch failure after which the commits still waiting fail with the same error (none). */
  failsWaiting?: (error: unknown) => boolean;
}

export class GroupCommitter<C, T> {
  readonly #write: (batch: readonly C[]) => Promise<Outcome<T>[]>;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  readonly #maxBatchBytes: number;
  readonly #sizeOf: (commit: C) => number;
  readonly #failsWaiting: (error: unknown) => boolean;
  #waiting: Waiting<C, T>[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #scheduled = false;

  /** `write` writes a batch and resolves with each commit's outcome in order (rejecting fails the whole batch). */
  constructor(write: (batch: readonly C[]) => Promise<Outcome<T>[]>, options: GroupCommitOptions<C>) {
    this.#write = write;
    this.#maxBatch = options.maxBatch;
    this.#maxInFlight = options.maxInFlight ?? 1;
    this.#maxBatchBytes = options.maxBatchBytes ?? Number.POSITIVE_INFINITY;
    this.#sizeOf = options.sizeOf ?? (() => 0);
    this.#failsWaiting = options.failsWaiting ?? (() => false);
  }

  commit(commit: C): Promise<T> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ commit, resolve, reject });
      if (this.#inFlight.size < this.#maxInFlight && !this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#next();
        });
      }
    });
  }

  /** Resolves once every commit asked for so far has settled. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0 || this.#waiting.length > 0 || this.#scheduled) {
      this.#next();
      await (this.#inFlight.size > 0 ? Promise.race(this.#inFlight) : new Promise((resolve) => setImmediate(resolve)));
    }
  }

  #next(): void {
    while (this.#inFlight.size < this.#maxInFlight && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#batchLength());
      const running: Promise<void> = this.#run(batch).finally(() => {
        this.#inFlight.delete(running);
        this.#next(); // what queued meanwhile goes at once
      });
      this.#inFlight.add(running);
    }
  }

  /** How many of the waiting commits the next batch takes: within both caps, at least one. */
  #batchLength(): number {
    let bytes = 0;
    const most = Math.min(this.#maxBatch, this.#waiting.length);
    for (let n = 0; n < most; n++) {
      bytes += this.#sizeOf((this.#waiting[n] as Waiting<C, T>).commit);
      if (bytes > this.#maxBatchBytes) return Math.max(1, n);
    }
    return most;
  }

  async #run(batch: Waiting<C, T>[]): Promise<void> {
    let outcomes: Outcome<T>[];
    try {
      outcomes = await this.#write(batch.map((w) => w.commit));
    } catch (error) {
      // The batch failed as a whole (the statement, the connection): each of its commits fails
      // with that, and so, when the database did not answer, does every commit still waiting.
      const failed = this.#failsWaiting(error) ? [...batch, ...this.#waiting.splice(0)] : batch;
      for (const waiting of failed) waiting.reject(error);
      return;
    }
    for (const [i, waiting] of batch.entries()) {
      const outcome = outcomes[i] ?? { ok: false, error: new Error("no outcome for a commit of the batch") };
      if (outcome.ok) waiting.resolve(outcome.value);
      else waiting.reject(outcome.error);
    }
  }
}
