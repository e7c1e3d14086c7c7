import { retryAfterMs } from "../internal/retry.ts";

/**
 * The error statuses an operation declares with a JSON body, as generated code passes them:
 * status codes, ranges (`4XX`) and `default`, separated by spaces (`"400 404 4XX default"`).
 * A body is decoded into `problem` only for a status the operation declares.
 */
export type DeclaredErrors = string;

/** The root of every error the SDK throws. */
export class APIError extends Error {
  override name = "APIError";
}

/**
 * The server answered with a non-2xx status (after any retries). `P` is the type of the error
 * bodies the API declares for this status family: the generated package exports each class with
 * `P` set to its models (for example `NotFoundError` with `problem: Problem | undefined`).
 */
export class APIStatusError<P = unknown> extends APIError {
  override name = "APIStatusError";
  /** The HTTP status code. */
  readonly status: number;
  /** The response headers. */
  readonly headers: Headers;
  /** The decoded JSON body, or the text body when it is not JSON, or undefined when empty. */
  readonly body: unknown;
  /**
   * The body as the error model the operation declares for this status (its `code`, `detail`,
   * field errors, ...), or undefined when the operation declares none for it or the body is not
   * a JSON object.
   */
  readonly problem: P | undefined;
  /** The request id: the body's `request_id`, else the `X-Request-Id` header, for support requests. */
  readonly requestId: string | undefined;
  /** The body's machine-readable `code`, when it has a string one. */
  readonly code: string | undefined;
  /**
   * Seconds the server asked to wait before a retry (`Retry-After-Ms` / `Retry-After`), when it
   * said. Set on every status: a 429 or 503 whose delay exceeds the client's `maxRetryAfter` is
   * raised at once with it, so the caller can schedule the retry.
   */
  readonly retryAfter: number | undefined;

  constructor(status: number, headers: Headers, body: unknown, message?: string, declared?: DeclaredErrors) {
    const record = isObject(body) ? body : undefined;
    const problem = record !== undefined && isProblem(status, headers, declared) ? (record as P) : undefined;
    super(message ?? describe(status, body, record));
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.problem = problem;
    this.code = typeof record?.code === "string" ? record.code : undefined;
    this.requestId =
      (typeof record?.request_id === "string" ? record.request_id : undefined) ??
      headers.get("x-request-id") ??
      undefined;
    const ms = retryAfterMs(headers);
    this.retryAfter = ms === undefined ? undefined : ms / 1000;
  }

  /**
   * Builds the most specific error class for a status. `declared` lists the statuses the
   * operation declares an error body for; when it is undefined (a hand-written call), any
   * `application/problem+json` body counts.
   */
  static generate(
    status: number,
    headers: Headers,
    body: unknown,
    message?: string,
    declared?: DeclaredErrors,
  ): APIStatusError {
    const ErrorClass = errorClassForStatus(status);
    return new ErrorClass(status, headers, body, message, declared);
  }
}

/** 400 */
export class BadRequestError<P = unknown> extends APIStatusError<P> {
  override name = "BadRequestError";
}
/** 401 */
export class AuthenticationError<P = unknown> extends APIStatusError<P> {
  override name = "AuthenticationError";
}
/** 403 */
export class PermissionDeniedError<P = unknown> extends APIStatusError<P> {
  override name = "PermissionDeniedError";
}
/** 404 */
export class NotFoundError<P = unknown> extends APIStatusError<P> {
  override name = "NotFoundError";
}
/** 409 */
export class ConflictError<P = unknown> extends APIStatusError<P> {
  override name = "ConflictError";
}
/** 412: an `If-Match` precondition failed. */
export class PreconditionFailedError<P = unknown> extends APIStatusError<P> {
  override name = "PreconditionFailedError";
}
/** 413 */
export class PayloadTooLargeError<P = unknown> extends APIStatusError<P> {
  override name = "PayloadTooLargeError";
}
/** 415 */
export class UnsupportedMediaTypeError<P = unknown> extends APIStatusError<P> {
  override name = "UnsupportedMediaTypeError";
}
/** 422 */
export class UnprocessableEntityError<P = unknown> extends APIStatusError<P> {
  override name = "UnprocessableEntityError";
}
/** 429 */
export class RateLimitError<P = unknown> extends APIStatusError<P> {
  override name = "RateLimitError";
}
/** Any status >= 500. */
export class InternalServerError<P = unknown> extends APIStatusError<P> {
  override name = "InternalServerError";
}

/** The request never got an answer: DNS, TCP, TLS, a reset, or a body that broke off. */
export class APIConnectionError extends APIError {
  override name = "APIConnectionError";
  constructor(message = "Connection error.", options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** The request (or one attempt and its retries) ran past its timeout. */
export class APITimeoutError extends APIConnectionError {
  override name = "APITimeoutError";
  constructor(message = "Request timed out.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The caller aborted the request through its AbortSignal (or closed the stream). */
export class APIUserAbortError extends APIError {
  override name = "APIUserAbortError";
  constructor(message = "Request was aborted.", options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** A WebSocket connection was closed with a final close code (for example 4001 auth, 4003 origin). */
export class WebSocketClosedError extends APIError {
  override name = "WebSocketClosedError";
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string) {
    super(`WebSocket closed with code ${code}${reason ? `: ${reason}` : ""}`);
    this.code = code;
    this.reason = reason;
  }
}

/**
 * The server ended an event stream with an `error` event (`data: {"type":"error","code":...}`).
 * `SLOW_CONSUMER` (and a code this SDK does not know) is resumable: the stream reconnects with
 * the last event id by itself, nothing is lost, and the error is only the reconnect's reason
 * (logged; thrown when `maxReconnects` is used up). Other codes (`EVENTS_EXPIRED`: re-read the
 * state) end the iteration with this error.
 */
export class EventStreamError extends APIError {
  override name = "EventStreamError";
  readonly code: string;
  readonly resumable: boolean;
  constructor(code: string, message: string) {
    super(`Event stream ended by the server: ${code}${message ? `: ${message}` : ""}`);
    this.code = code;
    this.resumable = code !== "EVENTS_EXPIRED";
  }
}

type StatusErrorClass = new (
  status: number,
  headers: Headers,
  body: unknown,
  message?: string,
  declared?: DeclaredErrors,
) => APIStatusError;

const STATUS_ERRORS: Readonly<Record<number, StatusErrorClass>> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  412: PreconditionFailedError,
  413: PayloadTooLargeError,
  415: UnsupportedMediaTypeError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/** The error class for a status: a family subclass, or plain `APIStatusError`. */
export function errorClassForStatus(status: number): StatusErrorClass {
  if (status >= 500) return InternalServerError;
  return STATUS_ERRORS[status] ?? APIStatusError;
}

function isObject(body: unknown): body is Record<string, unknown> {
  return typeof body === "object" && body !== null && !Array.isArray(body);
}

/** Whether the operation declares an error body for this status (exact, `4XX` range, `default`). */
export function declaresError(declared: DeclaredErrors, status: number): boolean {
  for (const entry of declared.split(" ")) {
    if (entry === String(status) || entry === "default") return true;
    if (entry.length === 3 && entry.endsWith("XX") && entry[0] === String(Math.floor(status / 100))) return true;
  }
  return false;
}

function isProblem(status: number, headers: Headers, declared: DeclaredErrors | undefined): boolean {
  if (declared !== undefined) return declaresError(declared, status);
  return /problem\+json/i.test(headers.get("content-type") ?? "");
}

function describe(status: number, body: unknown, problem: Record<string, unknown> | undefined): string {
  if (problem && (typeof problem.title === "string" || typeof problem.code === "string")) {
    const head = [problem.code, problem.title].filter((part) => typeof part === "string" && part).join(" ");
    const detail = typeof problem.detail === "string" ? problem.detail : "";
    return `${status} ${head}${detail ? `: ${detail}` : ""}`.trim();
  }
  if (typeof body === "string" && body) return `${status} ${body.length > 500 ? `${body.slice(0, 500)}…` : body}`;
  if (body !== undefined) {
    try {
      return `${status} ${JSON.stringify(body)}`;
    } catch {
      // fall through
    }
  }
  return `${status} status code (no body)`;
}
