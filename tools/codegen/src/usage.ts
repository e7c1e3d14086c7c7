// What a whole process cost so far, for the timing lines of the codegen CLI and `pnpm gen`.
import { readFileSync } from "node:fs";

/** CPU (user + system) of this process and of the child processes it waited for (formatters, Redocly), in ms. */
export function cpuMs(): number {
  const own = process.cpuUsage();
  const { userCPUTime, systemCPUTime } = childUsage();
  return (own.user + own.system + userCPUTime + systemCPUTime) / 1000;
}

/** Peak resident memory of this process, in MB. */
export function peakMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/**
 * CPU of the finished child processes, in microseconds: not part of
 * process.cpuUsage(). Linux reports it in /proc/self/stat (cutime, cstime, in 1/100 s); elsewhere 0.
 */
function childUsage(): { userCPUTime: number; systemCPUTime: number } {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { userCPUTime: Number(fields[13]) * 10_000, systemCPUTime: Number(fields[14]) * 10_000 };
  } catch {
    return { userCPUTime: 0, systemCPUTime: 0 };
  }
}
