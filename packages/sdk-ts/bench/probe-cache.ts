// Is the SDK's extra CPU over a socket its own work run with cold caches? In process (a fetch
// answering at once), SDK against raw, with each call of both arms followed by a walk over a
// buffer of N bytes (evicting the CPU caches the way a real exchange's kernel and undici work
// does). Not a test. Run: `node bench/probe-cache.ts` in packages/sdk-ts.
import { loadavg } from "node:os";
import { TKA } from "../src/index.ts";
import { type Call, runPairs, summarize } from "./paired.ts";

const answer = JSON.stringify({ status: "ok" });
const instantFetch = async (_input: unknown, _init?: unknown) =>
  new Response(answer, { status: 200, headers: { "Content-Type": "application/json", "X-Request-Id": "req_1" } });
const client = new TKA({
  baseURL: "http://127.0.0.1:1",
  apiKey: "k",
  maxRetries: 0,
  fetch: instantFetch as typeof fetch,
});
const rawInit = { method: "GET", headers: { accept: "application/json", "x-api-key": "k", "user-agent": "x" } };
let sink = 0;
const evicting = (call: Call, bytes: number): Call => {
  const buf = new Int32Array(bytes / 4);
  return async () => {
    const v = await call();
    for (let i = 0; i < buf.length; i += 16) sink += buf[i] as number; // one touch per 64-byte line
    return v;
  };
};
const sdk: Call = () => client.health.getLiveness();
const raw: Call = () =>
  instantFetch("http://127.0.0.1:1/api/v1/health/live", rawInit)
    .then((r) => r.text())
    .then((t) => JSON.parse(t) as unknown);
console.log(`load ${loadavg()[0]?.toFixed(2)}`);
for (const kb of [0, 64, 512, 2048, 8192]) {
  const s = summarize(
    await runPairs(evicting(sdk, kb * 1024 || 64), evicting(raw, kb * 1024 || 64), {
      batch: 200,
      pairs: 60,
      warmupPairs: 5,
    }),
  );
  console.log(
    `evict ${String(kb).padStart(5)} KB: sdk - raw ${s.cpu_us_per_call.a_minus_b_median} us/call (${s.cpu_us_per_call.a_minus_b_p25}..${s.cpu_us_per_call.a_minus_b_p75}), raw ${s.cpu_us_per_call.b_median} us`,
  );
}
console.log(`load ${loadavg()[0]?.toFixed(2)} ${sink > -1 ? "" : "?"}`);
