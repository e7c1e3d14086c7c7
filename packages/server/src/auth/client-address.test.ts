import { describe, expect, it } from "vitest";
import { parseTrustedProxy, TrustedProxies } from "./client-address.ts";

describe("TrustedProxies", () => {
  it("ignores X-Forwarded-For when no proxy is trusted (anyone can send it)", () => {
    const none = new TrustedProxies();
    expect(none.clientOf("203.0.113.7", "198.51.100.1")).toBe("203.0.113.7");
    expect(none.clientOf("::ffff:203.0.113.7", undefined)).toBe("203.0.113.7");
    expect(none.clientOf(undefined, "198.51.100.1")).toBe("unknown");
  });

  it("believes a trusted peer, reading the header from the right past every trusted hop", () => {
    const proxies = new TrustedProxies(["10.0.0.0/8", "127.0.0.1", "fd00::/8"]);
    expect(proxies.clientOf("10.1.2.3", "203.0.113.7")).toBe("203.0.113.7");
    // What the client wrote itself (the left part) is not believed.
    expect(proxies.clientOf("10.1.2.3", "1.1.1.1, 203.0.113.7")).toBe("203.0.113.7");
    // Two trusted proxies in a row: the client is the first address that is not one.
    expect(proxies.clientOf("127.0.0.1", "198.51.100.1, 203.0.113.7, 10.9.9.9")).toBe("203.0.113.7");
    // Several headers arrive joined, or as a list.
    expect(proxies.clientOf("10.1.2.3", ["1.1.1.1", "203.0.113.8"])).toBe("203.0.113.8");
    // IPv6, IPv4-mapped, brackets, ports and zones.
    expect(proxies.clientOf("fd12::1", "2001:DB8::9")).toBe("2001:db8::9");
    expect(proxies.clientOf("::ffff:10.0.0.1", "203.0.113.7:51234")).toBe("203.0.113.7");
    expect(proxies.clientOf("10.0.0.1", "[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(proxies.clientOf("10.0.0.1", "::ffff:203.0.113.7")).toBe("203.0.113.7");
    // A peer that is not trusted: its header is ignored.
    expect(proxies.clientOf("203.0.113.50", "10.0.0.1")).toBe("203.0.113.50");
    // A trusted peer without the header is the best that is known.
    expect(proxies.clientOf("10.1.2.3", undefined)).toBe("10.1.2.3");
    // Only trusted hops: the leftmost.
    expect(proxies.clientOf("10.1.2.3", "10.0.0.9, 127.0.0.1")).toBe("10.0.0.9");
  });

  it("tells trusted proxies by their socket address", () => {
    const proxies = new TrustedProxies(["10.0.0.0/8", "::1"]);
    expect(proxies.isTrusted("10.2.3.4")).toBe(true);
    expect(proxies.isTrusted("::ffff:10.2.3.4")).toBe(true);
    expect(proxies.isTrusted("::1")).toBe(true);
    expect(proxies.isTrusted("11.0.0.1")).toBe(false);
    expect(proxies.isTrusted("garbage")).toBe(false);
    expect(new TrustedProxies().isTrusted("10.2.3.4")).toBe(false);
  });

  it("stops at a hop that is not an address, keeping the last trusted proxy", () => {
    const proxies = new TrustedProxies(["10.0.0.0/8"]);
    for (const header of ["unknown", "203.0.113.7, _hidden", "", " , ", "x".repeat(10_000), "999.1.1.1", "1.2.3.4/8"]) {
      expect(proxies.clientOf("10.1.2.3", header), header.slice(0, 20)).toBe("10.1.2.3");
    }
    // Behind two proxies, garbage from the outer one stops at the outer one.
    expect(proxies.clientOf("10.1.2.3", "garbage, 10.7.7.7")).toBe("10.7.7.7");
  });

  it("handles a header of thousands of hops in linear time", () => {
    const proxies = new TrustedProxies(["10.0.0.0/8"]);
    const header = Array.from({ length: 20_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const started = performance.now();
    expect(proxies.clientOf("10.0.0.1", `203.0.113.7, ${header.join(", ")}`)).toBe("203.0.113.7");
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("parseTrustedProxy", () => {
  it("takes addresses and CIDR blocks of either family", () => {
    expect(parseTrustedProxy("10.0.0.0/8")).toEqual({ address: "10.0.0.0", prefix: 8, family: "ipv4" });
    expect(parseTrustedProxy("127.0.0.1")).toEqual({ address: "127.0.0.1", prefix: undefined, family: "ipv4" });
    expect(parseTrustedProxy("fd00::/8")).toEqual({ address: "fd00::", prefix: 8, family: "ipv6" });
    expect(parseTrustedProxy("::1/128").prefix).toBe(128);
  });

  it("refuses anything else", () => {
    for (const bad of [
      "",
      "*",
      "localhost",
      "10.0.0.0/33",
      "::/129",
      "10.0.0/8",
      "10.0.0.0/",
      "10.0.0.0/8/8",
      " 1.2.3.4",
    ]) {
      expect(() => parseTrustedProxy(bad), bad).toThrow(RangeError);
    }
  });
});
