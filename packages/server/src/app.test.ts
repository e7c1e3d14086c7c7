import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { buildServer } from "./server.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "tka-app-"));
  const config = loadConfig([], { DATA_DIR: dataDir, ...env });
  const lines: Record<string, unknown>[] = [];
  const server = await buildServer(config, (l) => lines.push(l));
  closers.push(() => server.store.close());
  return { ...server, lines, dataDir };
}

describe("app", () => {
  it("reports health with real component checks, readiness and status", async () => {
    const { app } = await setup();
    const health = await app.request("/api/v1/health");
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; components: { name: string; status: string }[] };
    expect(body.status).toBe("healthy");
    expect(body.components.map((c) => [c.name, c.status])).toEqual([
      ["database", "healthy"],
      ["events", "healthy"],
    ]);
    expect((await app.request("/api/v1/health/ready")).status).toBe(200);
    expect(await (await app.request("/api/v1/status")).json()).toMatchObject({
      name: "tka-server",
      database: "sqlite",
    });
    expect(await (await app.request("/api/v1/health/live")).json()).toEqual({ status: "ok" });
  });

  it("turns readiness 503 and health unhealthy, with the reason, when the database is gone", async () => {
    const { app, dataDir } = await setup();
    rmSync(dataDir, { recursive: true });
    // The file watch notices within a second; wait for it rather than for a fixed time.
    while ((await app.request("/api/v1/health/ready")).status === 200) await new Promise((r) => setTimeout(r, 20));
    expect((await app.request("/api/v1/health/ready")).status).toBe(503);
    const health = await app.request("/api/v1/health");
    expect(health.status).toBe(503);
    const body = (await health.json()) as { status: string; components: { message: string }[] };
    expect(body.status).toBe("unhealthy");
    expect(body.components[0]?.message).toMatch(/^unavailable since .*: the database file .*tka\.db is gone/);
  }, 30_000);

  it("gives every response a request id and answers unknown routes with problem+json", async () => {
    const { app } = await setup();
    const res = await app.request("/nope", { headers: { "X-Request-Id": "r1" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("X-Request-Id")).toBe("r1");
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 404, code: "NOT_FOUND", request_id: "r1", instance: "/nope" });
    const generated = await app.request("/api/v1/health/live", { headers: { "X-Request-Id": "bad id" } });
    expect(generated.headers.get("X-Request-Id")).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it("allows CORS only for configured origins", async () => {
    const { app } = await setup({ CORS_ORIGINS: "https://app.example" });
    const allowed = await app.request("/api/v1/health/live", { headers: { Origin: "https://app.example" } });
    expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example");
    const other = await app.request("/api/v1/health/live", { headers: { Origin: "https://evil.example" } });
    expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("serves the contract and Prometheus metrics", async () => {
    const { app } = await setup();
    expect(await (await app.request("/openapi.yaml")).text()).toContain("openapi: 3.1.0");
    const json = (await (await app.request("/openapi.json")).json()) as { paths: object };
    expect(Object.keys(json.paths)).toContain("/api/v1/sequences");
    await app.request("/api/v1/health/live");
    const metrics = await (await app.request("/metrics")).text();
    expect(metrics).toContain('tka_http_requests_total{method="GET",route="/api/v1/health/live",status="200"}');
    expect(metrics).toContain("tka_websocket_connections 0");
  });

  it("creates an API key on first start only", async () => {
    const { firstKey, dataDir } = await setup();
    expect(firstKey).toMatch(/^tka_/);
    const again = await buildServer(loadConfig([], { DATA_DIR: dataDir }), () => {});
    closers.push(() => again.store.close());
    expect(again.firstKey).toBeNull();
  });
});
