// The benchmarks' side of the load generator: a separate Node process (load-process.ts) that
// keeps running between rounds (its JIT stays warm) and reports its own CPU per job.
import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import type { LoadRequest, LoadResult } from "./load.ts";

export interface LoadJob {
  base: string;
  concurrency: number;
  seconds: number;
  /** The request of client c is `requests[c % requests.length]`. */
  requests: LoadRequest[];
  /** Fill `{c}`, `{i}`, `{n}` in path, header values and body (see load-process.ts). */
  templated?: boolean;
}

export interface LoadReply extends LoadResult {
  /** CPU seconds the load generator's process spent on the job. */
  cpuSeconds: number;
}

export interface Loader {
  run(job: LoadJob): Promise<LoadReply>;
  stop(): void;
}

export function startLoader(): Loader {
  const child: ChildProcess = fork(join(import.meta.dirname, "load-process.ts"), [], { stdio: "inherit" });
  let queue = Promise.resolve() as Promise<unknown>;
  const run = (job: LoadJob) => {
    const next = queue.then(
      () =>
        new Promise<LoadReply>((resolve, reject) => {
          const onExit = (code: number | null) => reject(new Error(`load generator exited ${code}`));
          child.once("exit", onExit);
          child.once("message", (reply) => {
            child.off("exit", onExit);
            resolve(reply as LoadReply);
          });
          child.send(job);
        }),
    );
    queue = next.catch(() => {});
    return next;
  };
  return { run, stop: () => child.connected && child.disconnect() };
}
