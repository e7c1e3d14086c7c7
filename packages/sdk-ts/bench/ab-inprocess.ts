// bench/ab.ts without I/O: two SDK builds and raw fetch's decode against a fetch that answers at
// once with a ready Response (the SDK's own work in a tight loop). Not a test.
// Run: `node bench/ab-inprocess.ts <A src dir> <B src dir>` in packages/sdk-ts.
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Call, runPairs, summarize } from "./paired.ts";

type Client = { health: { getLiveness(): PromiseLike<unknown> } };
type ClientClass = new (options: Record<string, unknown>) => Client;
const [dirA = "", dirB = "./src"] = process.argv.slice(2);
const load = async (dir: string) =>
  ((await import(pathToFileURL(join(resolve(dir), "index.ts")).href)) as { TKA: ClientClass }).TKA;
const [A, B] = [await load(dirA), await load(dirB)];
const answer = JSON.stringify({ status: "ok" });
const instantFetch = async (_input: unknown, _init?: unknown) =>
  new Response(answer, { status: 200, headers: { "Content-Type": "application/json", "X-Request-Id": "req_1" } });
const options = { baseURL: "http://127.0.0.1:1", apiKey: "k", maxRetries: 0, fetch: instantFetch };
const a = new A(options);
const b = new B(options);
const init = { method: "GET", headers: { accept: "application/json", "x-api-key": "k" } };
const arms: Record<string, Call> = {
  A: () => a.health.getLiveness() as Promise<unknown>,
  B: () => b.health.getLiveness() as Promise<unknown>,
  raw: () =>
    instantFetch("http://127.0.0.1:1/api/v1/health/live", init)
      .then((r) => r.text())
      .then((t) => JSON.parse(t) as unknown),
};
console.log(`load ${loadavg()[0]?.toFixed(2)}`);
for (const [x, y] of [
  ["A", "raw"],
  ["B", "raw"],
  ["B", "A"],
] as const) {
  const s = summarize(await runPairs(arms[x] as Call, arms[y] as Call, { batch: 1000, pairs: 40, warmupPairs: 5 }));
  console.log(
    `${x}/${y.padEnd(4)} cpu ${s.cpu_ratio.median.toFixed(3)} (${s.cpu_ratio.p25.toFixed(3)}-${s.cpu_ratio.p75.toFixed(3)})` +
      ` ${s.cpu_us_per_call.a_minus_b_median >= 0 ? "+" : ""}${s.cpu_us_per_call.a_minus_b_median} us/call of ${s.cpu_us_per_call.b_median}` +
      ` heap ${s.heap_bytes_per_call_median.a}/${s.heap_bytes_per_call_median.b}`,
  );
}
