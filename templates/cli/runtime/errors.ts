// Exit codes and the messages a failure prints. Every failure class has its own exit code, so a
// script can tell "fix the command" from "the server said no" from "nobody answered".
import { printable } from "./output.ts";
import type { CommandSpec, SdkErrors } from "./types.ts";

/** The exit codes, one per failure class (also listed by `--help` and the README). */
export const EXIT = {
  ok: 0,
  /** Something the CLI did not expect (a bug: please report it with the output). */
  unexpected: 1,
  /** The command line: unknown command or flag, a value of the wrong type, bad --data, config file. */
  usage: 2,
  /** No answer: the connection failed or timed out. */
  connection: 3,
  /** The server refused the request as malformed or invalid (400, 413, 415, 422, other 4xx). */
  invalid: 4,
  /** Credentials missing, unknown or not allowed (401, 403). */
  auth: 5,
  /** The resource does not exist (404, 410). */
  notFound: 6,
  /** The current state forbids the change or it moved on (409, 412). */
  conflict: 7,
  /** Rate limited (429): wait the time the message names, then retry. */
  rateLimited: 8,
  /** The server failed (5xx). */
  server: 9,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

export const EXIT_CODE_HELP: readonly [number, string][] = [
  [EXIT.ok, "success"],
  [EXIT.unexpected, "unexpected failure (a bug: report it with the output)"],
  [EXIT.usage, "bad command line, --data, file or profile"],
  [EXIT.connection, "no answer: connection failed or timed out"],
  [EXIT.invalid, "request refused as malformed or invalid (400, 413, 415, 422)"],
  [EXIT.auth, "missing, unknown or insufficient credentials (401, 403)"],
  [EXIT.notFound, "not found (404)"],
  [EXIT.conflict, "conflict with the current state (409, 412)"],
  [EXIT.rateLimited, "rate limited (429)"],
  [EXIT.server, "server error (5xx)"],
  [EXIT.interrupted, "interrupted (Ctrl-C)"],
];

/** A mistake on the command line: printed with a hint, exit code 2, nothing was sent. */
export class UsageError extends Error {
  override name = "UsageError";
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/** The exit code for an HTTP status. */
export function exitCodeForStatus(status: number): number {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404 || status === 410) return EXIT.notFound;
  if (status === 409 || status === 412) return EXIT.conflict;
  if (status === 429) return EXIT.rateLimited;
  if (status >= 500) return EXIT.server;
  return EXIT.invalid;
}

const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  428: "Precondition Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

interface StatusErrorLike {
  status: number;
  body: unknown;
  headers?: { get(name: string): string | null };
  requestId?: string | undefined;
  message: string;
}

/** The lines and exit code a failure prints, for any error the SDK or the runtime throws. */
export function describeFailure(
  error: unknown,
  errors: SdkErrors,
  command: CommandSpec | undefined,
  program: string,
): { code: number; lines: string[] } {
  if (error instanceof UsageError) {
    return { code: EXIT.usage, lines: [`${program}: ${error.message}`, ...(error.hint ? [`  ${error.hint}`] : [])] };
  }
  if (error instanceof errors.APIUserAbortError) return { code: EXIT.interrupted, lines: [`${program}: interrupted`] };
  if (error instanceof errors.APITimeoutError) {
    return {
      code: EXIT.connection,
      lines: [`${program}: no answer: the request timed out (raise it with --timeout <seconds>)`],
    };
  }
  if (error instanceof errors.APIConnectionError) {
    const cause = rootCause(error);
    return {
      code: EXIT.connection,
      lines: [`${program}: no answer: ${error.message}${cause ? ` (${cause})` : ""}`],
    };
  }
  if (error instanceof errors.APIStatusError) {
    const e = error as unknown as StatusErrorLike;
    return { code: exitCodeForStatus(e.status), lines: statusLines(e, command, program) };
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { code: EXIT.unexpected, lines: [`${program}: unexpected failure: ${text}`] };
}

function statusLines(e: StatusErrorLike, command: CommandSpec | undefined, program: string): string[] {
  const body = isRecord(e.body) ? e.body : undefined;
  const code = typeof body?.code === "string" ? body.code : undefined;
  const title = typeof body?.title === "string" ? body.title : (REASONS[e.status] ?? "");
  // Everything the server sent is made printable: a hostile answer cannot drive the terminal.
  const lines = [`${program}: ${e.status}${title ? ` ${printable(title)}` : ""}${code ? ` (${printable(code)})` : ""}`];
  if (typeof body?.detail === "string" && body.detail !== title) lines.push(`  ${printable(body.detail)}`);
  else if (body === undefined && typeof e.body === "string" && e.body.trim() !== "") {
    lines.push(`  ${printable(e.body.trim().slice(0, 500))}`);
  }
  for (const item of fieldErrors(body).slice(0, 50)) {
    const flag = command ? flagFor(command, item.field) : undefined;
    lines.push(`  - ${printable(item.field)}${flag ? ` (${flag})` : ""}: ${printable(item.message)}`);
  }
  const retryAfter = e.headers?.get("retry-after");
  if ((e.status === 429 || e.status === 503) && retryAfter) lines.push(`  retry after: ${printable(retryAfter)} s`);
  const requestId = e.requestId ?? (typeof body?.request_id === "string" ? body.request_id : undefined);
  if (requestId) lines.push(`  request id: ${printable(requestId)}`);
  return lines;
}

/** The failing fields of a problem document (`errors` or RFC 9457's `invalid_params`). */
function fieldErrors(body: Record<string, unknown> | undefined): { field: string; message: string }[] {
  const list = body?.errors ?? body?.invalid_params;
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).map((item) => {
    const field = [item.field, item.pointer, item.name, item.path].find((v) => typeof v === "string") as
      | string
      | undefined;
    const message = [item.message, item.reason, item.detail].find((v) => typeof v === "string") as string | undefined;
    return { field: field ?? "(request)", message: message ?? JSON.stringify(item) };
  });
}

/** The flag that sets a failing field: `/letter` -> `--letter`, `query.limit` -> `--limit`. */
function flagFor(command: CommandSpec, field: string): string | undefined {
  const top = /^\/([^/]+)$/.exec(field)?.[1]?.replace(/~1/g, "/").replace(/~0/g, "~");
  if (top !== undefined) {
    const f = command.body?.fields.find((x) => x.name === top);
    return f ? `--${f.flag}` : undefined;
  }
  const param = /^(query|header|path|cookie)\.(.+)$/.exec(field);
  if (param) {
    const p = command.params.find((x) => x.in === param[1] && x.name.toLowerCase() === param[2]?.toLowerCase());
    if (p) return p.in === "path" ? `<${p.flag}>` : `--${p.flag}`;
  }
  return undefined;
}

function rootCause(error: Error): string | undefined {
  let cause: unknown = error.cause;
  let last: string | undefined;
  for (let i = 0; i < 5 && cause instanceof Error; i++) {
    const code = (cause as { code?: unknown }).code;
    last = typeof code === "string" ? `${code}: ${cause.message}` : cause.message;
    cause = cause.cause;
  }
  return last;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
