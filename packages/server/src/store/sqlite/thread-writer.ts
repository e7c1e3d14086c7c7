// The store's side of the writer thread (writer-thread.ts). Requests made during one turn of the
// event loop go over in one message; each promise settles when the thread answers, which for a
// commit is once it is durable. The thread keeps the process alive only while it owes answers.
import { Worker } from "node:worker_threads";
import type { CommitRows } from "./commit-rows.ts";
import { type Reply, type Request, receivedError } from "./thread-protocol.ts";
import type { Call, CallResult } from "./write-queue.ts";
import type { Writer } from "./writer.ts";

type Waiting = { resolve: (value: unknown) => void; reject: (error: unknown) => void };

export class ThreadWriter implements Writer {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, Waiting>();
  readonly #exited: Promise<void>;
  #outgoing: Request[] = [];
  #nextId = 1;
  #closing = false;
  /** Set once the thread is gone: every later request fails with it. */
  #failure: Error | null = null;

  constructor(path: string) {
    this.#worker = new Worker(new URL("./writer-thread.ts", import.meta.url), { workerData: { path } });
    this.#worker.unref();
    this.#worker.on("message", (replies: Reply[]) => this.#receive(replies));
    this.#worker.on("error", (error) => this.#fail(error));
    this.#exited = new Promise((resolve) =>
      this.#worker.once("exit", () => {
        this.#fail(new Error("the SQLite writer thread stopped"));
        resolve();
      }),
    );
  }

  commit(commit: CommitRows): Promise<number> {
    return this.#request((id) => ({ id, commit })) as Promise<number>;
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
    if (this.#failure === null) this.#worker.postMessage(requests);
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

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiting of this.#waiting.values()) waiting.reject(this.#failure);
    this.#waiting.clear();
  }
}
