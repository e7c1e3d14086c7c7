/** A source of uniform random numbers in [0, 1); injectable so tests are deterministic. */
export type RandomSource = () => number;

/** Methods that change nothing (RFC 9110): retried without an idempotency key, and sent without one. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether a method is safe (GET, HEAD, OPTIONS): retried without an idempotency key. */
export function isSafeMethod(method: string): boolean {
  return method === "GET" || SAFE_METHODS.has(method.toUpperCase());
}

/**
 * Whether a request may be sent twice: a safe method, or one carrying an idempotency key (the
 * server then replays the first answer instead of applying the change again). PUT and DELETE are
 * not enough on their own: a retried PUT of a command log records two commands, and a retried
 * DELETE whose first answer was lost would answer 404.
 */
export function isRetryableRequest(method: string, hasIdempotencyKey: boolean): boolean {
  return hasIdempotencyKey || isSafeMethod(method);
}

/**
 * Whether a response status is worth retrying: 408, 409 only with Retry-After (a lock; domain
 * conflicts carry none), 429 and 5xx. A response header `x-should-retry: true|false` overrides this.
 */
export function isRetryableResponse(status: number, headers: Headers): boolean {
  const override = headers.get("x-should-retry")?.trim().toLowerCase();
  if (override === "true") return true;
  if (override === "false") return false;
  if (status === 408 || status === 429 || status >= 500) return true;
  if (status === 409) return headers.has("retry-after") || headers.has("retry-after-ms");
  return false;
}

/** The longest server-requested delay the request loop waits by default; beyond it the error is raised at once. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/**
 * The delay a response asks for, in milliseconds: `Retry-After-Ms`, else `Retry-After` as seconds
 * or an HTTP date; at least 0. Undefined when absent or unparsable.
 */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const msHeader = headers.get("retry-after-ms");
  if (msHeader !== null && msHeader.trim() !== "") {
    const parsed = Number(msHeader);
    if (Number.isFinite(parsed)) return Math.max(0, parsed);
  }
  const header = headers.get("retry-after");
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A jitter factor in [0.75, 1.0]. */
export function jitter(random: RandomSource): number {
  return 1 - Math.min(Math.max(random(), 0), 1) * 0.25;
}

/**
 * Exponential backoff: `min(initial * 2^retryIndex, max)` times a jitter factor in [0.75, 1.0].
 * `retryIndex` counts from 0 for the first retry.
 */
export function backoffMs(retryIndex: number, random: RandomSource, initialMs = 500, maxMs = 8000): number {
  const base = Math.min(initialMs * 2 ** Math.max(0, retryIndex), maxMs);
  return base * jitter(random);
}
