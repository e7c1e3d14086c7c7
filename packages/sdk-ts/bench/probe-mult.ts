// Does a fixed piece of JS work cost more next to a real exchange than in a tight loop? The
// SDK's prepare() (URL, header record) timed in a tight loop, then the same work added to raw
// fetch over the socket (paired against raw fetch). Not a test. Run: `node bench/probe-mult.ts`.
import { loadavg } from "node:os";
import { TKA } from "../src/index.ts";
import type { RequestSpec } from "../src/runtime/core/options.ts";
import { type Call, runPairs, summarize } from "./paired.ts";
import { startPeer } from "./peer.ts";

const peer = await startPeer();
const base = peer.base;
class P extends TKA {
  prep(spec: RequestSpec<unknown>) {
    return this.prepare(spec, undefined);
  }
}
const c = new P({ baseURL: base, apiKey: "k", maxRetries: 0 });
const spec: RequestSpec<unknown> = { method: "get", path: "/api/v1/health/live", errors: "500" };
let sink: unknown;
const work = (n: number) => {
  for (let i = 0; i < n; i++) sink = c.prep({ ...spec });
};
// Tight loop: µs per prepare.
for (let k = 0; k < 3; k++) {
  const cpu0 = process.cpuUsage();
  work(200_000);
  const cpu = process.cpuUsage(cpu0);
  console.log(`prepare in a tight loop: ${((cpu.user + cpu.system) / 200_000).toFixed(3)} us`);
}
const url = `${base}/api/v1/health/live`;
const init: RequestInit = { method: "GET", headers: { accept: "application/json", "x-api-key": "k" } };
const raw: Call = () =>
  fetch(url, init)
    .then((r) => r.text())
    .then((t) => JSON.parse(t) as unknown);
const withWork =
  (n: number): Call =>
  () => {
    work(n);
    return raw();
  };
console.log(`load ${loadavg()[0]?.toFixed(2)}`);
for (const n of [1, 1, 4, 16]) {
  const s = summarize(await runPairs(withWork(n), raw, { batch: 32, pairs: 200, warmupPairs: 10 }));
  console.log(
    `raw + ${n} prepare: +${s.cpu_us_per_call.a_minus_b_median} us/call (${s.cpu_us_per_call.a_minus_b_p25}..${s.cpu_us_per_call.a_minus_b_p75}) of ${s.cpu_us_per_call.b_median}`,
  );
}
console.log(`load ${loadavg()[0]?.toFixed(2)} ${sink === undefined ? "?" : ""}`);
peer.stop();
