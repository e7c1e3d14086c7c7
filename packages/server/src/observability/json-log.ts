// The structured log: one JSON object per line, with its time first, at or above a level.
import type { LogLevel } from "../config.ts";
import type { Log } from "../http/observe.ts";

const levels: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLog(options: { level: LogLevel; write: (line: string) => void; now?: () => Date }): Log {
  const threshold = levels[options.level];
  const now = options.now ?? (() => new Date());
  return (line) => {
    const level = (line.level as LogLevel | undefined) ?? "info";
    if (levels[level] >= threshold) options.write(JSON.stringify({ time: now().toISOString(), ...line }));
  };
}
