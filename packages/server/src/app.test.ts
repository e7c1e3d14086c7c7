import { describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";

const app = createApp({ name: "tka-server", version: "0.1.0", startedAt: new Date() });

describe("app", () => {
  it("serves liveness, health and readiness with a request id", async () => {
    for (const path of ["/api/v1/health/live", "/api/v1/health", "/api/v1/health/ready"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("X-Request-Id")).toMatch(/^req_[0-9a-f]{32}$/);
    }
    expect(await (await app.request("/api/v1/health")).json()).toMatchObject({ status: "healthy", components: [] });
  });

  it("echoes a valid client request id and replaces an invalid one", async () => {
    const echoed = await app.request("/api/v1/health/live", { headers: { "X-Request-Id": "abc-123" } });
    expect(echoed.headers.get("X-Request-Id")).toBe("abc-123");
    const replaced = await app.request("/api/v1/health/live", { headers: { "X-Request-Id": "bad id" } });
    expect(replaced.headers.get("X-Request-Id")).toMatch(/^req_/);
  });

  it("serves the contract as YAML and JSON", async () => {
    const yaml = await app.request("/openapi.yaml");
    expect(await yaml.text()).toContain("openapi: 3.1.0");
    const json = (await (await app.request("/openapi.json")).json()) as { openapi: string; paths: object };
    expect(json.openapi).toBe("3.1.0");
    expect(Object.keys(json.paths)).toContain("/api/v1/sequences");
  });

  it("answers unknown routes with a problem+json 404", async () => {
    const res = await app.request("/nope", { headers: { "X-Request-Id": "r1" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 404, code: "NOT_FOUND", request_id: "r1", instance: "/nope" });
  });
});

describe("config", () => {
  it("takes flags over environment over defaults", () => {
    expect(loadConfig([], {})).toEqual({ host: "127.0.0.1", port: 8080, logLevel: "info" });
    expect(loadConfig([], { PORT: "9000", HOST: "0.0.0.0" })).toMatchObject({ host: "0.0.0.0", port: 9000 });
    expect(loadConfig(["--port", "7000"], { PORT: "9000" }).port).toBe(7000);
  });

  it("rejects bad values with a message naming the setting", () => {
    expect(() => loadConfig([], { PORT: "http" })).toThrow(ConfigError);
    expect(() => loadConfig([], { PORT: "70000" })).toThrow(/PORT/);
    expect(() => loadConfig([], { LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
  });
});
