// The store's side of the writer thread (writer-thread.ts). Requests made during one turn of the
// event loop go over in one message; each promise settles when the thread answers, which for a
// commit is once it is durable. The thread keeps the process alive only while it owes answers.
// A thread that dies is replaced: the requests it owed fail (a transaction it had not committed
// is rolled back with its connection), later ones go to the new thread. One that keeps dying
// (RESTART_LIMIT times in RESTART_WINDOW_MS) is given up on, and every later write fails, which
// the circuit breaker and readiness report.
import { Worker } from "node:worker_threads";
import { StoreUnavailableError } from "../types.ts";
import type { CommitRows } from "./commit-rows.ts";
import { type Reply, type Request, receivedError } from "./thread-protocol.ts";
import type { Call, CallResult } from "./write-queue.ts";
import type { Writer } from "./writer.ts";
import type { EventPlace } from "./writes.ts";

type Waiting = { resolve: (value: unknown) => void; reject: (error: unknown) => void };

const RESTART_LIMIT = 3;
const RESTART_WINDOW_MS = 60_000;

export class ThreadWriter implements Writer {
  readonly #path: string;
  #worker!: Worker;
  readonly #waiting = new Map<number, Waiting>();
  #exited!: Promise<void>;
  #outgoing: Request[] = [];
  #nextId = 1;
  #closing = false;
  /** When the threads replaced recently died. */
  #losses: number[] = [];
  /** Set once the writer is given up on (or closed): every later request fails with it. */
  #failure: Error | null = null;

  constructor(path: string) {
    this.#path = path;
    this.#spawn();
  }

  /** Why every write fails, once the writer was given up on (null while it works). */
  get failure(): Error | null {
    return this.#closing ? null : this.#failure;
  }

  /** Stops the current thread as a crash would (tests of the replacement). */
  async crashThreadForTest(): Promise<void> {
    const exited = this.#exited;
    await this.#worker.terminate();
    await exited;
  }

  #spawn(): void {
    const worker = new Worker(new URL("./writer-thread.ts", import.meta.url), { workerData: { path: this.#path } });
    worker.unref();
    if (this.#waiting.size > 0 || this.#closing) worker.ref();
    worker.on("message", (replies: Reply[]) => this.#receive(replies));
    worker.on("error", (error) =>
      this.#lost(
        worker,
        new StoreUnavailableError(`the SQLite writer thread stopped: ${error.message}`, { cause: error }),
      ),
    );
    this.#exited = new Promise((resolve) =>
      worker.once("exit", () => {
        this.#lost(worker, new StoreUnavailableError("the SQLite writer thread stopped"));
        resolve();
      }),
    );
    this.#worker = worker;
  }

  commit(commit: CommitRows): Promise<EventPlace> {
    return this.#request((id) => ({ id, commit })) as Promise<EventPlace>;
  }

  run<C extends Call>(call: C): Promise<CallResult<C>> {
    return this.#request((id) => ({ id, call })) as Promise<CallResult<C>>;
  }

  async close(): Promise<void> {
    // Referenced until it exits, so the process waits for the thread to close the database.
    this.#closing = true;
    this.#worker.ref();
    if (this.#failure === null) await this.#request((id) => ({ id, close: true }));
    await this.#exited;
  }

  #request(make: (id: number) => Request): Promise<unknown> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      if (this.#waiting.size === 1) this.#worker.ref();
      this.#outgoing.push(make(id));
      if (this.#outgoing.length === 1) setImmediate(() => this.#send());
    });
  }

  #send(): void {
    const requests = this.#outgoing;
    this.#outgoing = [];
    if (requests.length > 0 && this.#failure === null) this.#worker.postMessage(requests);
  }

  #receive(replies: Reply[]): void {
    for (const reply of replies) {
      const waiting = this.#waiting.get(reply.id);
      if (waiting === undefined) continue;
      this.#waiting.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(receivedError(reply.error));
    }
    if (this.#waiting.size === 0 && !this.#closing) this.#worker.unref();
  }

  /** The thread `worker` failed or exited (an "error" is followed by an "exit": once is enough). */
  #lost(worker: Worker, error: Error): void {
    if (worker !== this.#worker || this.#failure !== null) return;
    // Everything asked for so far fails, sent or not: nothing owed to the lost thread is retried
    // behind the caller's back.
    for (const waiting of this.#waiting.values()) waiting.reject(error);
    this.#waiting.clear();
    this.#outgoing = [];
    const now = Date.now();
    this.#losses = this.#losses.filter((at) => now - at < RESTART_WINDOW_MS);
    this.#losses.push(now);
    if (this.#closing || this.#losses.length > RESTART_LIMIT) {
      this.#failure = error;
      return;
    }
    this.#spawn();
  }
}
