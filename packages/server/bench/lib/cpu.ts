// CPU time of processes, read from /proc, so a figure is the CPU a unit of work costs (comparable
// across machines and loads) rather than only the wall time it took on a shared machine.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

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

/** utime and stime (seconds) of each thread of a process, by thread id; empty once it is gone. */
export function threadCpuSeconds(pid: number): Map<number, { user: number; system: number }> {
  const threads = new Map<number, { user: number; system: number }>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      threads.set(Number(tid), { user: Number(fields[11]) / ticks, system: Number(fields[12]) / ticks });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/**
 * Where a process's CPU went between two `threadCpuSeconds` readings, in µs per unit: the main
 * thread (JavaScript, HTTP parsing, the write system calls), the busiest other thread (for the
 * TKA server with SQLite: the writer thread, SQL and fsync), and all others (V8's GC helpers,
 * libuv's pool writing the log); user and system time of the whole process.
 */
export function threadSplitUs(
  pid: number,
  before: Map<number, { user: number; system: number }>,
  after: Map<number, { user: number; system: number }>,
  units: number,
): { main_us: number; busiest_other_us: number; rest_us: number; user_us: number; system_us: number } {
  const spent = [...after].map(([tid, t]) => {
    const b = before.get(tid) ?? { user: 0, system: 0 };
    return { tid, user: t.user - b.user, system: t.system - b.system };
  });
  const total = (list: typeof spent) => list.reduce((n, t) => n + t.user + t.system, 0);
  const main = spent.filter((t) => t.tid === pid);
  const others = spent.filter((t) => t.tid !== pid).sort((a, b) => b.user + b.system - (a.user + a.system));
  return {
    main_us: perUnitUs(total(main), units),
    busiest_other_us: perUnitUs(total(others.slice(0, 1)), units),
    rest_us: perUnitUs(total(others.slice(1)), units),
    user_us: perUnitUs(
      spent.reduce((n, t) => n + t.user, 0),
      units,
    ),
    system_us: perUnitUs(
      spent.reduce((n, t) => n + t.system, 0),
      units,
    ),
  };
}
