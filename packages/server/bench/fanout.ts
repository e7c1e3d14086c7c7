// Live-event fan-out benchmark (issue 9): commit-to-delivery latency and the writer's
// acknowledgement latency with 0, 1, 100, 1,000 and 10,000 WebSocket subscribers and 1,000 SSE
// subscribers, at 100 and 500 mutations/s, on SQLite and on two PostgreSQL instances sharing
// one database; memory per idle connection; lost and duplicated deliveries for every run. The
// peer of each writer figure is the same writer with no subscriber, measured in the same run.
//
// Load generators are separate processes: the writer (fanout-writer.ts) and subscriber processes
// of at most 2,500 connections each, in Go (fanout-load/, built at start when `go` is on the
// PATH; it costs a fraction of the CPU of the Node one) or in Node (fanout-subscribers.ts;
// BENCH_LOADGEN=node, or without Go). Their CPU is reported next to the server's. Delivery
// latency is timed from the writer's send (the commit happens between send and acknowledgement,
// so this is an upper bound of commit-to-delivery), over every delivery to every subscriber; "after ack" is, per mutation, the last subscriber's arrival
// minus the writer's acknowledgement (the fan-out's tail once the write is known durable).
// The servers run with LOG_LEVEL=debug and report every fanned-out batch (fanout-split.ts):
// each run splits the delivery time into commit, wait for the fan-out, fan-out and tail.
//
// Run: `pnpm bench:fanout` in packages/server (PostgreSQL too when TKA_TEST_DATABASE_URL is set;
// BENCH_QUICK=1 for a short pass; BENCH_RATES=100,500 and BENCH_ONLY=1000-ws,1000-sse choose
// runs; BENCH_OUT another results file). Figures go to bench/results/fanout.json.
import { type ChildProcess, execSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { PgStore } from "../src/store/postgres/pg-store.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import type { Store } from "../src/store/types.ts";
import { FanOutLog, histogramPercentiles, type Split, splitDelivery } from "./fanout-split.ts";

const KEY = "bench-key-0123456789abcdef";
const PROJECT = "bench";
const here = import.meta.dirname;
const quick = process.env.BENCH_QUICK === "1";
const SECONDS = quick ? 3 : 5;
const WARMUP_SECONDS = 1;
const PER_PROCESS = 2_500;
const SEQUENCES = 16;

interface Running {
  url: string;
  child: ChildProcess;
}

/** Every server's fan-out reports (the current backend's). */
let fanOutLog = new FanOutLog();

function startServer(env: Record<string, string>): Promise<Running> {
  // BENCH_SERVER_ARGS: extra Node flags for the servers (for example --cpu-prof).
  const extra = process.env.BENCH_SERVER_ARGS?.split(" ").filter(Boolean) ?? [];
  // BENCH_SERVER_MAIN: another checkout's src/main.ts (to compare two versions on one machine).
  const main = process.env.BENCH_SERVER_MAIN ?? join(here, "../src/main.ts");
  const child = spawn(process.execPath, [...extra, main], {
    env: {
      ...process.env,
      PORT: "0",
      API_KEYS: `${PROJECT}=${KEY}`,
      RATE_LIMIT: "1000000000/1000000000",
      // Every subscriber connects from this machine: the cap per client address would refuse most.
      MAX_CONNECTIONS_PER_IP: "0",
      // debug: one "events fanned out" line per batch, with the server's timestamps.
      LOG_LEVEL: "debug",
      LOG_FORMAT: "json",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let started = false;
    // biome-ignore lint/style/noNonNullAssertion: stdio is "pipe"
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (started) return fanOutLog.feed(line);
      out += `${line}\n`;
      const m = /"url":"(http:\/\/[^"]+)"/.exec(line);
      if (m?.[1]) {
        started = true;
        resolve({ url: m[1], child });
      }
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

async function stopServer(server: Running): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

/** A process and its descendants (a server's delivery processes), from /proc. */
function tree(pid: number | undefined): number[] {
  const pids = [pid as number];
  for (let i = 0; i < pids.length; i++) {
    try {
      const children = readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, "utf8");
      pids.push(...children.split(" ").filter(Boolean).map(Number));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Summed over a process and its descendants (a process gone meanwhile counts 0). */
const overTree = (read: (pid: number) => number) => (pid: number | undefined) =>
  tree(pid).reduce((sum, p) => {
    try {
      return sum + read(p);
    } catch {
      return sum;
    }
  }, 0);

/** Resident memory of a process, from /proc (bytes). */
function rss(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** CPU time a process has used so far (user + system, ms), from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A server's figures include its delivery processes. */
const serverRss = overTree(rss);
const serverCpuMs = overTree(cpuMs);

/** The Go subscriber load generator, built once (null: use the Node one). */
function buildGoLoadGenerator(): string | null {
  if (process.env.BENCH_LOADGEN === "node") return null;
  const binary = join(mkdtempSync(join(tmpdir(), "tka-fanout-load-")), "fanout-load");
  try {
    execSync(`go build -o ${binary} .`, { cwd: join(here, "fanout-load"), stdio: ["ignore", "ignore", "inherit"] });
    return binary;
  } catch (error) {
    if (process.env.BENCH_LOADGEN === "go") throw error;
    console.error("go build failed or go is missing: the subscribers run in Node (fanout-subscribers.ts)");
    return null;
  }
}
const goLoadGenerator = buildGoLoadGenerator();

/** Write system calls a process has made so far (write, writev, ...: `syscw` of /proc/<pid>/io). */
function writeCalls(pid: number | undefined): number {
  return Number(/syscw: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? 0);
}
const serverWriteCalls = overTree(writeCalls);

/** Spawns a load process (a script run by Node, or an executable) and hands back its JSON output lines. */
function loadProcess(script: string, options: unknown) {
  const [command, args] = script.endsWith(".ts")
    ? [process.execPath, [join(here, script), JSON.stringify(options)]]
    : [script, [JSON.stringify(options)]];
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const queue: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  lines.on("line", (line) => {
    queue.push(JSON.parse(line) as Record<string, unknown>);
    for (const w of waiters.splice(0)) w();
  });
  // Once its output is read to the end (its exit can come before its last lines are read).
  const exited = new Promise<void>((resolve) => lines.once("close", () => resolve()));
  return {
    child,
    async next(): Promise<Record<string, unknown>> {
      for (;;) {
        const line = queue.shift();
        if (line) return line;
        const failed = await Promise.race([
          new Promise<false>((resolve) => waiters.push(() => resolve(false))),
          exited.then(() => true),
        ]);
        if (failed && queue.length === 0) throw new Error(`${script} exited (${child.exitCode})`);
      }
    },
    send: (line: string) => child.stdin.write(`${line}\n`),
    exited,
  };
}

async function createSequences(url: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < SEQUENCES; i++) {
    const response = await fetch(`${url}/api/v1/sequences`, {
      method: "POST",
      headers: { "X-API-Key": KEY, "Content-Type": "application/json" },
      body: JSON.stringify({ name: `fan-${i}`, length: 1 }),
    });
    ids.push(((await response.json()) as { id: string }).id);
  }
  return ids;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
};
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

interface Run {
  backend: string;
  /** The machine's load average (1, 5, 15 min) when the run started. */
  load_average: string;
  subscribers: string;
  rate: number;
  writer: { achieved_per_s: number; ack_p50_ms: number; ack_p99_ms: number; errors: number; lateStarts: number };
  /** Server CPU (all instances) from the writer's start until every subscriber had everything. */
  server_cpu_ms: number;
  delivery?: {
    /** Timed deliveries (the measured mutations' events, every subscriber). */
    deliveries: number;
    /** Every event received, warm-up included (what the server fanned out). */
    received: number;
    p50_ms: number;
    p99_ms: number;
    max_ms: number;
    after_ack_p50_ms: number;
    after_ack_p99_ms: number;
    lost: number;
    duplicated: number;
    outOfOrder: number;
    /** Deliveries still missing when the run stopped waiting (not lost: the backlog). */
    undelivered: number;
    reconnects: number;
    incomplete: number;
    /** Server CPU per event received by a subscriber (µs; the writer's requests included). */
    server_cpu_us_per_delivery: number;
    /** CPU the subscriber processes used, per second of the run (1 = one core). */
    subscriber_cores: number;
    /** CPU of the servers (all instances), per second of the run. */
    server_cores: number;
    /** The servers' write system calls (all threads: sockets, log, database) per delivery. */
    server_writes_per_delivery: number;
    /** Server CPU per delivery beyond the same writer's with no subscriber (same backend and rate, same run), µs. */
    fanout_cpu_us_per_delivery?: number;
    /** Commit-to-delivery: each delivery's arrival minus the server's acknowledgement of its commit. */
    from_commit_p50_ms?: number;
    from_commit_p99_ms?: number;
    from_commit_max_ms?: number;
    from_commit_deliveries?: number;
  };
  /** Where the delivery time went (medians and p99s over the measured mutations; fanout-split.ts). */
  split?: Split;
  idle_bytes_per_connection?: number;
}

async function run(
  backend: string,
  servers: Running[],
  store: Store,
  sequences: string[],
  kind: "ws" | "sse",
  count: number,
  rate: number,
): Promise<Run> {
  const urls = servers.map((s) => s.url);
  const loadAtStart = loadAverage();
  const rssBefore = servers.reduce((sum, s) => sum + serverRss(s.child.pid), 0);
  const subscribers = Array.from({ length: Math.ceil(count / PER_PROCESS) }, (_, i) =>
    loadProcess(goLoadGenerator ?? "fanout-subscribers.ts", {
      urls,
      key: KEY,
      kind,
      count: Math.min(PER_PROCESS, count - i * PER_PROCESS),
    }),
  );
  for (const s of subscribers) await s.next(); // {"ready": n}
  await new Promise((resolve) => setTimeout(resolve, 500));
  const rssIdle = servers.reduce((sum, s) => sum + serverRss(s.child.pid), 0);
  const from = (await store.lastEventPosition(PROJECT)) + 1;
  const cpuBefore = servers.reduce((sum, s) => sum + serverCpuMs(s.child.pid), 0);
  const writesBefore = servers.reduce((sum, s) => sum + serverWriteCalls(s.child.pid), 0);
  const subscriberCpuBefore = subscribers.reduce((sum, s) => sum + cpuMs(s.child.pid), 0);
  const started = performance.now();
  const writer = loadProcess("fanout-writer.ts", {
    urls,
    key: KEY,
    sequences,
    rate,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
  });
  const w = (await writer.next()).stats as Run["writer"] & {
    ackAt: Record<string, number>;
    sentAt: Record<string, number>;
  };
  const to = await store.lastEventPosition(PROJECT);
  const result: Run = {
    backend,
    load_average: loadAtStart,
    subscribers: count === 0 ? "none" : `${count} ${kind === "ws" ? "WebSocket" : "SSE"}`,
    rate,
    writer: {
      achieved_per_s: round(w.achieved_per_s),
      ack_p50_ms: round(w.ack_p50_ms, 2),
      ack_p99_ms: round(w.ack_p99_ms, 2),
      errors: w.errors,
      lateStarts: w.lateStarts,
    },
    server_cpu_ms: servers.reduce((sum, s) => sum + serverCpuMs(s.child.pid), 0) - cpuBefore,
  };
  if (count > 0) {
    for (const s of subscribers) s.send(`finish ${from} ${to} 120000`);
    const stats: Record<string, unknown>[] = [];
    for (const s of subscribers) stats.push((await s.next()).stats as Record<string, unknown>);
    result.server_cpu_ms = servers.reduce((sum, s) => sum + serverCpuMs(s.child.pid), 0) - cpuBefore;
    const serverWrites = servers.reduce((sum, s) => sum + serverWriteCalls(s.child.pid), 0) - writesBefore;
    const subscriberCpu = stats.reduce((n, s) => n + (s.cpu_ms as number), 0) - subscriberCpuBefore;
    const seconds = (performance.now() - started) / 1000;
    // Percentiles over all processes: weighted by their deliveries (each process's histogram is
    // its own; the p99 of the union is bracketed by the processes' p99s, the largest is reported).
    const sum = (key: string) => stats.reduce((n, s) => n + (s[key] as number), 0);
    const afterAck: number[] = [];
    for (const [k, ack] of Object.entries(w.ackAt)) {
      const last = Math.max(...stats.map((s) => (s.lastArrival as Record<string, number>)[k] ?? Number.NaN));
      if (Number.isFinite(last)) afterAck.push(last - ack);
    }
    result.delivery = {
      deliveries: sum("deliveries"),
      p50_ms: round(Math.max(...stats.map((s) => s.p50_ms as number)), 2),
      p99_ms: round(Math.max(...stats.map((s) => s.p99_ms as number)), 2),
      max_ms: round(Math.max(...stats.map((s) => s.max_ms as number)), 2),
      after_ack_p50_ms: round(percentile(afterAck, 0.5), 2),
      after_ack_p99_ms: round(percentile(afterAck, 0.99), 2),
      lost: sum("lost"),
      duplicated: sum("duplicated"),
      outOfOrder: sum("outOfOrder"),
      undelivered: sum("undelivered"),
      reconnects: sum("reconnects"),
      incomplete: sum("incomplete"),
      received: sum("received"),
      server_cpu_us_per_delivery: round((result.server_cpu_ms * 1000) / Math.max(1, sum("received")), 2),
      subscriber_cores: round(subscriberCpu / 1000 / seconds, 2),
      server_cores: round(result.server_cpu_ms / 1000 / seconds, 2),
      server_writes_per_delivery: round(serverWrites / Math.max(1, sum("received")), 3),
    };
    await fanOutLog.until(to, 2_000);
    const lastArrival: Record<string, number> = {};
    const positions: Record<string, number> = {};
    for (const s of stats) {
      for (const [k, at] of Object.entries(s.lastArrival as Record<string, number>)) {
        if ((lastArrival[k] ?? 0) < at) lastArrival[k] = at;
      }
      Object.assign(positions, s.positions as Record<string, number>);
    }
    result.split = splitDelivery(w.sentAt, positions, lastArrival, fanOutLog);
    // Commit-to-delivery: each delivery's arrival minus the server's acknowledgement of its commit.
    const commits: Record<string, number> = {};
    for (const [k, position] of Object.entries(positions)) {
      const at = fanOutLog.committedAt(position);
      if (at !== undefined) commits[k] = at;
    }
    const histograms: Record<string, number>[] = [];
    for (const s of subscribers) {
      s.send(`commits ${JSON.stringify(commits)}`);
      histograms.push((await s.next()).commit_to_delivery as Record<string, number>);
    }
    const fromCommit = histogramPercentiles(histograms);
    result.delivery.from_commit_p50_ms = fromCommit.p50_ms;
    result.delivery.from_commit_p99_ms = fromCommit.p99_ms;
    result.delivery.from_commit_max_ms = fromCommit.max_ms;
    result.delivery.from_commit_deliveries = fromCommit.count;
    result.idle_bytes_per_connection = Math.round((rssIdle - rssBefore) / count);
  }
  await Promise.all(subscribers.map((s) => s.exited));
  await writer.exited;
  return result;
}

const configs: { kind: "ws" | "sse"; count: number }[] = [
  { kind: "ws", count: 0 },
  { kind: "ws", count: 1 },
  { kind: "ws", count: 100 },
  { kind: "ws", count: 1_000 },
  { kind: "ws", count: 10_000 },
  { kind: "sse", count: 1_000 },
];
const rates = process.env.BENCH_RATES?.split(",").map(Number) ?? (quick ? [100] : [100, 500]);
const only = process.env.BENCH_ONLY?.split(",");

async function backend(
  name: string,
  start: () => Promise<{ servers: Running[]; store: Store; done: () => Promise<void> }>,
) {
  const results: Run[] = [];
  fanOutLog = new FanOutLog();
  const { servers, store, done } = await start();
  try {
    const sequences = await createSequences(servers[0]?.url as string);
    for (const rate of rates) {
      for (const config of configs) {
        const label = `${config.count}-${config.kind}`;
        if (only && !only.includes(label)) continue;
        const r = await run(name, servers, store, sequences, config.kind, config.count, rate);
        const alone = results.find((x) => x.rate === r.rate && x.delivery === undefined);
        if (r.delivery && alone) {
          r.delivery.fanout_cpu_us_per_delivery = round(
            ((r.server_cpu_ms - alone.server_cpu_ms) * 1000) / Math.max(1, r.delivery.received),
            2,
          );
        }
        results.push(r);
        console.log(JSON.stringify(r));
      }
    }
  } finally {
    await store.close();
    for (const s of servers) await stopServer(s);
    await done();
  }
  return results;
}

const nofile = execSync("ulimit -n", { shell: "/bin/bash" }).toString().trim();
// The machine is shared: its load average before and after says how much the figures can be trusted.
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const loadBefore = loadAverage();
const all: Run[] = [];
// BENCH_DELIVERY_PROCESSES: the servers' DELIVERY_PROCESSES, one pass per value (for example 0,1).
const deliveryModes = (process.env.BENCH_DELIVERY_PROCESSES ?? process.env.DELIVERY_PROCESSES ?? "0").split(",");
for (const mode of deliveryModes) {
  const delivery = { DELIVERY_PROCESSES: mode };
  const label = mode === "0" ? "" : `, ${mode} dp`;
  all.push(
    ...(await backend(`SQLite${label}`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "tka-fanout-"));
      const server = await startServer({ DATA_DIR: dataDir, ...delivery });
      return { servers: [server], store: new SqliteStore(join(dataDir, "tka.db")), done: async () => {} };
    })),
  );
  const pgUrl = process.env.TKA_TEST_DATABASE_URL;
  if (pgUrl) {
    all.push(
      ...(await backend(`PostgreSQL x2${label}`, async () => {
        const database = `tka_fanout_${randomBytes(6).toString("hex")}`;
        const admin = async (sql: string) => {
          const client = new pg.Client({ connectionString: pgUrl });
          await client.connect();
          await client.query(sql).finally(() => client.end());
        };
        await admin(`CREATE DATABASE ${database}`);
        const url = new URL(pgUrl);
        url.pathname = `/${database}`;
        // Instances of one database share the key secret.
        const shared = { DATABASE_URL: url.href, API_KEY_SECRET: randomBytes(24).toString("hex") };
        const a = await startServer({ ...shared, ...delivery, DATA_DIR: mkdtempSync(join(tmpdir(), "tka-fanout-")) });
        const b = await startServer({ ...shared, ...delivery, DATA_DIR: mkdtempSync(join(tmpdir(), "tka-fanout-")) });
        return {
          servers: [a, b],
          store: await PgStore.connect(url.href),
          done: () => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
        };
      })),
    );
  }
}

console.log(
  "\nbackend        subscribers       rate  writer/s  ack p50/p99 ms  deliver p50/p99 ms  from commit p50/p99  after-ack p99  lost dup late  fan-out us/dlv  writes/dlv  sub cores  idle B/conn",
);
for (const r of all) {
  const d = r.delivery;
  console.log(
    [
      r.backend.padEnd(20),
      r.subscribers.padEnd(17),
      String(r.rate).padStart(4),
      String(r.writer.achieved_per_s).padStart(9),
      `${r.writer.ack_p50_ms}/${r.writer.ack_p99_ms}`.padStart(15),
      (d ? `${d.p50_ms}/${d.p99_ms}` : "-").padStart(19),
      (d ? `${d.from_commit_p50_ms}/${d.from_commit_p99_ms}` : "-").padStart(20),
      (d ? String(d.after_ack_p99_ms) : "-").padStart(14),
      (d ? `${d.lost} ${d.duplicated} ${d.undelivered}` : "-").padStart(14),
      (d ? String(d.fanout_cpu_us_per_delivery ?? "-") : "-").padStart(15),
      (d ? String(d.server_writes_per_delivery) : "-").padStart(11),
      (d ? String(d.subscriber_cores) : "-").padStart(10),
      String(r.idle_bytes_per_connection ?? "-").padStart(12),
    ].join(" "),
  );
}
console.log(
  "\nwhere the time went, p50/p99 ms: commit (send to acknowledged), wait (for the fan-out), fan-out (first to last socket written), tail (to the last subscriber's read)",
);
console.log(
  "backend        subscribers       rate        commit          wait       fan-out          tail   turns p50/max  server cores  sub cores  load",
);
for (const r of all) {
  const x = r.split;
  if (x === undefined) continue;
  console.log(
    [
      r.backend.padEnd(20),
      r.subscribers.padEnd(17),
      String(r.rate).padStart(4),
      `${x.commit_p50_ms}/${x.commit_p99_ms}`.padStart(13),
      `${x.wait_p50_ms}/${x.wait_p99_ms}`.padStart(13),
      `${x.fanout_p50_ms}/${x.fanout_p99_ms}`.padStart(13),
      `${x.tail_p50_ms}/${x.tail_p99_ms}`.padStart(13),
      `${x.turns_p50}/${x.turns_max}`.padStart(15),
      String(r.delivery?.server_cores).padStart(13),
      String(r.delivery?.subscriber_cores).padStart(10),
      ` ${r.load_average}`,
    ].join(" "),
  );
}
const file = process.env.BENCH_OUT ?? join(here, "results", quick ? "fanout-quick.json" : "fanout.json");
writeFileSync(
  file,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      // The commit measured (uncommitted changes are not shown), and BENCH_NOTE: what else to know.
      code: execSync("git rev-parse --short HEAD", { cwd: here }).toString().trim(),
      note: process.env.BENCH_NOTE,
      load_average: { before: loadBefore, after: loadAverage() },
      ulimit_nofile: nofile,
      load_generator: goLoadGenerator === null ? "node" : "go",
      seconds: SECONDS,
      runs: all,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nload average before ${loadBefore}, after ${loadAverage()}; written to ${file}`);
