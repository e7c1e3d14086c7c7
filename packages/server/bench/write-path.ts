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
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { load } from "./load.ts";
import { processCpuSeconds, startCluster } from "./pg-cluster.ts";

const KEY = "bench-key-0123456789abcdef";
const CLIENTS = 32;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WITH_KEYS = process.env.BENCH_IDEMPOTENCY === "1";
const here = import.meta.dirname;

function start(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  // BENCH_SERVER: another checkout's src/main.ts (to measure older code the same way).
  const child = spawn(process.execPath, [process.env.BENCH_SERVER ?? join(here, "../src/main.ts")], {
    env: {
      ...process.env,
      PORT: "0",
      API_KEYS: `bench=${KEY}`,
      RATE_LIMIT: "1000000000/1000000000",
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    // Read the output up to the URL, then only drain it.
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m?.[1]) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve({ url: m[1], child });
      }
    };
    child.stdout?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

const loadStart = loadavg()[0] ?? 0;
const cluster = await startCluster();
let servers: ChildProcess[] = [];
const stopAll = () => {
  for (const child of servers) child.kill("SIGTERM");
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
  servers = Object.values(engines).map((e) => e.child);
  const headers = { "X-API-Key": KEY, "Content-Type": "application/json" };
  const patches = new Map<
    string,
    (client: number, i: number) => { method: string; path: string; headers: Record<string, string>; body: string }
  >();
  for (const [name, server] of Object.entries(engines)) {
    const ids: string[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const r = await fetch(`${server.url}/api/v1/sequences`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name: `M${i}`, length: 1 }),
      });
      ids.push(((await r.json()) as { id: string }).id);
    }
    patches.set(name, (client, i) => ({
      method: "PATCH",
      path: `/api/v1/sequences/${ids[client]}`,
      headers: { ...headers, "Content-Type": "application/merge-patch+json" },
      body: JSON.stringify({ metadata: { n: i } }),
    }));
    let keyed = 0;
    const plain = patches.get(name);
    patches.set(`${name}+keys`, (client, i) => {
      const request = (plain as NonNullable<typeof plain>)(client, i);
      return { ...request, headers: { ...request.headers, "Idempotency-Key": `bench-${process.pid}-${++keyed}` } };
    });
  }

  type Round = {
    per_second: number;
    p50_ms: number;
    p99_ms: number;
    errors: number;
    server_cpu_us_per_mutation: number;
    postgres_cpu_us_per_mutation: number;
  };
  const run = async (name: keyof typeof engines, seconds: number, keys = false): Promise<Round> => {
    const server = engines[name];
    const pid = server.child.pid as number;
    const server0 = processCpuSeconds(pid);
    const pg0 = cluster.cpuSeconds();
    const request = patches.get(keys ? `${name}+keys` : name) as never;
    const r = await load(server.url, { concurrency: CLIENTS, seconds, request });
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
