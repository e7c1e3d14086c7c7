import { describe, expect, it } from "vitest";
import { AuthFailureLimiter, addressKey } from "./failure-limit.ts";

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
});
