// Undo/redo latency with 10 vs 10,000 history entries, on the embedded SQLite store, in one run.
// The peer is the same store with 10 entries; CPU per undo/redo (this process, every thread) too.
// Goal: within 20%. Not a timed test: it reports the ratio; run with `pnpm bench:undo`.
import { mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { IdGenerator } from "../src/ids.ts";
import { SequenceService } from "../src/service/sequences.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), "tka-bench-")), "tka.db"));
const service = new SequenceService({ store, ids: new IdGenerator(), historyLimit: 20_000 });
const caller = { projectId: "bench" };

async function sequenceWithHistory(entries: number): Promise<string> {
  const seq = await service.create(caller, { name: `h${entries}`, length: 1 });
  for (let i = 1; i < entries; i++) await service.update(caller, seq.id, { name: `h${entries}-${i}` });
  return seq.id;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function measure(id: string, pairs: number): Promise<{ p50: number; p99: number; mean: number; cpuUs: number }> {
  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < pairs; i++) {
    const t0 = performance.now();
    await service.undo(caller, id);
    await service.redo(caller, id);
    samples.push((performance.now() - t0) / 2);
  }
  const cpu = process.cpuUsage(cpu0);
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  // CPU of this process (the writer thread's included) per undo or redo, in microseconds.
  const cpuUs = Math.round((cpu.user + cpu.system) / (2 * pairs));
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), mean, cpuUs };
}

const small = await sequenceWithHistory(10);
const large = await sequenceWithHistory(10_000);
// Interleave rounds so machine noise hits both sides alike.
const rounds = { small: [] as number[], large: [] as number[], smallCpu: [] as number[], largeCpu: [] as number[] };
let last = { small: { p50: 0, p99: 0, mean: 0, cpuUs: 0 }, large: { p50: 0, p99: 0, mean: 0, cpuUs: 0 } };
for (let round = 0; round < 5; round++) {
  last = { small: await measure(small, 200), large: await measure(large, 200) };
  rounds.small.push(last.small.p50);
  rounds.large.push(last.large.p50);
  rounds.smallCpu.push(last.small.cpuUs);
  rounds.largeCpu.push(last.large.cpuUs);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const result = {
  benchmark: "undo/redo latency, 10 vs 10,000 history entries (SQLite, synchronous=FULL)",
  date: new Date().toISOString(),
  small_p50_ms: median(rounds.small),
  large_p50_ms: median(rounds.large),
  ratio_large_over_small: median(rounds.large) / median(rounds.small),
  small_cpu_us_per_undo_or_redo: median(rounds.smallCpu),
  large_cpu_us_per_undo_or_redo: median(rounds.largeCpu),
  cpu_ratio_large_over_small: median(rounds.largeCpu) / median(rounds.smallCpu),
  load_average_1m: loadavg()[0],
  goal: "ratio <= 1.20",
  last_round: last,
};
await store.close();
const out = join(import.meta.dirname, "results", "undo-latency.json");
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
