// TypeScript SDK per-call overhead against raw fetch on a local server, measured in one run
// (goal: ratio <= 1.05), and the bundled size of one operation, tree-shaken. The server
// (bench/peer-server.ts, the one the Python and Rust benchmarks call too) runs in a process of
// its own, so process.cpuUsage here is the client's CPU time alone.
// The two arms do the same work: the raw arm sends the very headers the SDK sends (captured from
// one SDK call) to the same URL, over the same global fetch (same connection pool), and decodes
// the body the SDK's way (text, then JSON.parse). They run as finely interleaved pairs (see
// bench/paired.ts): one batch of each arm per pair, order random per pair, a scavenge before
// every batch, warm-up pairs discarded; the figure is the median of the per-pair CPU ratios
// with its interquartile range. Next to it, the SDK's own work measured in process, without I/O.
// Not a timed test: it prints and records figures. Run: `pnpm bench` in packages/sdk-ts.
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { TKA } from "../src/index.ts";
import { runPairs, summarize } from "./paired.ts";
import { startPeer } from "./peer.ts";

const peer = await startPeer();
const base = peer.base;
const loadAtStart = Number(loadavg()[0]?.toFixed(2));

const BATCH = Number(process.env.BENCH_BATCH ?? 32);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 500);
const WARMUP_PAIRS = 40;

const client = new TKA({ baseURL: base, apiKey: "k", maxRetries: 0 });
// What the SDK hands fetch for this call, captured once, so the raw arm sends the same thing.
let captured: { url: string; init: RequestInit } | undefined;
const probe = new TKA({
  baseURL: base,
  apiKey: "k",
  maxRetries: 0,
  fetch: ((url: string, init: RequestInit) => {
    captured = { url, init };
    return fetch(url, init);
  }) as typeof fetch,
});
await probe.health.getLiveness();
if (captured === undefined) throw new Error("the SDK did not call fetch");
const rawURL = captured.url;
const rawInit: RequestInit = {
  method: captured.init.method ?? "GET",
  headers: { ...(captured.init.headers as Record<string, string>) },
};
const sdkCall = () => client.health.getLiveness();
const rawCall = () =>
  fetch(rawURL, rawInit)
    .then((r) => r.text())
    .then((text) => JSON.parse(text) as unknown);

const pairs = await runPairs(sdkCall, rawCall, { batch: BATCH, pairs: PAIRS, warmupPairs: WARMUP_PAIRS });
const overSocket = summarize(pairs);
// The method's own spread: raw fetch against itself, the same way. Its median should be 1.00;
// its interquartile range is the noise an SDK-over-fetch ratio has to be read against.
const rawCallAgain = () =>
  fetch(rawURL, rawInit)
    .then((r) => r.text())
    .then((text) => JSON.parse(text) as unknown);
const aa = summarize(
  await runPairs(rawCall, rawCallAgain, { batch: BATCH, pairs: Math.ceil(PAIRS / 3), warmupPairs: 0 }),
);
peer.stop();

// The SDK's own work, apart from the socket: the same call against a fetch that answers at once
// with a ready Response, against calling that fetch directly with the same init and decode. In
// process and without I/O, so it holds still on a busy machine; the difference is what the SDK
// adds per call in CPU.
const answer = JSON.stringify({ status: "ok" });
const instantFetch = async (_input: unknown, _init?: unknown) =>
  new Response(answer, { status: 200, headers: { "Content-Type": "application/json", "X-Request-Id": "req_1" } });
const offline = new TKA({ baseURL: base, apiKey: "k", maxRetries: 0, fetch: instantFetch as typeof fetch });
const offlineSdk = () => offline.health.getLiveness();
const offlineRaw = () =>
  instantFetch(rawURL, rawInit)
    .then((r) => r.text())
    .then((text) => JSON.parse(text) as unknown);
const inProcess = summarize(await runPairs(offlineSdk, offlineRaw, { batch: 2000, pairs: 15, warmupPairs: 3 }));

// Bundle of one operation, minified and tree-shaken, for browsers.
const bundle = await build({
  stdin: {
    contents:
      'import { TKA } from "./src/index.ts"; new TKA({ apiKey: "k" }).sequences.get("seq_1").then(console.log);',
    resolveDir: join(import.meta.dirname, ".."),
    loader: "ts",
  },
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  write: false,
  treeShaking: true,
});
const code = bundle.outputFiles[0]?.contents ?? new Uint8Array();

const result = {
  benchmark:
    "TypeScript SDK call vs raw fetch with the SDK's headers and decode (same local server in its own process, same run; CPU time is the client's), and one-operation bundle",
  date: new Date().toISOString(),
  method:
    "interleaved pairs: one batch of each arm per pair, order random per pair, a scavenge (minor GC) before each batch, warm-up pairs discarded; ratios are SDK over raw per pair",
  request_headers_both_arms: Object.keys(rawInit.headers as Record<string, string>),
  calls_per_batch: BATCH,
  warmup_pairs_discarded: WARMUP_PAIRS,
  over_socket: overSocket,
  cpu_ratio_sdk_over_fetch_median: overSocket.cpu_ratio.median,
  cpu_ratio_sdk_over_fetch_iqr: [overSocket.cpu_ratio.p25, overSocket.cpu_ratio.p75],
  fetch_over_fetch_cpu_ratio_median: aa.cpu_ratio.median,
  fetch_over_fetch_cpu_ratio_iqr: [aa.cpu_ratio.p25, aa.cpu_ratio.p75],
  sdk_own_cpu_us_per_call_in_process: inProcess.cpu_us_per_call.a_minus_b_median,
  fetch_over_fetch: aa,
  in_process: inProcess,
  load_average_1m: Number(loadavg()[0]?.toFixed(2)),
  load_average_1m_at_start: loadAtStart,
  goal: "<= 1.05",
  bundle_one_operation: { minified_bytes: code.length, gzip_bytes: gzipSync(code).length },
};
writeFileSync(join(import.meta.dirname, "results", "overhead.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
