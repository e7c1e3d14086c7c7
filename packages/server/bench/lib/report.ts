// What every benchmark result records about the run and the machine, and small statistics.
import { cpus, loadavg } from "node:os";

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
