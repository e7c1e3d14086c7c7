// Per-credential rate limiting with token buckets (defaults from the domain reference: 100
// tokens, refilled at 10 per second). Answers carry the IETF RateLimit fields; a refusal is 429
// with Retry-After.

export interface BucketOptions {
  capacity: number;
  refillPerSecond: number;
}

export interface Decision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the bucket is full again. */
  reset: number;
  /** Seconds until one token is available (only when refused). */
  retryAfter: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/** Token buckets keyed by credential; idle full buckets are dropped so memory stays bounded. */
export class RateLimiter {
  readonly #options: BucketOptions;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: BucketOptions, now: () => number = () => performance.now()) {
    this.#options = options;
    this.#now = now;
  }

  take(key: string): Decision {
    const { capacity, refillPerSecond } = this.#options;
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: capacity, updated: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updated) / 1000) * refillPerSecond);
    bucket.updated = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#buckets.delete(key); // re-insert: the map's order is least recently used first
    this.#buckets.set(key, bucket);
    this.#evictIdle(now);
    return {
      allowed,
      limit: capacity,
      remaining: Math.floor(bucket.tokens),
      reset: Math.ceil((capacity - bucket.tokens) / refillPerSecond),
      retryAfter: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerSecond)),
    };
  }

  /** Seconds until `take` would allow a token for `key` (0: now), without taking one. */
  wait(key: string): number {
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) return 0;
    const { capacity, refillPerSecond } = this.#options;
    const tokens = Math.min(capacity, bucket.tokens + ((this.#now() - bucket.updated) / 1000) * refillPerSecond);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / refillPerSecond));
  }

  /** Buckets that would be full again by now carry no state worth keeping. */
  #evictIdle(now: number): void {
    const fullAfterMs = (this.#options.capacity / this.#options.refillPerSecond) * 1000;
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.updated < fullAfterMs) break;
      this.#buckets.delete(key);
    }
  }

  get size(): number {
    return this.#buckets.size;
  }
}

/** The RateLimit-* response headers of a decision. */
export function rateLimitHeaders(decision: Decision): Record<string, string> {
  return {
    "RateLimit-Limit": String(decision.limit),
    "RateLimit-Remaining": String(decision.remaining),
    "RateLimit-Reset": String(decision.reset),
  };
}
