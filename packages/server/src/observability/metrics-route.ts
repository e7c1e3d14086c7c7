// Who may read /metrics. With METRICS_TOKEN, only requests with `Authorization: Bearer <token>`
// (401 otherwise); with METRICS_ADDRESS, it is served on that listener only (main.ts), never on
// the API's. With neither, it is served on the API's listener as long as that listens on a
// loopback address only, and not at all otherwise (a start-up line says how to turn it on): a
// server reachable from other hosts does not hand its process and traffic figures to strangers.
import { createHash, timingSafeEqual } from "node:crypto";
import { type Context, Hono } from "hono";
import { type ProblemContext, problem } from "../http/problem.ts";
import { requestId } from "../http/request-id.ts";
import type { Metrics } from "./metrics.ts";

export interface MetricsAccess {
  token: string | undefined;
  /** Served on the API's listener (else on its own listener, or nowhere). */
  onMainListener: boolean;
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Where /metrics goes with these settings (see the top of this file). */
export function metricsAccess(config: {
  host: string;
  metricsToken: string | undefined;
  metricsAddress: unknown;
}): MetricsAccess {
  return {
    token: config.metricsToken,
    onMainListener:
      config.metricsAddress === undefined && (config.metricsToken !== undefined || isLoopback(config.host)),
  };
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** The /metrics handler, asking for the token when there is one (compared in constant time). */
export function metricsHandler(metrics: Metrics, token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token);
  return async (c: Context) => {
    if (expected !== undefined) {
      const sent = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("Authorization") ?? "")?.[1];
      if (sent === undefined || !timingSafeEqual(digest(sent), expected)) {
        const response = problem(
          c as unknown as ProblemContext,
          401,
          "UNAUTHENTICATED",
          "Unauthenticated",
          "Send the metrics token as a bearer token.",
        );
        response.headers.set("WWW-Authenticate", 'Bearer realm="tka-metrics"');
        return response;
      }
    }
    return c.body(await metrics.registry.metrics(), 200, { "Content-Type": metrics.registry.contentType });
  };
}

/** The app of a separate metrics listener (METRICS_ADDRESS): /metrics and nothing else. */
export function metricsApp(metrics: Metrics, token: string | undefined): Hono {
  const app = new Hono();
  app.use(requestId);
  app.get("/metrics", metricsHandler(metrics, token));
  app.notFound((c) => c.text("Not found", 404));
  return app;
}
