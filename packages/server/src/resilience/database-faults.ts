// Which errors are faults of the database (it cannot be reached, its disk or files failed) rather
// than of a request. An allow-list: anything not named here, whatever a request's content can
// provoke (a stack overflow, a TypeError, PostgreSQL's data errors such as a NUL in text, a
// constraint), is not a fault, so at worst it is a 500 that never opens the circuit breaker.
import { StoreUnavailableError } from "../store/types.ts";

/** Node socket and DNS errors: the database's host or port does not answer. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * PostgreSQL SQLSTATEs: connection exceptions (class 08), invalid authorisation (28: the
 * server's credentials stopped working), insufficient resources (53: disk full, out of memory,
 * too many connections), the server shutting down or crashing (57P01-57P03), system I/O errors
 * (58) and internal errors (XX, including corruption). Not class 22 (data), 23 (constraints), 40
 * (serialisation) or 54 (program limits), which a request can cause.
 */
function isPgFault(code: string): boolean {
  if (!/^[0-9A-Z]{5}$/.test(code)) return false;
  const cls = code.slice(0, 2);
  return (
    cls === "08" ||
    cls === "28" ||
    cls === "53" ||
    cls === "58" ||
    cls === "XX" ||
    code === "57P01" ||
    code === "57P02" ||
    code === "57P03" ||
    code === "3D000" // the database was dropped
  );
}

/** node-postgres errors without a code: the connection or the pool failed. */
const PG_MESSAGES = [
  "Connection terminated unexpectedly",
  "Connection terminated due to connection timeout",
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "timeout expired",
  "Query read timeout",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
];

/**
 * better-sqlite3 result codes (extended ones start with these): I/O errors, a full disk, a file
 * that cannot be opened, is not a database or is corrupt, one that cannot be written any more
 * (SQLITE_READONLY_*, for example when the file was moved), the WAL locking protocol failing,
 * and SQLITE_BUSY, which arrives only after the connection's busy timeout (5 s) ran out.
 */
const SQLITE_PREFIXES = [
  "SQLITE_IOERR",
  "SQLITE_FULL",
  "SQLITE_CANTOPEN",
  "SQLITE_CORRUPT",
  "SQLITE_NOTADB",
  "SQLITE_READONLY",
  "SQLITE_PROTOCOL",
  "SQLITE_BUSY",
];

/**
 * A statement the database itself cancelled after its time bound (PostgreSQL 57014 under
 * `statement_timeout`; see store/postgres/connection.ts): the database answered, so it is not a
 * fault and does not open the circuit (a probe would find it up at once, and a slow statement a
 * request provoked must not shut every tenant out). The request is answered 503 + Retry-After all
 * the same: it may well succeed when retried, and nothing was changed (the statement rolled back).
 */
export function isStatementTimeout(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === "57014";
}

/** True for a fault of the database; false for everything a request could have caused. */
export function isDatabaseFault(error: unknown, depth = 0): boolean {
  if (depth > 4 || typeof error !== "object" || error === null) return false;
  // Raised by a store itself (the SQLite writer thread died) or by the database file watch.
  if (error instanceof StoreUnavailableError) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code)) return true;
    if (SQLITE_PREFIXES.some((prefix) => code === prefix || code.startsWith(`${prefix}_`))) return true;
    if (isPgFault(code)) return true;
  }
  const message = (error as { message?: unknown }).message;
  if (error instanceof Error && error.constructor === Error && typeof message === "string") {
    if (PG_MESSAGES.includes(message)) return true;
  }
  // Connection errors come wrapped: an AggregateError of every address tried, or a cause.
  if (error instanceof AggregateError && error.errors.some((e) => isDatabaseFault(e, depth + 1))) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && isDatabaseFault(cause, depth + 1);
}
