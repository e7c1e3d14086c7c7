import { Hono } from "hono";
import { cors } from "hono/cors";
import type { EventBus } from "./events/bus.ts";
import { problemFor } from "./http/errors.ts";
import { type Log, observe } from "./http/observe.ts";
import { problem } from "./http/problem.ts";
import { type RequestIdEnv, requestId } from "./http/request-id.ts";
import type { Metrics } from "./observability/metrics.ts";
import { type CircuitBreaker, CircuitOpenError } from "./resilience/circuit-breaker.ts";
import { contractRoutes } from "./routes/contract.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoutes, type ServerInfo } from "./routes/health.ts";
import type { Store } from "./store/types.ts";

export interface AppDeps {
  info: ServerInfo;
  store: Store;
  breaker: CircuitBreaker;
  bus: EventBus;
  metrics: Metrics;
  corsOrigins: readonly string[];
  log: Log;
}

/** Builds the HTTP application. Everything it serves is listed here. */
export function createApp(deps: AppDeps): Hono<RequestIdEnv> {
  const app = new Hono<RequestIdEnv>();
  app.use(requestId, observe(deps.metrics, deps.log));
  // CORS: an explicit allow-list; with none configured, no cross-origin access at all.
  app.use(
    cors({
      origin: (origin) => (deps.corsOrigins.includes(origin) ? origin : null),
      exposeHeaders: [
        "ETag",
        "X-Request-Id",
        "Retry-After",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
      ],
      allowHeaders: [
        "Content-Type",
        "Authorization",
        "X-API-Key",
        "If-Match",
        "Idempotency-Key",
        "X-Request-Id",
        "Last-Event-ID",
      ],
      maxAge: 600,
    }),
  );
  app.route("/", contractRoutes());
  app.route("/", docsRoutes());
  app.route("/api/v1", healthRoutes(deps));
  app.get("/metrics", async (c) =>
    c.body(await deps.metrics.registry.metrics(), 200, { "Content-Type": deps.metrics.registry.contentType }),
  );
  app.notFound((c) => problem(c, 404, "NOT_FOUND", "Not found", `No route for ${c.req.method} ${c.req.path}.`));
  app.onError((error, c) => {
    const known = problemFor(c, error);
    if (known) return known;
    if (error instanceof CircuitOpenError) {
      const response = problem(c, 503, "SERVICE_UNAVAILABLE", "Service unavailable", "The database is unavailable.");
      response.headers.set("Retry-After", String(error.retryAfterSeconds));
      return response;
    }
    deps.log({ level: "error", msg: "unhandled error", request_id: c.get("requestId"), error: String(error) });
    return problem(c, 500, "INTERNAL_ERROR", "Internal server error", "Nothing was changed. Report the request id.");
  });
  return app;
}
