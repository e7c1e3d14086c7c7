// Benchmarks of the full HTTP stack, each against a peer measured in the same run, with the CPU
// each unit of work costs (server process, all threads, from /proc) next to throughput and
// latency, and the load generator in its own process with its own CPU reported:
// - GET of one sequence (16 beats) through the full stack, every middleware on (auth, rate limit,
//   request id, metrics, JSON log line, CORS), vs a raw node:http server returning the same JSON
//   (goal: ratio >= 0.8);
// - durable mutations at 32 concurrent clients (goal: 5,000/s with p99 < 10 ms) vs a bare
//   node:http + better-sqlite3 server doing one durable UPDATE per request (raw-writes-server.ts).
// Rounds alternate between the server and its peer so the machine's drifting load hits both
// alike; each figure is the median round. Not timed tests: it prints and records figures.
// Run: `pnpm bench:http` in packages/server (BENCH_ROUNDS, BENCH_SECONDS, BENCH_ONLY=get|writes).
// BENCH_BASELINE=<another checkout>/packages/server/src/main.ts adds that server to the write
// rounds (before/after a change in the same run; recorded in results/http-stack-writes-baseline.json
// with BENCH_ONLY=writes). The server's CPU is also split by thread (main, SQLite writer, rest).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { perUnitUs, threadCpuSeconds, threadSplitUs } from "./lib/cpu.ts";
import type { LoadRequest } from "./lib/load.ts";
import { type LoadJob, startLoader } from "./lib/loader.ts";
import { fsyncLatency, loadAverage, machine, median, round2 } from "./lib/report.ts";
import { BENCH_KEY, type Running, startProcess, startServer } from "./lib/server.ts";

const here = import.meta.dirname;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ONLY = process.env.BENCH_ONLY;
const loadStart = loadAverage();

const full = await startServer();
// BENCH_BASELINE: another checkout's src/main.ts (e.g. main before a change), measured as a
// third side of the write rounds with the same settings (BENCH_BASELINE_ARGS: its Node flags,
// default BENCH_SERVER_ARGS).
const baseline = process.env.BENCH_BASELINE
  ? await startServer({}, process.env.BENCH_BASELINE, process.env.BENCH_BASELINE_ARGS ?? process.env.BENCH_SERVER_ARGS)
  : undefined;
const loader = startLoader();
const headers = { "X-API-Key": BENCH_KEY, "Content-Type": "application/json", Origin: "http://bench.example" };
const postTo = (server: Running, path: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) }).then(
    (r) => r.json() as Promise<{ id: string }>,
  );
const post = (path: string, body: unknown) => postTo(full, path, body);

interface Round {
  per_second: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  server_cpu_us: number;
  /** The server's CPU per unit by thread (main, busiest other, rest) and user/system (bench/lib/cpu.ts). */
  server_threads_us?: ReturnType<typeof threadSplitUs>;
  load_generator_cpu_us: number;
}

async function measure(server: Running, job: Omit<LoadJob, "base">): Promise<Round> {
  const cpu0 = server.cpuSeconds();
  const threads0 = threadCpuSeconds(server.pid);
  const r = await loader.run({ ...job, base: server.url });
  const cpu = server.cpuSeconds() - cpu0;
  const threads = threadSplitUs(server.pid, threads0, threadCpuSeconds(server.pid), r.requests);
  return {
    per_second: Math.round(r.rps),
    p50_ms: round2(r.p50_ms),
    p99_ms: round2(r.p99_ms),
    errors: r.errors,
    server_cpu_us: perUnitUs(cpu, r.requests),
    server_threads_us: threads,
    load_generator_cpu_us: perUnitUs(r.cpuSeconds, r.requests),
  };
}

type Side = "subject" | "peer" | "baseline";
type Job = [Running, Omit<LoadJob, "base">];

/**
 * Warm-up of each side (1 s each: a cold first round times the JIT), then rounds in rotating
 * order. `baseline` (optional): the same server from another checkout (BENCH_BASELINE), so a
 * change is measured against the code before it in the same run.
 */
async function compare(sides: { subject: Job; peer: Job; baseline?: Job | undefined }, seconds: number) {
  const names = (Object.keys(sides) as Side[]).filter((side) => sides[side] !== undefined);
  for (const side of names) {
    const [server, job] = sides[side] as Job;
    await measure(server, { ...job, seconds: 1 });
  }
  const rounds: Partial<Record<Side, Round>>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length] as Side);
    if (round % 2 === 1) order.reverse();
    const result: Partial<Record<Side, Round>> = {};
    for (const side of order) {
      const [server, job] = sides[side] as Job;
      result[side] = await measure(server, { ...job, seconds });
    }
    console.error(`round ${round + 1}: ${JSON.stringify(result)}`);
    rounds.push(result);
  }
  type Figure = Exclude<keyof Round, "server_threads_us">;
  const mid = (side: Side, key: Figure) => median(rounds.map((r) => (r[side] as Round)[key]));
  const threads = (side: Side) => {
    const split = rounds.map((r) => (r[side] as Round).server_threads_us);
    const first = split[0];
    if (first === undefined) return {};
    const keys = Object.keys(first) as (keyof typeof first)[];
    return { server_threads_us: Object.fromEntries(keys.map((k) => [k, median(split.map((t) => t?.[k] ?? 0))])) };
  };
  const summary = (side: Side) => ({
    per_second: mid(side, "per_second"),
    p50_ms: mid(side, "p50_ms"),
    p99_ms: mid(side, "p99_ms"),
    server_cpu_us: mid(side, "server_cpu_us"),
    ...threads(side),
    load_generator_cpu_us: mid(side, "load_generator_cpu_us"),
    errors: rounds.reduce((n, r) => n + (r[side] as Round).errors, 0),
  });
  const ratio = (a: Side, b: Side, key: "per_second" | "server_cpu_us") =>
    round2(median(rounds.map((r) => (r[a] as Round)[key] / (r[b] as Round)[key])));
  return {
    rounds,
    subject: summary("subject"),
    peer: summary("peer"),
    median_round_ratio: ratio("subject", "peer", "per_second"),
    median_cpu_ratio: ratio("subject", "peer", "server_cpu_us"),
    ...(sides.baseline
      ? {
          baseline: summary("baseline"),
          median_round_ratio_over_baseline: ratio("subject", "baseline", "per_second"),
          median_cpu_ratio_over_baseline: ratio("subject", "baseline", "server_cpu_us"),
          median_cpu_ratio_baseline_over_peer: ratio("baseline", "peer", "server_cpu_us"),
        }
      : {}),
  };
}

const result: Record<string, unknown> = {
  benchmark: "full HTTP stack (SQLite, synchronous=FULL) vs raw node:http peers, same run",
  date: new Date().toISOString(),
  machine: machine(),
  rounds: ROUNDS,
};
const stopped: Running[] = baseline ? [full, baseline] : [full];

if (ONLY !== "writes") {
  const seq = await post("/api/v1/sequences", { name: "Bench", length: 16 });
  const getBody = await (await fetch(`${full.url}/api/v1/sequences/${seq.id}`, { headers })).text();
  const raw = await startProcess(join(here, "raw-server.ts"), { args: [getBody] });
  stopped.push(raw);
  const get: LoadRequest = { method: "GET", path: `/api/v1/sequences/${seq.id}`, headers };
  const job = { concurrency: 16, seconds: SECONDS, requests: [get] };
  const get1 = await compare({ subject: [full, job], peer: [raw, job] }, SECONDS);
  result.get_one_sequence = {
    clients: 16,
    round_s: SECONDS,
    body_bytes: Buffer.byteLength(getBody),
    full_stack: get1.subject,
    raw_node_http: get1.peer,
    median_round_ratio_full_over_raw: get1.median_round_ratio,
    median_cpu_per_get_ratio_full_over_raw: get1.median_cpu_ratio,
    goal: "ratio >= 0.8",
    rounds: get1.rounds,
  };
}

if (ONLY !== "get") {
  // 32 clients, each patching its own sequence's metadata: a durable commit each.
  const rawWrites = await startProcess(join(here, "raw-writes-server.ts"));
  stopped.push(rawWrites);
  const patchesOf = async (server: Running) => {
    const requests: LoadRequest[] = [];
    for (let i = 0; i < 32; i++) {
      const { id } = await postTo(server, "/api/v1/sequences", { name: `M${i}`, length: 1 });
      requests.push({ ...patch, path: `/api/v1/sequences/${id}` });
    }
    return requests;
  };
  const patch = {
    method: "PATCH",
    headers: { ...headers, "Content-Type": "application/merge-patch+json" },
    body: '{"metadata":{"n":{i}}}',
  };
  const requests = await patchesOf(full);
  const rawRequests = requests.map((r) => ({ ...r, path: r.path.replace("/api/v1/sequences/", "/docs/") }));
  const baselineRequests = baseline ? await patchesOf(baseline) : [];
  const seconds = Number(process.env.BENCH_WRITE_SECONDS ?? 5);
  const fsyncBefore = fsyncLatency();
  const writes = await compare(
    {
      subject: [full, { concurrency: 32, seconds, requests, templated: true }],
      peer: [rawWrites, { concurrency: 32, seconds, requests: rawRequests, templated: true }],
      baseline: baseline
        ? [baseline, { concurrency: 32, seconds, requests: baselineRequests, templated: true }]
        : undefined,
    },
    seconds,
  );
  result.durable_mutations_32_clients = {
    clients: 32,
    round_s: seconds,
    full_stack: writes.subject,
    raw_node_http_sqlite: writes.peer,
    median_round_ratio_full_over_raw: writes.median_round_ratio,
    median_cpu_per_mutation_ratio_full_over_raw: writes.median_cpu_ratio,
    ...(writes.baseline
      ? {
          baseline: { server: process.env.BENCH_BASELINE, ...writes.baseline },
          median_round_ratio_full_over_baseline: writes.median_round_ratio_over_baseline,
          median_cpu_per_mutation_ratio_full_over_baseline: writes.median_cpu_ratio_over_baseline,
          median_cpu_per_mutation_ratio_baseline_over_raw: writes.median_cpu_ratio_baseline_over_peer,
        }
      : {}),
    goal: "5,000/s with p99 < 10 ms",
    // The disk's fsync latency just before and after the rounds: no durable commit is faster.
    fsync_4k: { before: fsyncBefore, after: fsyncLatency() },
    // Where the tail forms: the server's own time per PATCH (its log line's duration_ms: from the
    // request's headers parsed to the answer written, the fsync wait included) over every round
    // and warm-up, against the load generator's latency (which adds the sockets, the time before
    // the server's event loop reads a request, and the load generator's own delays).
    server_logged_ms: loggedDurations(full.logFile, "PATCH"),
    ...(baseline ? { baseline_server_logged_ms: loggedDurations(baseline.logFile, "PATCH") } : {}),
    rounds: writes.rounds,
  };
}

/** p50 / p99 / p99.9 / max of the duration_ms of a server's request log lines of `method`. */
function loggedDurations(logFile: string, method: string) {
  const durations: number[] = [];
  for (const line of readFileSync(logFile, "utf8").split("\n")) {
    if (!line.includes('"msg":"request"') || !line.includes(`"method":"${method}"`)) continue;
    const ms = (JSON.parse(line) as { duration_ms?: number }).duration_ms;
    if (typeof ms === "number") durations.push(ms);
  }
  durations.sort((a, b) => a - b);
  const at = (q: number) => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))] ?? Number.NaN;
  return {
    requests: durations.length,
    p50: at(0.5),
    p99: at(0.99),
    p999: at(0.999),
    max: durations.at(-1) ?? Number.NaN,
  };
}

loader.stop();
await Promise.all(stopped.map((s) => s.stop()));
result.load_average_1m = { start: loadStart, end: loadAverage() };
// The full run records http-stack.json; the write rounds against a baseline checkout record
// their own file (the before/after of a change, measured in the same run).
const file =
  ONLY === undefined ? "http-stack.json" : ONLY === "writes" && baseline ? "http-stack-writes-baseline.json" : "";
if (process.env.BENCH_NO_WRITE !== "1" && file !== "") {
  writeFileSync(join(here, "results", file), `${JSON.stringify(result, null, 2)}\n`);
}
const { rounds: _g, ...getSummary } = (result.get_one_sequence ?? {}) as Record<string, unknown>;
const { rounds: _w, ...writeSummary } = (result.durable_mutations_32_clients ?? {}) as Record<string, unknown>;
console.log(
  JSON.stringify({ ...result, get_one_sequence: getSummary, durable_mutations_32_clients: writeSummary }, null, 2),
);
process.exit(0);
