// The log for people at a terminal: one short line per entry (local time, level, what happened,
// then the other fields as key=value), coloured when the terminal takes colour. The JSON log
// (json-log.ts) stays the format for files, pipes and log collectors; LOG_FORMAT picks one.
import type { LogLevel } from "../config.ts";
import type { Log } from "../http/observe.ts";

const levels: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const labels: Record<LogLevel, string> = { debug: "DEBUG", info: "INFO ", warn: "WARN ", error: "ERROR" };
const colours: Record<LogLevel, string> = { debug: "\x1b[2m", info: "\x1b[36m", warn: "\x1b[33m", error: "\x1b[31m" };
const DIM = "\x1b[2m";
const RESET = "\x1b[0m";
/** Fields a request line shows in its own words; the rest follow as key=value. */
const REQUEST_FIELDS = new Set(["level", "msg", "time", "method", "path", "status", "duration_ms", "route"]);

/** A field value as one token: plain when it is simple, JSON (quoted, escaped) otherwise. */
function token(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string" && /^[\w.:/@+-]{1,200}$/.test(value)) return value;
  return JSON.stringify(value) ?? String(value);
}

/** Control characters of client-supplied text (a path) never reach the terminal as such. */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

export function prettyLog(options: {
  level: LogLevel;
  write: (line: string) => void;
  /** ANSI colours (a terminal that supports them). */
  colour?: boolean;
  now?: () => number;
}): Log {
  const threshold = levels[options.level];
  const now = options.now ?? Date.now;
  const paint =
    options.colour === true ? (code: string, text: string) => `${code}${text}${RESET}` : (_: string, t: string) => t;
  return (line) => {
    const level = (line.level as LogLevel | undefined) ?? "info";
    if (levels[level] < threshold) return;
    const time = new Date(now());
    const clock = `${String(time.getHours()).padStart(2, "0")}:${String(time.getMinutes()).padStart(2, "0")}:${String(
      time.getSeconds(),
    ).padStart(2, "0")}.${String(time.getMilliseconds()).padStart(3, "0")}`;
    const request = line.msg === "request" && typeof line.method === "string";
    let text: string;
    const rest: string[] = [];
    if (request) {
      text = `${line.method} ${printable(String(line.path))} ${line.status} ${line.duration_ms} ms`;
      for (const [key, value] of Object.entries(line)) {
        if (!REQUEST_FIELDS.has(key) && value !== undefined) rest.push(`${key}=${printable(token(value))}`);
      }
    } else {
      text = printable(String(line.msg ?? ""));
      for (const [key, value] of Object.entries(line)) {
        if (key !== "level" && key !== "msg" && key !== "time" && value !== undefined) {
          rest.push(`${key}=${printable(token(value))}`);
        }
      }
    }
    const fields = rest.length > 0 ? `  ${paint(DIM, rest.join(" "))}` : "";
    options.write(`${paint(DIM, clock)} ${paint(colours[level], labels[level])} ${text}${fields}`);
  };
}
