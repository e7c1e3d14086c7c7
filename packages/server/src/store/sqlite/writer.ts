// The SQLite store's writes, as promises. Two implementations: a writer thread for a database
// file (thread-writer.ts), so transactions and their fsync never stall the event loop, and this
// one, on the caller's thread, for an in-memory database (which only its own connection sees).

import type Database from "better-sqlite3";
import type { CommitRows } from "./commit-rows.ts";
import { type Call, type CallResult, WriteQueue } from "./write-queue.ts";
import { type EventPlace, type Outcome, SqliteWrites } from "./writes.ts";

export interface Writer {
  /** Resolves with the event's number and position once the commit is durable. */
  commit(commit: CommitRows): Promise<EventPlace>;
  /** Runs another write, after the commits asked for before it. */
  run<C extends Call>(call: C): Promise<CallResult<C>>;
  /** Set once every write fails (the writer thread was given up on). */
  readonly failure: Error | null;
  close(): Promise<void>;
}

function settle<T>(resolve: (value: T) => void, reject: (error: unknown) => void) {
  return (outcome: Outcome<T>) => (outcome.ok ? resolve(outcome.value) : reject(outcome.error));
}

export class LocalWriter implements Writer {
  readonly failure = null;
  readonly #queue: WriteQueue;

  constructor(db: Database.Database) {
    this.#queue = new WriteQueue(new SqliteWrites(db));
  }

  commit(commit: CommitRows): Promise<EventPlace> {
    return new Promise((resolve, reject) => this.#queue.commit(commit, settle(resolve, reject)));
  }

  async run<C extends Call>(call: C): Promise<CallResult<C>> {
    const outcome = this.#queue.run(call);
    if (!outcome.ok) throw outcome.error;
    return outcome.value as CallResult<C>;
  }

  async close(): Promise<void> {
    this.#queue.flush();
  }
}
