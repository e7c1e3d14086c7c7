// Bisection from the SDK's side: the SDK client with its request loop replaced by variants that
// add the loop's steps back one at a time, each against raw fetch (paired, bench/paired.ts).
// Not a test. Run: `node bench/probe-sdk.ts [arm ...]` in packages/sdk-ts.
import { loadavg } from "node:os";
import { TKA } from "../src/index.ts";
import {
  type APIPromise,
  type APIResponseProps,
  apiPromise,
  Exchange,
  parseExchange,
} from "../src/runtime/core/api-promise.ts";
import type { RequestOptions, RequestSpec } from "../src/runtime/core/options.ts";
import { attempt } from "../src/runtime/core/transport.ts";
import { Deadlines } from "../src/runtime/internal/deadlines.ts";
import { type Call, runPairs, summarize } from "./paired.ts";
import { startPeer } from "./peer.ts";

const peer = await startPeer();
const base = peer.base;
let captured: RequestInit | undefined;
await new TKA({
  baseURL: base,
  apiKey: "k",
  fetch: ((u: string, i: RequestInit) => {
    captured = i;
    return fetch(u, i);
  }) as typeof fetch,
}).health.getLiveness();
const url = `${base}/api/v1/health/live`;
const rawInit: RequestInit = { method: "GET", headers: { ...(captured?.headers as Record<string, string>) } };
const raw: Call = () =>
  fetch(url, rawInit)
    .then((r) => r.text())
    .then((t) => JSON.parse(t) as unknown);

type Loop = (
  this: Variant,
  spec: RequestSpec<unknown>,
  options: RequestOptions | undefined,
) => Promise<APIResponseProps>;
class Variant extends TKA {
  loop: Loop | undefined;
  transport = {
    fetch: (u: RequestInfo | URL, i?: RequestInit) => fetch(u, i),
    fetchOptions: undefined,
    deadlines: new Deadlines(),
  };
  prep(spec: RequestSpec<unknown>, options: RequestOptions | undefined) {
    return this.prepare(spec, options);
  }
  protected override call<T>(
    spec: RequestSpec<unknown>,
    options: RequestOptions | undefined,
    parse: (props: APIResponseProps) => T | Promise<T>,
  ): APIPromise<T> {
    if (this.loop === undefined) return super.call(spec, options, parse);
    const exchange = new Exchange();
    return apiPromise(
      this.loop(spec, options).then((props) => parseExchange(exchange, props, parse)),
      exchange,
    );
  }
}
const variant = (loop: Loop | undefined, timeout?: number): Call => {
  const c = new Variant({ baseURL: base, apiKey: "k", maxRetries: 0, ...(timeout === undefined ? {} : { timeout }) });
  c.loop = loop;
  return () => c.health.getLiveness();
};
const arms: Record<string, Call> = {
  // prepare, then fetch with raw's constant init: the APIPromise and parse around raw fetch.
  constInit: variant(async () => {
    const response = await fetch(url, rawInit);
    const text = await response.text();
    return { response, text, requestId: undefined, retries: 0 };
  }),
  prepared: variant(async function (spec, options) {
    const req = this.prep(spec, options);
    const response = await fetch(req.url, { method: req.method, headers: req.headers });
    const text = await response.text();
    return { response, text, requestId: undefined, retries: 0 };
  }),
  attemptNoTimer: variant(async function (spec, options) {
    const req = this.prep(spec, options);
    const result = await attempt(this.transport, req);
    if (!result.ok) throw result.error;
    return { response: result.response, text: result.text, requestId: undefined, retries: 0 };
  }, 0),
  attempt: variant(async function (spec, options) {
    const req = this.prep(spec, options);
    const result = await attempt(this.transport, req);
    if (!result.ok) throw result.error;
    return { response: result.response, text: result.text, requestId: undefined, retries: 0 };
  }),
  sdkNoTimer: variant(undefined, 0),
  sdk: variant(undefined),
};

const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(arms);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 200);
const BATCH = Number(process.env.BENCH_BATCH ?? 32);
for (const name of chosen) await runPairs(arms[name] as Call, raw, { batch: BATCH, pairs: 0, warmupPairs: 10 });
console.log(`load ${loadavg()[0]?.toFixed(2)} pairs ${PAIRS} batch ${BATCH}`);
for (const name of chosen) {
  const arm = arms[name];
  if (arm === undefined) throw new Error(`no arm ${name}`);
  const s = summarize(await runPairs(arm, raw, { batch: BATCH, pairs: PAIRS, warmupPairs: 10 }));
  console.log(
    `${name.padEnd(16)} cpu ${s.cpu_ratio.median.toFixed(3)} (${s.cpu_ratio.p25.toFixed(3)}-${s.cpu_ratio.p75.toFixed(3)})` +
      ` +${s.cpu_us_per_call.a_minus_b_median} us/call of ${s.cpu_us_per_call.b_median}` +
      ` wall ${s.wall_ratio.median.toFixed(3)} heap ${s.heap_bytes_per_call_median.a}/${s.heap_bytes_per_call_median.b}`,
  );
}
console.log(`load ${loadavg()[0]?.toFixed(2)}`);
peer.stop();
