// Finely interleaved paired measurement of two arms (e.g. an SDK call and the raw client's call
// doing the same work), for figures that hold on a shared machine. A pair is one batch of each
// arm, in an order drawn at random per pair; each batch starts from the same heap state (a
// scavenge of the young generation, outside the measurement) and is measured in this process's CPU time
// (process.cpuUsage) and wall time. Drift (a neighbour's load, CPU frequency, GC debt) then
// lands on both arms of a pair alike, and the per-pair ratios spread around the true ratio:
// their median and interquartile range are the figures. The first pairs are warm-up, discarded.

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gcFn = runInNewContext("gc") as (opts?: { type: "minor" | "major" }) => void;
// A scavenge before every batch empties the young generation, so each batch starts alike and
// pays for what it allocates. A full GC (BENCH_GC=major) was worse: its concurrent work lands on
// the next batch (CPU per call 313 µs instead of 137 µs, fetch-over-fetch IQR 0.80-1.38 instead
// of 0.92-1.09 at load 1.5); none (BENCH_GC=none): IQR 0.89-1.18.
const GC_MODE = process.env.BENCH_GC ?? "minor";
const gc = () => {
  if (GC_MODE !== "none") gcFn({ type: GC_MODE === "minor" ? "minor" : "major" });
};

export type Call = () => Promise<unknown>;

export interface PairedOptions {
  /** Calls per batch (one arm's share of a pair). */
  batch: number;
  /** Measured pairs. */
  pairs: number;
  /** Pairs run first and discarded (JIT, connection set-up, caches). */
  warmupPairs: number;
}

export interface Batch {
  /** Per call, µs. */
  cpu_us: number;
  wall_us: number;
  /** Heap growth over the batch per call, bytes (what it allocated, unless a scavenge ran). */
  heap_bytes: number;
}

export interface Pair {
  first: "a" | "b";
  a: Batch;
  b: Batch;
}

async function runBatch(call: Call, n: number): Promise<Batch> {
  gc(); // the same starting young generation for every batch of either arm
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await call();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const heap = process.memoryUsage().heapUsed - heap0;
  return { cpu_us: (cpu.user + cpu.system) / n, wall_us: (wall * 1000) / n, heap_bytes: heap / n };
}

/** Runs warm-up and measured pairs of arms a and b; returns the measured pairs. */
export async function runPairs(a: Call, b: Call, opts: PairedOptions): Promise<Pair[]> {
  const out: Pair[] = [];
  for (let i = 0; i < opts.warmupPairs + opts.pairs; i++) {
    const first = Math.random() < 0.5 ? "a" : "b";
    let ra: Batch;
    let rb: Batch;
    if (first === "a") {
      ra = await runBatch(a, opts.batch);
      rb = await runBatch(b, opts.batch);
    } else {
      rb = await runBatch(b, opts.batch);
      ra = await runBatch(a, opts.batch);
    }
    if (i >= opts.warmupPairs) out.push({ first, a: ra, b: rb });
  }
  return out;
}

/** The q-quantile (0..1) of values, linear interpolation between order statistics. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

const r3 = (x: number) => Number(x.toFixed(3));
const r2 = (x: number) => Number(x.toFixed(2));

/** Median and quartiles of the per-pair ratios a/b (arm a over arm b), CPU and wall. */
export function summarize(pairs: readonly Pair[]) {
  const cpuRatios = pairs.map((p) => p.a.cpu_us / p.b.cpu_us);
  const wallRatios = pairs.map((p) => p.a.wall_us / p.b.wall_us);
  const cpuDiffs = pairs.map((p) => p.a.cpu_us - p.b.cpu_us);
  const sum = (f: (p: Pair) => number) => pairs.reduce((s, p) => s + f(p), 0);
  return {
    pairs: pairs.length,
    cpu_ratio: {
      median: r3(quantile(cpuRatios, 0.5)),
      p25: r3(quantile(cpuRatios, 0.25)),
      p75: r3(quantile(cpuRatios, 0.75)),
      of_totals: r3(sum((p) => p.a.cpu_us) / sum((p) => p.b.cpu_us)),
    },
    wall_ratio: {
      median: r3(quantile(wallRatios, 0.5)),
      p25: r3(quantile(wallRatios, 0.25)),
      p75: r3(quantile(wallRatios, 0.75)),
    },
    cpu_us_per_call: {
      a_median: r2(
        quantile(
          pairs.map((p) => p.a.cpu_us),
          0.5,
        ),
      ),
      b_median: r2(
        quantile(
          pairs.map((p) => p.b.cpu_us),
          0.5,
        ),
      ),
      a_minus_b_median: r2(quantile(cpuDiffs, 0.5)),
      a_minus_b_p25: r2(quantile(cpuDiffs, 0.25)),
      a_minus_b_p75: r2(quantile(cpuDiffs, 0.75)),
    },
    heap_bytes_per_call_median: {
      a: Math.round(
        quantile(
          pairs.map((p) => p.a.heap_bytes),
          0.5,
        ),
      ),
      b: Math.round(
        quantile(
          pairs.map((p) => p.b.heap_bytes),
          0.5,
        ),
      ),
    },
  };
}
