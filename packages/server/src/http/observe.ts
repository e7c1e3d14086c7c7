// One place for what every request reports: a JSON log line (request id, method, route, status,
// duration), the Prometheus request metrics, and a Server-Timing header.
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { Metrics } from "../observability/metrics.ts";
import type { RequestIdEnv } from "./request-id.ts";

export type Log = (line: Record<string, unknown>) => void;

/** What the line reads that later middleware sets (the authenticated key, when there is one). */
type ObservedEnv = RequestIdEnv & { Variables: { principal?: { keyId: string }; keyPrefix?: string } };

/** What is reported of one answered request. */
export interface Observed {
  requestId: string;
  method: string;
  /** The matched route pattern ("unmatched" when none). */
  route: string;
  path: string;
  status: number;
  ms: number;
  keyId?: string | undefined;
  keyPrefix?: string | undefined;
}

/** Counts, times and logs a request; answers its Server-Timing value. */
export function reporter(metrics: Metrics, log: Log): (r: Observed) => string {
  return (r) => {
    metrics.requests.inc({ method: r.method, route: r.route, status: String(r.status) });
    metrics.duration.observe({ method: r.method, route: r.route }, r.ms / 1000);
    log({
      level: r.status >= 500 ? "error" : "info",
      msg: "request",
      request_id: r.requestId,
      method: r.method,
      route: r.route,
      path: r.path,
      status: r.status,
      duration_ms: Math.round(r.ms * 100) / 100,
      // For audit: which key (its id and first characters, never the key itself).
      key_id: r.keyId,
      key_prefix: r.keyPrefix,
      // 499: the client hung up before sending its whole body (see app.ts).
      ...(r.status === 499 ? { client_abort: true } : {}),
    });
    return `app;dur=${r.ms.toFixed(1)}`;
  };
}

export function observe(metrics: Metrics, log: Log) {
  const report = reporter(metrics, log);
  return createMiddleware<ObservedEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    // The matched pattern, not the raw path, keeps label cardinality bounded.
    const matched = routePath(c, -1);
    const timing = report({
      requestId: c.get("requestId"),
      method: c.req.method,
      route: matched === "/*" || matched === "*" ? "unmatched" : matched,
      path: c.req.path,
      status: c.res.status,
      ms: performance.now() - started,
      keyId: c.get("principal")?.keyId,
      keyPrefix: c.get("keyPrefix"),
    });
    c.res.headers.set("Server-Timing", timing);
  });
}
