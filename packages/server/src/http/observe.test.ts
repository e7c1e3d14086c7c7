import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { Metrics } from "../observability/metrics.ts";
import { observe } from "./observe.ts";
import { type RequestIdEnv, requestId } from "./request-id.ts";

describe("observe", () => {
  it("logs one line, counts by route pattern and sets Server-Timing", async () => {
    const metrics = new Metrics();
    const lines: Record<string, unknown>[] = [];
    const app = new Hono<RequestIdEnv>();
    app.use(
      requestId,
      observe(metrics, (l) => lines.push(l)),
    );
    app.get("/things/:id", (c) => c.json({ id: c.req.param("id") }));
    const res = await app.request("/things/42", { headers: { "X-Request-Id": "r-1" } });
    await app.request("/nothing");
    expect(res.headers.get("Server-Timing")).toMatch(/^app;dur=\d+\.\d$/);
    expect(lines[0]).toMatchObject({ request_id: "r-1", method: "GET", route: "/things/:id", status: 200 });
    expect(lines[1]).toMatchObject({ route: "unmatched", status: 404 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('tka_http_requests_total{method="GET",route="/things/:id",status="200"} 1');
    expect(text).toContain('tka_http_request_duration_seconds_count{method="GET",route="/things/:id"} 1');
  });
});
