import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv, SerializedAnswer } from "./api/context.ts";
import { eventsHandlers } from "./api/events.ts";
import { healthHandlers, type ServerInfo } from "./api/health.ts";
import { beatsHandlers, historyHandlers, sequencesHandlers } from "./api/sequences.ts";
import type { ApiKeys } from "./auth/api-keys.ts";
import type { AuthFailureLimiter } from "./auth/failure-limit.ts";
import type { ViewCache } from "./cache/view-cache.ts";
import type { EventDispatcher } from "./events/dispatcher.ts";
import type { SseStreams } from "./events/sse.ts";
import { operations } from "./generated/operations.ts";
import { registerRoutes } from "./generated/routes.ts";
import type { JsonLimits } from "./generated/runtime/json.ts";
import { Validator } from "./generated/runtime/validate.ts";
import { schemas } from "./generated/schemas.ts";
import { requireApiKey } from "./http/auth.ts";
import { chain } from "./http/chain.ts";
import { type CorsOptions, cors } from "./http/cors.ts";
import { problemFor } from "./http/errors.ts";
import type { FastPath } from "./http/fast-admit.ts";
import { fastSequenceReads } from "./http/fast-read.ts";
import { fastSequencePatches } from "./http/fast-write.ts";
import { idempotency } from "./http/idempotency.ts";
import { limitBody, rateLimit } from "./http/limits.ts";
import { type Log, observe, reporter } from "./http/observe.ts";
import { type ProblemContext, problem } from "./http/problem.ts";
import type { RateLimiter } from "./http/rate-limit.ts";
import { requestId } from "./http/request-id.ts";
import type { Metrics } from "./observability/metrics.ts";
import { type MetricsAccess, metricsHandler } from "./observability/metrics-route.ts";
import type { CircuitBreaker } from "./resilience/circuit-breaker.ts";
import { contractRoutes } from "./routes/contract.ts";
import { docsRoutes } from "./routes/docs.ts";
import { webRoutes } from "./routes/web.ts";
import type { WebApp } from "./routes/web-assets.ts";
import type { SequenceService } from "./service/sequences.ts";
import type { Store } from "./store/types.ts";

export interface AppDeps {
  info: ServerInfo;
  store: Store;
  breaker: CircuitBreaker;
  dispatcher: EventDispatcher;
  /** Unsent event bytes an SSE stream may have before it is ended as a slow consumer. */
  eventSendBufferBytes: number;
  /** Open SSE streams (ended at shutdown). */
  sseStreams?: SseStreams;
  metrics: Metrics;
  service: SequenceService;
  /** Sequence reads answered from memory, where that is sound (see server.ts). */
  views?: ViewCache<SerializedAnswer> | undefined;
  limiter: RateLimiter;
  keys: ApiKeys;
  /** Unknown keys per client address. */
  authFailures: AuthFailureLimiter;
  /** Whether /metrics is on this app, and its token (observability/metrics-route.ts). */
  metricsAccess: MetricsAccess;
  corsOrigins: readonly string[];
  bodyLimitBytes: number;
  /** Limits of JSON bodies, checked while parsing (see the skeleton's runtime/json.ts). */
  jsonLimits?: JsonLimits | undefined;
  idempotencyTtlMs: number;
  log: Log;
  /** The built web app served at / (routes/web-assets.ts); undefined: / says how to build it. */
  web?: WebApp | undefined;
}

/** The status logged and counted for a request whose client hung up mid-body (never sent). */
export const CLIENT_CLOSED_REQUEST = 499 as ContentfulStatusCode;

/** The Node request (from @hono/node-server) ended before its body did. */
function clientAborted(env: unknown, error: unknown): boolean {
  const incoming = (env as { incoming?: { complete?: boolean; destroyed?: boolean } } | undefined)?.incoming;
  if (incoming === undefined || incoming.complete === true) return false;
  return incoming.destroyed === true || (error as { code?: unknown } | null)?.code === "ECONNRESET";
}

/** The titles of the codes the generated skeleton answers with (its problem writer's). */
const titles = {
  BAD_REQUEST: "Bad request",
  METHOD_NOT_ALLOWED: "Method not allowed",
  PAYLOAD_TOO_LARGE: "Payload too large",
  UNSUPPORTED_MEDIA_TYPE: "Unsupported media type",
  VALIDATION_FAILED: "Validation failed",
  // The codes parameters of the contract answer with (x-error-code).
  INVALID_EVENT_ID: "Invalid event id",
} as const;

/** CORS: an explicit allow-list; with none configured, no cross-origin access at all. */
function corsOptions(deps: Pick<AppDeps, "corsOrigins">): CorsOptions {
  return {
    origins: deps.corsOrigins,
    exposeHeaders: ["ETag", "X-Request-Id", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"],
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
  };
}

/**
 * Requests answered through node:http directly, with the same middlewares and validation as the
 * Hono app (http/fast-read.ts, http/fast-write.ts): sequence PATCHes, and reads of one sequence
 * from the read cache where there is one (SQLite). Everything else goes to the app.
 */
export function createFastPath(deps: AppDeps): FastPath {
  const admit = {
    keys: deps.keys,
    authFailures: deps.authFailures,
    limiter: deps.limiter,
    cors: corsOptions(deps),
    report: reporter(deps.metrics, deps.log),
  };
  const validator = new Validator(schemas);
  const patches = fastSequencePatches({
    ...admit,
    service: deps.service,
    store: deps.store,
    idempotencyTtlMs: deps.idempotencyTtlMs,
    operation: operations.updateSequence,
    validator,
    resolve: (ref) => {
      const schema = schemas[ref.slice("#/components/schemas/".length)];
      if (schema === undefined) throw new Error(`unresolved $ref ${ref}`);
      return schema;
    },
    jsonLimits: deps.jsonLimits,
    bodyLimitBytes: deps.bodyLimitBytes,
    titles,
    log: deps.log,
  });
  if (deps.views === undefined) return patches;
  const reads = fastSequenceReads({ ...admit, views: deps.views });
  return (req, res) => reads(req, res) || patches(req, res);
}

/** Builds the HTTP application. Everything it serves is listed here. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Every request: an id, its log line / metrics / Server-Timing, and CORS (an explicit
  // allow-list; with none configured, no cross-origin access at all). Chained: one layer, not three.
  app.use(chain(requestId, observe(deps.metrics, deps.log), cors(corsOptions(deps))));
  app.route("/", contractRoutes());
  app.route("/", docsRoutes());
  app.route("/", webRoutes(deps.web));
  if (deps.metricsAccess.onMainListener) app.get("/metrics", metricsHandler(deps.metrics, deps.metricsAccess.token));
  // Every operation of the contract, validated by the generated skeleton before its handler runs.
  registerRoutes(
    app,
    {
      sequences: sequencesHandlers(deps.service, deps.views),
      beats: beatsHandlers(deps.service),
      history: historyHandlers(deps.service),
      events: eventsHandlers({
        store: deps.store,
        dispatcher: deps.dispatcher,
        sendBufferBytes: deps.eventSendBufferBytes,
        ...(deps.sseStreams ? { streams: deps.sseStreams } : {}),
        onSlowConsumer: () => deps.metrics.slowConsumers.inc({ transport: "sse" }),
      }),
      health: healthHandlers(deps),
    },
    {
      problem: (c, status, code, detail, errors) =>
        problem(c as ProblemContext, status, code, titles[code], detail, errors),
      jsonLimits: deps.jsonLimits,
      // Authentication, then per-key rate limit, body limit and idempotency, composed once (the
      // skeleton combines its `before` list anew on every request).
      authenticate: chain(
        requireApiKey(deps.keys, deps.authFailures),
        rateLimit(deps.limiter),
        limitBody(deps.bodyLimitBytes),
        idempotency(deps.store, deps.idempotencyTtlMs),
      ),
    },
  );
  app.notFound((c) => problem(c, 404, "NOT_FOUND", "Not found", `No route for ${c.req.method} ${c.req.path}.`));
  app.onError((error, c) => {
    // The client hung up before its whole body arrived: nobody is left to answer, and the server
    // did nothing wrong. Logged and counted as 499 (nginx's "client closed request"), not a 500.
    if (clientAborted(c.env, error)) return c.body(null, CLIENT_CLOSED_REQUEST);
    const known = problemFor(c, error);
    if (known) return known;
    deps.log({ level: "error", msg: "unhandled error", request_id: c.get("requestId"), error: String(error) });
    return problem(c, 500, "INTERNAL_ERROR", "Internal server error", "Nothing was changed. Report the request id.");
  });
  return app;
}
