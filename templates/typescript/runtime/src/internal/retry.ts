/** A source of uniform random numbers in [0, 1); injectable so tests are deterministic. */
export type RandomSource = () => number;

/** Methods retried without an Idempotency-Key (safe or idempotent per RFC 9110). */
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/** Whether a request may be sent twice: an idempotent method, or one carrying an idempotency key. */
export function isRetryableRequest(method: string, hasIdempotencyKey: boolean): boolean {
  return hasIdempotencyKey || IDEMPOTENT_METHODS.has(method.toUpperCase());
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

/** The longest server-requested delay the runtime honours; beyond it the backoff applies. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The delay a response asks for, in milliseconds: `Retry-After-Ms`, else `Retry-After` as seconds
 * or an HTTP date. Undefined when absent, unparsable, or not in (0, 60 s].
 */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  let ms: number | undefined;
  const msHeader = headers.get("retry-after-ms");
  if (msHeader !== null && msHeader.trim() !== "") {
    const parsed = Number(msHeader);
    if (Number.isFinite(parsed)) ms = parsed;
  }
  if (ms === undefined) {
    const header = headers.get("retry-after");
    if (header !== null && header.trim() !== "") {
      const seconds = Number(header);
      if (Number.isFinite(seconds)) {
        ms = seconds * 1000;
      } else {
        const date = Date.parse(header);
        if (!Number.isNaN(date)) ms = date - now;
      }
    }
  }
  if (ms === undefined || !(ms > 0) || ms > MAX_RETRY_AFTER_MS) return undefined;
  return ms;
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
