// Paired A/B of two builds of the TypeScript SDK (e.g. main's and a branch's), each against raw
// fetch and against each other, in one process against the peer server: the way to tell whether
// a runtime change moves the per-call cost by a few µs on a busy machine. Not a test.
// Run: `node bench/ab.ts <A src dir> <B src dir>` in packages/sdk-ts (a src dir holds index.ts,
// e.g. a `git archive main packages/sdk-ts/src` extracted to /tmp, and ./src).
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Call, runPairs, summarize } from "./paired.ts";
import { startPeer } from "./peer.ts";

type Client = { health: { getLiveness(): PromiseLike<unknown> } };
type ClientClass = new (options: Record<string, unknown>) => Client;
const [dirA = "", dirB = "./src"] = process.argv.slice(2);
const load = async (dir: string) =>
  ((await import(pathToFileURL(join(resolve(dir), "index.ts")).href)) as { TKA: ClientClass }).TKA;
const [A, B] = [await load(dirA), await load(dirB)];

const peer = await startPeer();
const base = peer.base;
const options = { baseURL: base, apiKey: "k", maxRetries: 0 };
// BENCH_OPTS_A / BENCH_OPTS_B: extra client options per arm, JSON (e.g. {"timeout":0}).
const a = new A({ ...options, ...JSON.parse(process.env.BENCH_OPTS_A ?? "{}") });
const b = new B({ ...options, ...JSON.parse(process.env.BENCH_OPTS_B ?? "{}") });
const url = `${base}/api/v1/health/live`;
// The raw arm sends the very headers build B sends (captured from one call), as bench/overhead.ts.
let sent: Record<string, string> = {};
await new B({
  ...options,
  fetch: (u: string, i: RequestInit) => {
    sent = { ...(i.headers as Record<string, string>) };
    return fetch(u, i);
  },
}).health.getLiveness();
const init: RequestInit = { method: "GET", headers: sent };
const arms: Record<string, Call> = {
  A: () => a.health.getLiveness() as Promise<unknown>,
  B: () => b.health.getLiveness() as Promise<unknown>,
  raw: () =>
    fetch(url, init)
      .then((r) => r.text())
      .then((t) => JSON.parse(t) as unknown),
};
const PAIRS = Number(process.env.BENCH_PAIRS ?? 300);
const BATCH = Number(process.env.BENCH_BATCH ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
console.log(`load ${loadavg()[0]?.toFixed(2)} pairs ${PAIRS} batch ${BATCH}`);
for (let round = 0; round < ROUNDS; round++) {
  for (const [x, y] of [
    ["A", "raw"],
    ["B", "raw"],
    ["B", "A"],
  ] as const) {
    const s = summarize(
      await runPairs(arms[x] as Call, arms[y] as Call, { batch: BATCH, pairs: PAIRS, warmupPairs: 20 }),
    );
    console.log(
      `${x}/${y.padEnd(4)} cpu ${s.cpu_ratio.median.toFixed(3)} (${s.cpu_ratio.p25.toFixed(3)}-${s.cpu_ratio.p75.toFixed(3)})` +
        ` ${s.cpu_us_per_call.a_minus_b_median >= 0 ? "+" : ""}${s.cpu_us_per_call.a_minus_b_median} us/call of ${s.cpu_us_per_call.b_median}` +
        ` heap ${s.heap_bytes_per_call_median.a}/${s.heap_bytes_per_call_median.b}`,
    );
  }
}
console.log(`load ${loadavg()[0]?.toFixed(2)}`);
peer.stop();
