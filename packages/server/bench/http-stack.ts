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
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { perUnitUs } from "./lib/cpu.ts";
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
const loader = startLoader();
const headers = { "X-API-Key": BENCH_KEY, "Content-Type": "application/json", Origin: "http://bench.example" };
const post = (path: string, body: unknown) =>
  fetch(`${full.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) }).then(
    (r) => r.json() as Promise<{ id: string }>,
  );

interface Round {
  per_second: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  server_cpu_us: number;
  load_generator_cpu_us: number;
}

async function measure(server: Running, job: Omit<LoadJob, "base">): Promise<Round> {
  const cpu0 = server.cpuSeconds();
  const r = await loader.run({ ...job, base: server.url });
  const cpu = server.cpuSeconds() - cpu0;
  return {
    per_second: Math.round(r.rps),
    p50_ms: round2(r.p50_ms),
    p99_ms: round2(r.p99_ms),
    errors: r.errors,
    server_cpu_us: perUnitUs(cpu, r.requests),
    load_generator_cpu_us: perUnitUs(r.cpuSeconds, r.requests),
  };
}

/** Warm-up of both (1 s each: a cold first round times the JIT), then alternating rounds. */
async function compare(
  sides: { subject: [Running, Omit<LoadJob, "base">]; peer: [Running, Omit<LoadJob, "base">] },
  seconds: number,
) {
  for (const [server, job] of [sides.subject, sides.peer]) await measure(server, { ...job, seconds: 1 });
  const rounds: { subject: Round; peer: Round }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (["subject", "peer"] as const) : (["peer", "subject"] as const);
    const result = {} as { subject: Round; peer: Round };
    for (const side of order) result[side] = await measure(sides[side][0], { ...sides[side][1], seconds });
    console.error(`round ${round + 1}: ${JSON.stringify(result)}`);
    rounds.push(result);
  }
  const mid = (side: "subject" | "peer", key: keyof Round) => median(rounds.map((r) => r[side][key]));
  const summary = (side: "subject" | "peer") => ({
    per_second: mid(side, "per_second"),
    p50_ms: mid(side, "p50_ms"),
    p99_ms: mid(side, "p99_ms"),
    server_cpu_us: mid(side, "server_cpu_us"),
    load_generator_cpu_us: mid(side, "load_generator_cpu_us"),
    errors: rounds.reduce((n, r) => n + r[side].errors, 0),
  });
  return {
    rounds,
    subject: summary("subject"),
    peer: summary("peer"),
    median_round_ratio: round2(median(rounds.map((r) => r.subject.per_second / r.peer.per_second))),
    median_cpu_ratio: round2(median(rounds.map((r) => r.subject.server_cpu_us / r.peer.server_cpu_us))),
  };
}

const result: Record<string, unknown> = {
  benchmark: "full HTTP stack (SQLite, synchronous=FULL) vs raw node:http peers, same run",
  date: new Date().toISOString(),
  machine: machine(),
  rounds: ROUNDS,
};
const stopped: Running[] = [full];

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
  const requests: LoadRequest[] = [];
  const rawRequests: LoadRequest[] = [];
  for (let i = 0; i < 32; i++) {
    const { id } = await post("/api/v1/sequences", { name: `M${i}`, length: 1 });
    const patch = {
      method: "PATCH",
      headers: { ...headers, "Content-Type": "application/merge-patch+json" },
      body: '{"metadata":{"n":{i}}}',
    };
    requests.push({ ...patch, path: `/api/v1/sequences/${id}` });
    rawRequests.push({ ...patch, path: `/docs/${id}` });
  }
  const seconds = Number(process.env.BENCH_WRITE_SECONDS ?? 5);
  const fsyncBefore = fsyncLatency();
  const writes = await compare(
    {
      subject: [full, { concurrency: 32, seconds, requests, templated: true }],
      peer: [rawWrites, { concurrency: 32, seconds, requests: rawRequests, templated: true }],
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
    goal: "5,000/s with p99 < 10 ms",
    // The disk's fsync latency just before and after the rounds: no durable commit is faster.
    fsync_4k: { before: fsyncBefore, after: fsyncLatency() },
    rounds: writes.rounds,
  };
}

loader.stop();
await Promise.all(stopped.map((s) => s.stop()));
result.load_average_1m = { start: loadStart, end: loadAverage() };
if (process.env.BENCH_NO_WRITE !== "1" && ONLY === undefined) {
  writeFileSync(join(here, "results", "http-stack.json"), `${JSON.stringify(result, null, 2)}\n`);
}
const { rounds: _g, ...getSummary } = (result.get_one_sequence ?? {}) as Record<string, unknown>;
const { rounds: _w, ...writeSummary } = (result.durable_mutations_32_clients ?? {}) as Record<string, unknown>;
console.log(
  JSON.stringify({ ...result, get_one_sequence: getSummary, durable_mutations_32_clients: writeSummary }, null, 2),
);
process.exit(0);
