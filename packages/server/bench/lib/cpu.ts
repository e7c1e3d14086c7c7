// CPU time of processes, read from /proc, so a figure is the CPU a unit of work costs (comparable
// across machines and loads) rather than only the wall time it took on a shared machine.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const ticks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

/**
 * utime + stime of a process (every thread of it), in seconds (+ cutime + cstime with `reaped`:
 * its children that exited); 0 once it is gone. Resolution: one clock tick (10 ms).
 */
export function processCpuSeconds(pid: number, reaped = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const at = (n: number) => Number(fields[n - 3]);
    return (at(14) + at(15) + (reaped ? at(16) + at(17) : 0)) / ticks;
  } catch {
    return 0;
  }
}

/** Microseconds of CPU per unit: `seconds` of CPU spread over `units`. */
export function perUnitUs(seconds: number, units: number): number {
  return Math.round((seconds / Math.max(1, units)) * 1e6 * 10) / 10;
}
