// Group commit: commits asked for while a batch is being written wait, then go together in the
// next one, so concurrent writers share a round trip and a WAL flush instead of queueing one by
// one behind each project's position counter. A commit asked for while nothing is in flight
// goes on the next turn of the event loop (with whatever else that turn asked for).
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Waiting<C, T> {
  commit: C;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitter<C, T> {
  readonly #write: (batch: readonly C[]) => Promise<Outcome<T>[]>;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  #waiting: Waiting<C, T>[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #scheduled = false;

  /**
   * `write` writes a batch and resolves with each commit's outcome in order (rejecting fails the
   * whole batch). At most `maxBatch` commits per batch and `maxInFlight` batches at once.
   */
  constructor(write: (batch: readonly C[]) => Promise<Outcome<T>[]>, maxBatch: number, maxInFlight = 1) {
    this.#write = write;
    this.#maxBatch = maxBatch;
    this.#maxInFlight = maxInFlight;
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
      const batch = this.#waiting.splice(0, this.#maxBatch);
      const running: Promise<void> = this.#run(batch).finally(() => {
        this.#inFlight.delete(running);
        this.#next(); // what queued meanwhile goes at once
      });
      this.#inFlight.add(running);
    }
  }

  async #run(batch: Waiting<C, T>[]): Promise<void> {
    let outcomes: Outcome<T>[];
    try {
      outcomes = await this.#write(batch.map((w) => w.commit));
    } catch (error) {
      // The batch failed as a whole (the statement, the connection): each of its commits fails with that.
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    for (const [i, waiting] of batch.entries()) {
      const outcome = outcomes[i] ?? { ok: false, error: new Error("no outcome for a commit of the batch") };
      if (outcome.ok) waiting.resolve(outcome.value);
      else waiting.reject(outcome.error);
    }
  }
}
