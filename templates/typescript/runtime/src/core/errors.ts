import { retryAfterMs } from "../internal/retry.ts";

/**
 * An RFC 9457 problem document. Only the members the runtime reads are typed; every other member
 * the server sends is kept.
 */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  code?: string;
  request_id?: string;
  [key: string]: unknown;
}

/** The root of every error the SDK throws. */
export class APIError extends Error {
  override name = "APIError";
}

/** The server answered with a non-2xx status (after any retries). */
export class APIStatusError extends APIError {
  override name = "APIStatusError";
  /** The HTTP status code. */
  readonly status: number;
  /** The response headers. */
  readonly headers: Headers;
  /** The decoded JSON body, or the text body when it is not JSON, or undefined when empty. */
  readonly body: unknown;
  /** The `X-Request-Id` response header (or the problem's `request_id`), for support requests. */
  readonly requestId: string | undefined;
  /** The problem's machine-readable `code`, when the body is a problem document. */
  readonly code: string | undefined;
  /** The problem document, when the body is `application/problem+json` (or looks like one). */
  readonly problem: Problem | undefined;

  constructor(status: number, headers: Headers, body: unknown, message?: string) {
    const problem = asProblem(headers, body);
    super(message ?? describe(status, body, problem));
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.problem = problem;
    this.code = typeof problem?.code === "string" ? problem.code : undefined;
    this.requestId =
      headers.get("x-request-id") ?? (typeof problem?.request_id === "string" ? problem.request_id : undefined);
  }

  /** Builds the most specific error class for a status. */
  static generate(status: number, headers: Headers, body: unknown, message?: string): APIStatusError {
    const ErrorClass = errorClassForStatus(status);
    return new ErrorClass(status, headers, body, message);
  }
}

/** 400 */
export class BadRequestError extends APIStatusError {
  override name = "BadRequestError";
}
/** 401 */
export class AuthenticationError extends APIStatusError {
  override name = "AuthenticationError";
}
/** 403 */
export class PermissionDeniedError extends APIStatusError {
  override name = "PermissionDeniedError";
}
/** 404 */
export class NotFoundError extends APIStatusError {
  override name = "NotFoundError";
}
/** 409 */
export class ConflictError extends APIStatusError {
  override name = "ConflictError";
}
/** 412: an `If-Match` precondition failed. */
export class PreconditionFailedError extends APIStatusError {
  override name = "PreconditionFailedError";
}
/** 413 */
export class PayloadTooLargeError extends APIStatusError {
  override name = "PayloadTooLargeError";
}
/** 415 */
export class UnsupportedMediaTypeError extends APIStatusError {
  override name = "UnsupportedMediaTypeError";
}
/** 422 */
export class UnprocessableEntityError extends APIStatusError {
  override name = "UnprocessableEntityError";
}
/** 429 */
export class RateLimitError extends APIStatusError {
  override name = "RateLimitError";
  /** Seconds the server asked to wait (`Retry-After-Ms` / `Retry-After`), when it said. */
  readonly retryAfter: number | undefined;

  constructor(status: number, headers: Headers, body: unknown, message?: string) {
    super(status, headers, body, message);
    this.retryAfter = parseRetryAfterSeconds(headers);
  }
}
/** Any status >= 500. */
export class InternalServerError extends APIStatusError {
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

type StatusErrorClass = new (status: number, headers: Headers, body: unknown, message?: string) => APIStatusError;

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

function parseRetryAfterSeconds(headers: Headers): number | undefined {
  const ms = retryAfterMs(headers, Date.now());
  if (ms !== undefined) return ms / 1000;
  // Honour values beyond the retry loop's ceiling too: the caller may want to wait longer.
  const raw = headers.get("retry-after");
  const seconds = raw === null ? Number.NaN : Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

function asProblem(headers: Headers, body: unknown): Problem | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const contentType = headers.get("content-type") ?? "";
  const record = body as Record<string, unknown>;
  const looksLikeProblem =
    typeof record.title === "string" || typeof record.type === "string" || typeof record.code === "string";
  if (/problem\+json/i.test(contentType) || looksLikeProblem) return record as Problem;
  return undefined;
}

function describe(status: number, body: unknown, problem: Problem | undefined): string {
  if (problem) {
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
