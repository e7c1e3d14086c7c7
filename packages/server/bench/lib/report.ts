// What every benchmark result records about the run and the machine, and small statistics.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}), shared with other jobs`;
}

export function loadAverage(): number {
  return Number((loadavg()[0] ?? 0).toFixed(1));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * fsync of a 4 KB write in the temporary directory (where the benchmarks' databases live): p50
 * and p99 in ms over `count` syncs. Durable commits cannot be faster than this, so it is recorded
 * with every write figure (on a quiet machine of this class: p50 0.14 ms, p99 0.42 ms).
 */
export function fsyncLatency(count = 200): { p50_ms: number; p99_ms: number } {
  const file = join(mkdtempSync(join(tmpdir(), "tka-bench-fsync-")), "probe");
  const fd = openSync(file, "w");
  const page = Buffer.alloc(4096, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      writeSync(fd, page, 0, page.byteLength, (i % 64) * 4096);
      const t0 = performance.now();
      fsyncSync(fd);
      times.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => round2(times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? Number.NaN);
  return { p50_ms: at(0.5), p99_ms: at(0.99) };
}
