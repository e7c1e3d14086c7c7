// One place for what every request reports: a JSON log line (request id, method, route, status,
// duration), the Prometheus request metrics, and a Server-Timing header.
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { Metrics } from "../observability/metrics.ts";
import type { RequestIdEnv } from "./request-id.ts";

export type Log = (line: Record<string, unknown>) => void;

/** What the line reads that later middleware sets (the authenticated key, when there is one). */
type ObservedEnv = RequestIdEnv & { Variables: { principal?: { keyId: string }; keyPrefix?: string } };

export function observe(metrics: Metrics, log: Log) {
  return createMiddleware<ObservedEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    const ms = performance.now() - started;
    // The matched pattern, not the raw path, keeps label cardinality bounded.
    const matched = routePath(c, -1);
    const route = matched === "/*" || matched === "*" ? "unmatched" : matched;
    const status = c.res.status;
    metrics.requests.inc({ method: c.req.method, route, status: String(status) });
    metrics.duration.observe({ method: c.req.method, route }, ms / 1000);
    c.res.headers.set("Server-Timing", `app;dur=${ms.toFixed(1)}`);
    log({
      level: status >= 500 ? "error" : "info",
      msg: "request",
      request_id: c.get("requestId"),
      method: c.req.method,
      route,
      path: c.req.path,
      status,
      duration_ms: Math.round(ms * 100) / 100,
      // For audit: which key (its id and first characters, never the key itself).
      key_id: c.get("principal")?.keyId,
      key_prefix: c.get("keyPrefix"),
      // 499: the client hung up before sending its whole body (see app.ts).
      ...(status === 499 ? { client_abort: true } : {}),
    });
  });
}
