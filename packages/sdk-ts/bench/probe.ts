// Bisection probe for the TypeScript SDK's overhead over raw fetch: a ladder of arms from raw
// fetch towards the SDK call, each measured against raw fetch with the paired method
// (bench/paired.ts) in one run, against the peer server in its own process. Not a test.
// Run: `node bench/probe.ts [arm ...]` in packages/sdk-ts (no arms: all of them).
import { loadavg } from "node:os";
import { TKA } from "../src/index.ts";
import { apiPromise, defaultParse, Exchange, parseExchange, ResponseProps } from "../src/runtime/core/api-promise.ts";
import { Deadlines } from "../src/runtime/internal/deadlines.ts";
import { type Call, runPairs, summarize } from "./paired.ts";
import { startPeer } from "./peer.ts";

const peer = await startPeer();
const base = peer.base;
const path = "/api/v1/health/live";
const url = `${base}${path}`;
const headers = { accept: "application/json", "x-api-key": "k", "user-agent": "tka-sdk-probe" };
const rawInit: RequestInit = { method: "GET", headers };
const decode = (r: Response) => r.text().then((t) => JSON.parse(t) as unknown);

const raw: Call = () => fetch(url, rawInit).then(decode);
const arms: Record<string, Call> = {
  raw2: () => fetch(url, rawInit).then(decode),
  // A fresh init and header record per call, as the SDK builds them.
  freshInit: () => fetch(url, { method: "GET", headers: { ...headers } }).then(decode),
  // A URL string built per call (a cons string until flattened), as the SDK builds it.
  freshURL: () => fetch(`${base}${path}`, rawInit).then(decode),
  // The body read one promise hop later than the answer.
  readLater: () =>
    fetch(url, rawInit)
      .then((r) => Promise.resolve(r))
      .then(decode),
  // One wrapping promise settled from the answer (the SDK's attemptRacing, without a timer).
  wrapped: () =>
    new Promise((resolve, reject) => {
      fetch(url, rawInit).then(decode).then(resolve, reject);
    }),
  // A 60 s timer set before and cleared after each call.
  timer: () => {
    const t = setTimeout(() => {}, 60_000);
    return fetch(url, rawInit)
      .then(decode)
      .finally(() => clearTimeout(t));
  },
  // The same with an unref'd timer.
  timerUnref: () => {
    const t = setTimeout(() => {}, 60_000);
    t.unref();
    return fetch(url, rawInit)
      .then(decode)
      .finally(() => clearTimeout(t));
  },
  // Reading two response headers.
  headersGet: () =>
    fetch(url, rawInit).then((r) => {
      r.headers.get("x-request-id");
      r.headers.get("content-type");
      return decode(r);
    }),
  // An async function around the exchange, two Date.now.
  asyncWrap: async () => {
    const t0 = Date.now();
    const r = await fetch(url, rawInit);
    const text = await r.text();
    Date.now() - t0;
    return JSON.parse(text) as unknown;
  },
  // The abortable path: a signal handed to fetch.
  signal: () => fetch(url, { ...rawInit, signal: new AbortController().signal }).then(decode),
};
// Garbage of about `bytes` per call (24-byte objects): does allocation cost more next to I/O?
let sink: unknown;
const allocating =
  (bytes: number): Call =>
  () => {
    for (let i = 0; i < bytes / 24; i++) sink = { a: i, b: i, c: i };
    return fetch(url, rawInit).then(decode);
  };
arms.alloc2k = allocating(2048);
arms.alloc8k = allocating(8192);
const deadlines = new Deadlines();
arms.dateNow = () => {
  Date.now();
  return fetch(url, rawInit).then(decode);
};
arms.deadline = () => {
  const d = { at: Date.now() + 60_000, timeout: 60_000, expire() {} };
  deadlines.add(d);
  return fetch(url, rawInit)
    .then(decode)
    .finally(() => deadlines.delete(d));
};
class Thenable<T> implements PromiseLike<T> {
  readonly #p: Promise<T>;
  constructor(p: Promise<T>) {
    this.#p = p;
  }
  // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose.
  then<R1 = T, R2 = never>(
    f?: ((value: T) => R1 | PromiseLike<R1>) | null,
    r?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#p.then(f, r);
  }
}
arms.thenable = () => new Thenable(fetch(url, rawInit).then(decode)) as unknown as Promise<unknown>;
arms.apiPromise = () => {
  const exchange = new Exchange();
  return apiPromise(
    fetch(url, rawInit).then((response) =>
      response
        .text()
        .then((text) => parseExchange(exchange, new ResponseProps(response, text, undefined, 0), defaultParse)),
    ),
    exchange,
  );
};
const sdk = new TKA({ baseURL: base, apiKey: "k", maxRetries: 0 });
const sdkNoTimer = new TKA({ baseURL: base, apiKey: "k", maxRetries: 0, timeout: 0 });
arms.sdk = () => sdk.health.getLiveness();
arms.sdkNoTimer = () => sdkNoTimer.health.getLiveness();
arms.sdkWithResponse = () => sdk.health.getLiveness().withResponse();

const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(arms);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 200);
const BATCH = Number(process.env.BENCH_BATCH ?? 32);
// Warm everything first so the first arm measured is not the one paying for JIT.
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
console.log(`load ${loadavg()[0]?.toFixed(2)}${sink === 0 ? " " : ""}`);
peer.stop();
