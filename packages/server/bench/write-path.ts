// Durable mutations through the whole HTTP stack, SQLite against PostgreSQL in the same run:
// 32 concurrent clients, each PATCHing its own sequence's metadata (a 2xx only once the commit
// is durable: SQLite WAL with synchronous=FULL; PostgreSQL with synchronous_commit=on). The two
// servers are separate processes, the load generator is this one; PostgreSQL is a private
// cluster (bench/pg-cluster.ts), so its CPU is this benchmark's alone. After 1 s of warm-up per
// server, alternating rounds; reported per engine: the median round's throughput and latency,
// the server process's CPU per mutation (all its threads) and PostgreSQL's (all its processes).
// Not a timed test: it prints and records figures. Run: `pnpm bench:writes` in packages/server
// (needs root or the postgres user, like tools/scripts/postgres.sh). BENCH_IDEMPOTENCY=1 adds, in
// the same rounds, the same load with a new Idempotency-Key on every request (as the SDKs send),
// on both engines, and records to results/write-path-idempotency.json instead.
import { mkdtempSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { processCpuSeconds } from "./lib/cpu.ts";
import type { LoadRequest } from "./lib/load.ts";
import { startLoader } from "./lib/loader.ts";
import { startCluster } from "./lib/pg-cluster.ts";
import { fsyncLatency } from "./lib/report.ts";
import { BENCH_KEY, type Running, startServer } from "./lib/server.ts";

const KEY = BENCH_KEY;
const CLIENTS = 32;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WITH_KEYS = process.env.BENCH_IDEMPOTENCY === "1";
const here = import.meta.dirname;
const start = (env: Record<string, string>) => startServer(env);

const loadStart = loadavg()[0] ?? 0;
const fsyncBefore = fsyncLatency();
const cluster = await startCluster();
let servers: Running[] = [];
const loader = startLoader();
const stopAll = () => {
  loader.stop();
  for (const server of servers) server.child.kill("SIGTERM");
  cluster.stop();
};
process.on("SIGINT", () => {
  stopAll();
  process.exit(130);
});

try {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query("CREATE DATABASE tka_bench");
  await admin.end();
  const databaseUrl = cluster.url.replace(/\/postgres$/, "/tka_bench");

  const engines = {
    sqlite: await start({ DATA_DIR: mkdtempSync(join(tmpdir(), "tka-bench-")) }),
    postgresql: await start({ DATA_DIR: mkdtempSync(join(tmpdir(), "tka-bench-")), DATABASE_URL: databaseUrl }),
  };
  servers = Object.values(engines);
  const headers = { "X-API-Key": KEY, "Content-Type": "application/json" };
  // Per engine, the request of each client (`{i}`: the request's number, filled in by the load
  // generator); with keys, a new Idempotency-Key on every request.
  const patches = new Map<string, LoadRequest[]>();
  for (const [name, server] of Object.entries(engines)) {
    const plain: LoadRequest[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const r = await fetch(`${server.url}/api/v1/sequences`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name: `M${i}`, length: 1 }),
      });
      plain.push({
        method: "PATCH",
        path: `/api/v1/sequences/${((await r.json()) as { id: string }).id}`,
        headers: { ...headers, "Content-Type": "application/merge-patch+json" },
        body: '{"metadata":{"n":{i}}}',
      });
    }
    patches.set(name, plain);
    patches.set(
      `${name}+keys`,
      plain.map((r) => ({ ...r, headers: { ...r.headers, "Idempotency-Key": `bench-${process.pid}-{n}` } })),
    );
  }

  type Round = {
    per_second: number;
    p50_ms: number;
    p99_ms: number;
    errors: number;
    server_cpu_us_per_mutation: number;
    postgres_cpu_us_per_mutation: number;
    load_generator_cpu_us_per_mutation: number;
  };
  const run = async (name: keyof typeof engines, seconds: number, keys = false): Promise<Round> => {
    const server = engines[name];
    const pid = server.child.pid as number;
    const server0 = processCpuSeconds(pid);
    const pg0 = cluster.cpuSeconds();
    const requests = patches.get(keys ? `${name}+keys` : name) as LoadRequest[];
    const r = await loader.run({ base: server.url, concurrency: CLIENTS, seconds, requests, templated: true });
    const serverCpu = processCpuSeconds(pid) - server0;
    const pgCpu = cluster.cpuSeconds() - pg0;
    const per = (cpu: number) => Math.round((cpu / Math.max(1, r.requests)) * 1e6);
    return {
      per_second: Math.round(r.rps),
      p50_ms: Number(r.p50_ms.toFixed(2)),
      p99_ms: Number(r.p99_ms.toFixed(2)),
      errors: r.errors,
      server_cpu_us_per_mutation: per(serverCpu),
      postgres_cpu_us_per_mutation: per(pgCpu),
      load_generator_cpu_us_per_mutation: per(r.cpuSeconds),
    };
  };

  for (const name of Object.keys(engines) as (keyof typeof engines)[]) await run(name, 1, WITH_KEYS);
  const rounds: Record<keyof typeof engines, Round[]> = { sqlite: [], postgresql: [] };
  const keyedRounds: Record<keyof typeof engines, Round[]> = { sqlite: [], postgresql: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which engine goes first, so drifting machine load hits both alike.
    const order: (keyof typeof engines)[] = round % 2 === 0 ? ["sqlite", "postgresql"] : ["postgresql", "sqlite"];
    for (const name of order) {
      for (const keys of WITH_KEYS ? (round % 2 === 0 ? [false, true] : [true, false]) : [false]) {
        const result = await run(name, SECONDS, keys);
        (keys ? keyedRounds : rounds)[name].push(result);
        console.error(`round ${round + 1} ${name}${keys ? " with keys" : ""}: ${JSON.stringify(result)}`);
      }
    }
  }
  const median = (list: Round[]) => [...list].sort((a, b) => a.per_second - b.per_second)[Math.floor(list.length / 2)];
  const sqlite = median(rounds.sqlite) as Round;
  const postgresql = median(rounds.postgresql) as Round;
  // Each round ran the two back to back: their ratio is the least disturbed by the machine's
  // drifting load (other jobs share it).
  const paired = rounds.postgresql.map((r, i) => r.per_second / (rounds.sqlite[i]?.per_second ?? Number.NaN));
  const pairedMedian = [...paired].sort((a, b) => a - b)[Math.floor(paired.length / 2)] ?? Number.NaN;
  // The keyed rounds: each engine against itself without keys (run back to back), and the engines
  // against each other with keys.
  function keyedSummary() {
    const ratio = (a: Round[], b: Round[]) =>
      a.map((r, i) => Number((r.per_second / (b[i]?.per_second ?? Number.NaN)).toFixed(2)));
    const mid = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
    const sqliteKeys = ratio(keyedRounds.sqlite, rounds.sqlite);
    const postgresKeys = ratio(keyedRounds.postgresql, rounds.postgresql);
    const engines = ratio(keyedRounds.postgresql, keyedRounds.sqlite);
    return {
      sqlite: { median: median(keyedRounds.sqlite), rounds: keyedRounds.sqlite },
      postgresql: { median: median(keyedRounds.postgresql), rounds: keyedRounds.postgresql },
      round_ratios_keys_over_plain: { sqlite: sqliteKeys, postgresql: postgresKeys },
      median_keys_over_plain: { sqlite: mid(sqliteKeys), postgresql: mid(postgresKeys) },
      round_ratios_postgresql_over_sqlite: engines,
      median_round_ratio: mid(engines),
    };
  }
  const result = {
    benchmark: "durable mutations, 32 clients, full HTTP stack: SQLite vs PostgreSQL, same run",
    date: new Date().toISOString(),
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}), shared with other jobs`,
    load_average_1m: { start: Number(loadStart.toFixed(1)), end: Number((loadavg()[0] ?? 0).toFixed(1)) },
    // The disk's fsync latency before and after the rounds: no durable commit is faster.
    fsync_4k: { before: fsyncBefore, after: fsyncLatency() },
    warmup_s: 1,
    round_s: SECONDS,
    sqlite: { median: sqlite, rounds: rounds.sqlite },
    postgresql: { median: postgresql, rounds: rounds.postgresql },
    throughput_ratio_postgresql_over_sqlite: Number((postgresql.per_second / sqlite.per_second).toFixed(2)),
    round_ratios_postgresql_over_sqlite: paired.map((r) => Number(r.toFixed(2))),
    median_round_ratio: Number(pairedMedian.toFixed(2)),
    goal: "PostgreSQL at least as fast as SQLite (ratio >= 1)",
    ...(WITH_KEYS ? { with_idempotency_keys: keyedSummary() } : {}),
  };
  if (process.env.BENCH_NO_WRITE !== "1") {
    const file = WITH_KEYS ? "write-path-idempotency.json" : "write-path.json";
    writeFileSync(join(here, "results", file), `${JSON.stringify(result, null, 2)}\n`);
  }
  console.log(JSON.stringify(result, null, 2));
} finally {
  stopAll();
}
process.exit(0);
