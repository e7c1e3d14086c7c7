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
  });
});
