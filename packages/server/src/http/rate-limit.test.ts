import { describe, expect, it } from "vitest";
import { RateLimiter, rateLimitHeaders } from "./rate-limit.ts";

describe("RateLimiter", () => {
  it("allows a burst up to the capacity, then refuses with Retry-After, then refills", () => {
    let now = 0;
    const limiter = new RateLimiter({ capacity: 100, refillPerSecond: 10 }, () => now);
    for (let i = 0; i < 100; i++) expect(limiter.take("k").allowed).toBe(true);
    const refused = limiter.take("k");
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfter: 1, reset: 10 });
    now += 100; // 0.1 s: one token
    expect(limiter.take("k").allowed).toBe(true);
    expect(limiter.take("k").allowed).toBe(false);
    now += 10_000;
    expect(limiter.take("k")).toMatchObject({ allowed: true, remaining: 99 });
  });

  it("keeps keys apart and forgets idle ones", () => {
    let now = 0;
    const limiter = new RateLimiter({ capacity: 2, refillPerSecond: 1 }, () => now);
    limiter.take("a");
    limiter.take("a");
    expect(limiter.take("a").allowed).toBe(false);
    expect(limiter.take("b").allowed).toBe(true);
    now += 60_000;
    limiter.take("c");
    expect(limiter.size).toBe(1);
  });

  it("renders the IETF RateLimit fields", () => {
    const limiter = new RateLimiter({ capacity: 100, refillPerSecond: 10 }, () => 0);
    expect(rateLimitHeaders(limiter.take("k"))).toEqual({
      "RateLimit-Limit": "100",
      "RateLimit-Remaining": "99",
      "RateLimit-Reset": "1",
    });
  });
});
