// Benchmarks of the full HTTP stack, each against a peer measured in the same run:
// - GET of one sequence through the full stack vs a raw node:http server returning the same JSON
//   (goal: ratio >= 0.7);
// - durable mutations per second and p50/p99 latency at 32 concurrent clients (goal p99 < 20 ms).
// Not timed tests: it prints and records figures. Run: `pnpm bench:http` in packages/server.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "./load.ts";

const KEY = "bench-key-0123456789abcdef";
const here = import.meta.dirname;

function start(args: string[], env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    // Read the output up to the URL, then only drain it: keeping and re-scanning every log line
    // made this process (the load generator) slower as the run went on.
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

const full = await start([join(here, "../src/main.ts")], {
  PORT: "0",
  DATA_DIR: mkdtempSync(join(tmpdir(), "tka-bench-")),
  API_KEYS: `bench=${KEY}`,
  RATE_LIMIT: "1000000000/1000000000",
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
});
const headers = { "X-API-Key": KEY, "Content-Type": "application/json" };
const post = (path: string, body: unknown) =>
  fetch(`${full.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) }).then(
    (r) => r.json() as Promise<{ id: string }>,
  );
const seq = await post("/api/v1/sequences", { name: "Bench", length: 16 });
const getBody = await (await fetch(`${full.url}/api/v1/sequences/${seq.id}`, { headers })).text();
const raw = await start([join(here, "raw-server.ts"), getBody]);

// GET: alternate rounds so machine noise hits both sides alike; the median ratio is reported.
// Both servers are warmed up first (one second each), so the rounds compare compiled code: a
// first round measured cold mostly timed the JIT compiling the full stack.
const getRequest = (withKey: boolean) => () => ({
  method: "GET",
  path: `/api/v1/sequences/${seq.id}`,
  ...(withKey ? { headers } : {}),
});
await load(full.url, { concurrency: 16, seconds: 1, request: getRequest(true) });
await load(raw.url, { concurrency: 16, seconds: 1, request: getRequest(false) });
const ratios: number[] = [];
const rounds: { full: number; raw: number }[] = [];
for (let round = 0; round < 3; round++) {
  const f = await load(full.url, { concurrency: 16, seconds: 3, request: getRequest(true) });
  const r = await load(raw.url, { concurrency: 16, seconds: 3, request: getRequest(false) });
  rounds.push({ full: Math.round(f.rps), raw: Math.round(r.rps) });
  ratios.push(f.rps / r.rps);
}
ratios.sort((a, b) => a - b);

// Mutations: 32 clients, each patching its own sequence's metadata (a durable commit each),
// warmed up for 1 s like the GET rounds: measured cold, the first second (the JIT compiling the
// write path, the heap growing) set the p99.
const ids: string[] = [];
for (let i = 0; i < 32; i++) ids.push((await post("/api/v1/sequences", { name: `M${i}`, length: 1 })).id);
const patch = (client: number, i: number) => ({
  method: "PATCH",
  path: `/api/v1/sequences/${ids[client]}`,
  headers: { ...headers, "Content-Type": "application/merge-patch+json" },
  body: JSON.stringify({ metadata: { n: i } }),
});
await load(full.url, { concurrency: 32, seconds: 1, request: patch });
const mutations = await load(full.url, { concurrency: 32, seconds: 5, request: patch });

full.child.kill("SIGTERM");
raw.child.kill("SIGTERM");
const result = {
  benchmark: "full HTTP stack (SQLite, synchronous=FULL) vs raw node:http, same run",
  date: new Date().toISOString(),
  get_one_sequence: {
    warmup_s: 1,
    rounds_rps: rounds,
    median_ratio_full_over_raw: ratios[1],
    goal: ">= 0.7",
  },
  durable_mutations_32_clients: {
    warmup_s: 1,
    per_second: Math.round(mutations.rps),
    p50_ms: Number(mutations.p50_ms.toFixed(2)),
    p99_ms: Number(mutations.p99_ms.toFixed(2)),
    errors: mutations.errors,
    goal: "p99 < 20 ms",
  },
};
writeFileSync(join(here, "results", "http-stack.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
process.exit(0);
