import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("config", () => {
  it("takes flags over environment over defaults", () => {
    expect(loadConfig([], {})).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      logLevel: "info",
      databaseUrl: "sqlite:data/tka.db",
      corsOrigins: [],
      bodyLimitBytes: 1048576,
      rateLimit: { capacity: 100, refillPerSecond: 10 },
      eventRetention: { maxAgeMs: 7 * 86_400_000, maxCount: 0 },
    });
    expect(loadConfig([], { PORT: "9000", HOST: "0.0.0.0" })).toMatchObject({ host: "0.0.0.0", port: 9000 });
    expect(loadConfig(["--port", "7000"], { PORT: "9000" }).port).toBe(7000);
    expect(loadConfig([], { DATABASE_URL: "sqlite:/tmp/x.db" }).databaseUrl).toBe("sqlite:/tmp/x.db");
    expect(loadConfig([], { CORS_ORIGINS: "https://a.example, http://localhost:3000" }).corsOrigins).toEqual([
      "https://a.example",
      "http://localhost:3000",
    ]);
    expect(loadConfig([], { API_KEYS: "p1=0123456789abcdef" }).apiKeys).toEqual([
      { projectId: "p1", key: "0123456789abcdef" },
    ]);
  });

  it("rejects bad values with a message naming the setting", () => {
    expect(() => loadConfig([], { PORT: "http" })).toThrow(ConfigError);
    expect(() => loadConfig([], { PORT: "70000" })).toThrow(/PORT/);
    expect(() => loadConfig([], { LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig([], { DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
    expect(loadConfig([], { DATABASE_URL: "postgres://u@127.0.0.1:5432/db" }).databaseUrl).toBe(
      "postgres://u@127.0.0.1:5432/db",
    );
    expect(() => loadConfig([], { CORS_ORIGINS: "*" })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig([], { API_KEYS: "p1=short" })).toThrow(/API_KEYS/);
    expect(() => loadConfig([], { RATE_LIMIT: "0/1" })).toThrow(/RATE_LIMIT/);
    expect(loadConfig([], {}).wsMaxMessageBytes).toBe(65536);
    expect(loadConfig([], { WS_MAX_MESSAGE: "1048576" }).wsMaxMessageBytes).toBe(1048576);
    expect(() => loadConfig([], { WS_MAX_MESSAGE: "100" })).toThrow(/WS_MAX_MESSAGE/);
    expect(loadConfig([], {}).eventSendBufferBytes).toBe(1048576);
    expect(loadConfig(["--event-send-buffer", "262144"], {}).eventSendBufferBytes).toBe(262144);
    expect(() => loadConfig([], { EVENT_SEND_BUFFER: "1000" })).toThrow(/EVENT_SEND_BUFFER/);
    expect(loadConfig([], {}).trustProxy).toEqual([]);
    expect(loadConfig([], { TRUST_PROXY: "10.0.0.0/8, 127.0.0.1,fd00::/8" }).trustProxy).toEqual([
      "10.0.0.0/8",
      "127.0.0.1",
      "fd00::/8",
    ]);
    for (const bad of ["*", "10.0.0.0/33", "proxy.local", "10.0.0.1,"]) {
      if (bad === "10.0.0.1,") expect(loadConfig([], { TRUST_PROXY: bad }).trustProxy).toEqual(["10.0.0.1"]);
      else expect(() => loadConfig([], { TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
    }
    expect(loadConfig([], {}).listener).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      maxConnectionsPerAddress: 256,
    });
    expect(
      loadConfig([], { HEADERS_TIMEOUT: "2000", REQUEST_TIMEOUT: "3000", MAX_CONNECTIONS_PER_IP: "0" }).listener,
    ).toEqual({ headersTimeoutMs: 2000, requestTimeoutMs: 3000, maxConnectionsPerAddress: 0 });
    expect(() => loadConfig([], { HEADERS_TIMEOUT: "999" })).toThrow(/HEADERS_TIMEOUT/);
    expect(() => loadConfig([], { HEADERS_TIMEOUT: "70000" })).toThrow(/must not exceed request-timeout/);
    expect(() => loadConfig([], { MAX_CONNECTIONS_PER_IP: "-1" })).toThrow(/MAX_CONNECTIONS_PER_IP/);
    // Origins are scheme://host[:port]; a hostile value is quoted escaped and cut short.
    expect(() => loadConfig([], { CORS_ORIGINS: `https://${"x".repeat(100_000)}` })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig([], { CORS_ORIGINS: "https://[::1]:8443,http://a-b.example.org" }).corsOrigins).toHaveLength(2);
    let message = "";
    try {
      loadConfig([], { PORT: `8080\n${"9".repeat(100_000)}` });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^port must be an integer .*"8080\\n9{50,}\.\.\." \(--port or PORT\)$/);
    expect(message.length).toBeLessThan(200);
    expect(loadConfig([], { RATE_LIMIT: "1000000000/1000000000" }).rateLimit.capacity).toBe(1e9);
    expect(() => loadConfig([], { RATE_LIMIT: `${"9".repeat(11)}/1` })).toThrow(/RATE_LIMIT/);
    expect(() => loadConfig([], { RATE_LIMIT: "1/0.0000000001" })).toThrow(/RATE_LIMIT/);
    expect(loadConfig([], {}).databaseTimeoutMs).toBe(5000);
    expect(loadConfig([], { DATABASE_TIMEOUT: "750" }).databaseTimeoutMs).toBe(750);
    for (const bad of ["0", "99", "5s", "-1", "600001", "1e4"]) {
      expect(() => loadConfig([], { DATABASE_TIMEOUT: bad })).toThrow(/DATABASE_TIMEOUT/);
    }
  });

  it("reads the event retention: an age of at least the contract's 24 hours, and a count", () => {
    const retention = (env: NodeJS.ProcessEnv) => loadConfig([], env).eventRetention;
    expect(retention({ EVENT_RETENTION: "36h", EVENT_MAX_COUNT: "500000" })).toEqual({
      maxAgeMs: 36 * 3_600_000,
      maxCount: 500_000,
    });
    expect(retention({ EVENT_RETENTION: "1440m" }).maxAgeMs).toBe(86_400_000);
    expect(loadConfig(["--event-retention", "30d"], { EVENT_RETENTION: "2d" }).eventRetention.maxAgeMs).toBe(
      30 * 86_400_000,
    );
    for (const bad of ["23h", "1439m", "7", "7 d", "-2d", "1w", "0d"]) {
      expect(() => retention({ EVENT_RETENTION: bad }), bad).toThrow(/EVENT_RETENTION/);
    }
    expect(() => retention({ EVENT_MAX_COUNT: "-1" })).toThrow(/EVENT_MAX_COUNT/);
    expect(() => retention({ EVENT_MAX_COUNT: "many" })).toThrow(/EVENT_MAX_COUNT/);
  });
});
