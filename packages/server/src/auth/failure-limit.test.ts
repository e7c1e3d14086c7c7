import { describe, expect, it } from "vitest";
import type { ApiKeys } from "./api-keys.ts";
import { AuthFailureLimiter, addressKey, checkKey } from "./failure-limit.ts";

describe("AuthFailureLimiter", () => {
  it("lets an address present keys until its unknown ones use up the bucket, then tells how long to wait", () => {
    let now = 0;
    const limiter = new AuthFailureLimiter({ capacity: 2, refillPerSecond: 0.2 }, () => now);
    expect(limiter.wait("10.0.0.1")).toBe(0);
    limiter.failed("10.0.0.1");
    expect(limiter.wait("10.0.0.1")).toBe(0);
    limiter.failed("10.0.0.1");
    expect(limiter.wait("10.0.0.1")).toBe(5);
    expect(limiter.wait("10.0.0.2")).toBe(0);
    now += 4_000;
    expect(limiter.wait("10.0.0.1")).toBe(1);
    now += 1_000;
    expect(limiter.wait("10.0.0.1")).toBe(0);
  });

  it("limits IPv4 addresses one by one (also IPv4-mapped) and IPv6 addresses by /64", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0db8:0001:0002:ffff:0:0:9")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressKey("unknown")).toBe("unknown");
  });

  it("checks a key under the limit: unknown ones count, and past the limit no key is looked at", async () => {
    const looked: string[] = [];
    const keys = {
      authenticate: async (key: string) => {
        looked.push(key);
        return key === "good" ? { keyId: "k1", projectId: "p" } : null;
      },
    } as unknown as ApiKeys;
    const limiter = new AuthFailureLimiter({ capacity: 2, refillPerSecond: 0.01 }, () => 0);
    expect(await checkKey(keys, limiter, "good", "10.0.0.1")).toEqual({ principal: { keyId: "k1", projectId: "p" } });
    expect(await checkKey(keys, limiter, "bad1", "10.0.0.1")).toEqual({ refused: "unknown" });
    expect(await checkKey(keys, limiter, "good", "10.0.0.1")).toMatchObject({ principal: {} }); // hits never count
    expect(await checkKey(keys, limiter, "bad2", "10.0.0.1")).toEqual({ refused: "unknown" });
    expect(await checkKey(keys, limiter, "good", "10.0.0.1")).toEqual({ refused: "limited", retryAfterSeconds: 100 });
    expect(looked).toEqual(["good", "bad1", "good", "bad2"]);
    expect(await checkKey(keys, limiter, "good", "10.0.0.2")).toMatchObject({ principal: {} });
  });

  it("names the client by the trusted proxies it was given", () => {
    const limiter = new AuthFailureLimiter({ capacity: 1, refillPerSecond: 1, trustedProxies: ["10.0.0.0/8"] });
    expect(limiter.clientOf("10.0.0.1", "203.0.113.7")).toBe("203.0.113.7");
    expect(new AuthFailureLimiter({ capacity: 1, refillPerSecond: 1 }).clientOf("10.0.0.1", "203.0.113.7")).toBe(
      "10.0.0.1",
    );
  });
});
