// TypeScript SDK per-call overhead against raw fetch on a local server, measured in one run
// (goal: ratio <= 1.05), and the bundled size of one operation, tree-shaken. The server
// (bench/peer-server.ts, the one the Python and Rust benchmarks call too) runs in a process of
// its own, so process.cpuUsage here is the client's CPU time alone. Wall time and CPU time are
// recorded per round: on a machine shared with other jobs the wall-clock rounds swing by 2x,
// while CPU time per call stays comparable. A third peer, fetch handed an AbortSignal and a
// timer (what the SDK did per attempt before), shows what the signal costs in the same run.
// Not a timed test: it prints and records figures. Run: `pnpm bench` in packages/sdk-ts.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { TKA } from "../src/index.ts";

const server = spawn(process.execPath, [join(import.meta.dirname, "peer-server.ts")], {
  stdio: ["ignore", "pipe", "inherit"],
});
const port = await new Promise<number>((resolve, reject) => {
  server.once("exit", (code) => reject(new Error(`the peer server exited (${code})`)));
  createInterface({ input: server.stdout }).on("line", (line) => {
    const m = /^listening (\d+)$/.exec(line);
    if (m) resolve(Number(m[1]));
  });
});
const base = `http://127.0.0.1:${port}`;

const client = new TKA({ baseURL: base, apiKey: "k", maxRetries: 0 });
const N = 800;
async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  return (await measure(fn)).wall;
}
/** Wall and CPU time per call, in ms. */
async function measure(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  const wall = (performance.now() - t0) / N;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 / N };
}
const sdkCall = () => client.health.getLiveness();
const rawCall = () =>
  fetch(`${base}/api/v1/health/live`, { headers: { Accept: "application/json", "X-API-Key": "k" } }).then((r) =>
    r.json(),
  );
const signalCall = () => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 60_000);
  return fetch(`${base}/api/v1/health/live`, {
    headers: { Accept: "application/json", "X-API-Key": "k" },
    signal: controller.signal,
  })
    .then((r) => r.json())
    .finally(() => clearTimeout(timer));
};
await timeIt(sdkCall); // warm-up every path
await timeIt(rawCall);
await timeIt(signalCall);
// Rounds alternate which side goes first (SDK-fetch, fetch-SDK, ...), so a drift during a round
// (GC debt, CPU frequency, a noisy neighbour) does not always land on the same side.
const ROUNDS = 25;
const rounds: {
  sdk_us: number;
  fetch_us: number;
  fetch_with_signal_us: number;
  sdk_cpu_us: number;
  fetch_cpu_us: number;
  fetch_with_signal_cpu_us: number;
}[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? [sdkCall, rawCall, signalCall] : [signalCall, rawCall, sdkCall];
  const results = new Map<() => Promise<unknown>, { wall: number; cpu: number }>();
  for (const fn of order) results.set(fn, await measure(fn));
  const [sdk, raw, signal] = [sdkCall, rawCall, signalCall].map(
    (fn) => results.get(fn) as { wall: number; cpu: number },
  );
  rounds.push({
    sdk_us: Math.round((sdk?.wall ?? 0) * 1000),
    fetch_us: Math.round((raw?.wall ?? 0) * 1000),
    fetch_with_signal_us: Math.round((signal?.wall ?? 0) * 1000),
    sdk_cpu_us: Math.round((sdk?.cpu ?? 0) * 1000),
    fetch_cpu_us: Math.round((raw?.cpu ?? 0) * 1000),
    fetch_with_signal_cpu_us: Math.round((signal?.cpu ?? 0) * 1000),
  });
}
server.kill("SIGTERM");
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const ratios = rounds.map((r) => r.sdk_us / r.fetch_us).sort((a, b) => a - b);
const cpuRatio = median(rounds.map((r) => r.sdk_cpu_us / r.fetch_cpu_us));
const signalCpuRatio = median(rounds.map((r) => r.fetch_with_signal_cpu_us / r.fetch_cpu_us));
const loadAverage = (await import("node:os")).loadavg()[0];

// The SDK's own work, apart from the socket: the same call against a fetch that answers at once
// with a ready Response, against calling that fetch directly. In process and without I/O, so it
// holds still on a busy machine; the difference is what the SDK adds per call in CPU.
const answer = JSON.stringify({ status: "ok" });
const instantFetch = async (_input: unknown, _init?: unknown) =>
  new Response(answer, { status: 200, headers: { "Content-Type": "application/json", "X-Request-Id": "req_1" } });
const offline = new TKA({ baseURL: base, apiKey: "k", maxRetries: 0, fetch: instantFetch as typeof fetch });
const offlineSdk = () => offline.health.getLiveness();
const offlineRaw = () =>
  instantFetch(`${base}/api/v1/health/live`, { headers: { Accept: "application/json", "X-API-Key": "k" } }).then((r) =>
    r.json(),
  );
const IN_PROCESS = 20_000;
async function cpuPerCall(fn: () => Promise<unknown>): Promise<number> {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < IN_PROCESS; i++) await fn();
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / IN_PROCESS;
}
await cpuPerCall(offlineSdk);
await cpuPerCall(offlineRaw);
const sdkWork: number[] = [];
for (let round = 0; round < 9; round++) sdkWork.push((await cpuPerCall(offlineSdk)) - (await cpuPerCall(offlineRaw)));

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
    "TypeScript SDK call vs raw fetch (same local server in its own process, same run; CPU time is the client's), and one-operation bundle",
  date: new Date().toISOString(),
  calls_per_round: N,
  rounds,
  median_ratio_sdk_over_fetch: Number((ratios[Math.floor(ROUNDS / 2)] as number).toFixed(3)),
  median_cpu_ratio_sdk_over_fetch: Number(cpuRatio.toFixed(3)),
  median_cpu_ratio_fetch_with_signal_over_fetch: Number(signalCpuRatio.toFixed(3)),
  sdk_own_cpu_us_per_call_in_process: Number(median(sdkWork).toFixed(2)),
  load_average_1m: Number(loadAverage?.toFixed(1)),
  goal: "<= 1.05",
  bundle_one_operation: { minified_bytes: code.length, gzip_bytes: gzipSync(code).length },
};
writeFileSync(join(import.meta.dirname, "results", "overhead.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
