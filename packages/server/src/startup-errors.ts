// Why the server could not start, as one line an operator can act on (main.ts prints it and exits
// 1): a bad setting, a port in use, an unreachable database, a data directory it cannot write. The
// raw error and its stack are only printed at LOG_LEVEL=debug.
import { ConfigError } from "./config.ts";
import { isDatabaseFault } from "./resilience/database-faults.ts";

export interface StartupContext {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
}

interface SystemError {
  code?: unknown;
  syscall?: unknown;
  path?: unknown;
  message?: unknown;
}

/** The database URL without its password. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.href;
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // One line, whatever the error's message holds.
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** What the server was doing when it failed. */
export type StartupPhase = "configure" | "open" | "listen";

/** One line saying what went wrong at start, naming the setting or file to look at. */
export function describeStartupError(error: unknown, phase: StartupPhase, context: Partial<StartupContext>): string {
  const e = (typeof error === "object" && error !== null ? error : {}) as SystemError;
  const code = typeof e.code === "string" ? e.code : "";
  const detail = `${messageOf(error)}${code && !messageOf(error).includes(code) ? ` (${code})` : ""}`;
  if (phase === "configure" || error instanceof ConfigError) {
    // parseArgs errors (an unknown flag, a flag without its value) included.
    return `invalid configuration: ${messageOf(error)}${code.startsWith("ERR_PARSE_ARGS_") ? " (see --help)" : ""}`;
  }
  if (phase === "listen") {
    const where = `${context.host ?? "?"}:${context.port ?? "?"}`;
    if (code === "EADDRINUSE") return `cannot listen on ${where}: the port is already in use (set --port or PORT)`;
    if (code === "EACCES") return `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`;
    if (code === "EADDRNOTAVAIL") return `cannot listen on ${where}: no such local address (set --host or HOST)`;
    if (code === "ENOTFOUND") return `cannot listen on ${where}: unknown host (set --host or HOST)`;
    return `cannot listen on ${where}: ${detail}`;
  }
  const database = context.databaseUrl === undefined ? "the database" : redactedUrl(context.databaseUrl);
  if (code.startsWith("SQLITE_") || (error instanceof TypeError && /database/i.test(messageOf(error)))) {
    return `cannot open the database ${database}: ${detail}`;
  }
  if (code.startsWith("28") || code === "3D000") return `the database ${database} refused the connection: ${detail}`;
  if (isDatabaseFault(error)) return `cannot reach the database ${database}: ${detail}`;
  if (["EACCES", "EPERM", "EROFS", "ENOTDIR", "ENOSPC", "EEXIST", "EISDIR", "ENOENT"].includes(code)) {
    const path = typeof e.path === "string" ? e.path : context.dataDir;
    return `cannot write the data directory ${context.dataDir ?? "?"}: ${code} on ${path} (set --data-dir or DATA_DIR)`;
  }
  return `cannot start: ${detail}`;
}
