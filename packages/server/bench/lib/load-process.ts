// The load generator's own process (started by loader.ts): runs each job it is sent over IPC with
// load.ts and answers with the result and the CPU this process spent on it, so the benchmark's
// client side neither shares the server's event loop nor hides its own cost.
import { type LoadRequest, load } from "./load.ts";
import type { LoadJob, LoadReply } from "./loader.ts";

/** `{c}` is the client's number, `{i}` the request's (per client), `{n}` the request's in this process. */
function fill(text: string, client: number, i: number, n: number): string {
  return text.replaceAll("{c}", String(client)).replaceAll("{i}", String(i)).replaceAll("{n}", String(n));
}

/** Counts across jobs: a `{n}` (an idempotency key, say) is never sent twice by one process. */
let n = 0;

function requestOf(job: LoadJob): (client: number, i: number) => LoadRequest {
  return (client, i) => {
    const template = job.requests[client % job.requests.length] as LoadRequest;
    if (!job.templated) return template;
    n++;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(template.headers ?? {})) headers[name] = fill(value, client, i, n);
    return {
      method: template.method,
      path: fill(template.path, client, i, n),
      headers,
      ...(template.body === undefined ? {} : { body: fill(template.body, client, i, n) }),
    };
  };
}

process.on("message", async (job: LoadJob) => {
  const before = process.cpuUsage();
  const result = await load(job.base, { concurrency: job.concurrency, seconds: job.seconds, request: requestOf(job) });
  const used = process.cpuUsage(before);
  const reply: LoadReply = { ...result, cpuSeconds: (used.user + used.system) / 1e6 };
  process.send?.(reply);
});
process.on("disconnect", () => process.exit(0));
