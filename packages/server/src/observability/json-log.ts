// The structured log: one JSON object per line, with its time first, at or above a level.
import type { LogLevel } from "../config.ts";
import type { Log } from "../http/observe.ts";

const levels: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLog(options: { level: LogLevel; write: (line: string) => void; now?: () => number }): Log {
  const threshold = levels[options.level];
  const now = options.now ?? Date.now;
  // Lines of the same millisecond share the time text (formatting a date costs more than the rest).
  let lastMs = Number.NaN;
  let lastTime = "";
  return (line) => {
    const level = (line.level as LogLevel | undefined) ?? "info";
    if (levels[level] < threshold) return;
    const ms = now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastTime = new Date(ms).toISOString();
    }
    // The line's own JSON with the time put first (no merged copy of the line is built).
    const json = JSON.stringify(line);
    if ("time" in line || json === "{}") options.write(JSON.stringify({ time: lastTime, ...line }));
    else options.write(`{"time":"${lastTime}",${json.slice(1)}`);
  };
}
