// What the node:http fast paths (fast-read.ts, fast-write.ts) share: whether a request may be
// taken without any lookup (the checks the Hono stack's key, auth-failure and rate-limit
// middlewares would pass), and the headers every answer carries (CORS, RateLimit-*,
// Server-Timing, Vary, X-Request-Id), written once as Node's flat header list.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type ApiKeys, keyPrefix, presentedKey } from "../auth/api-keys.ts";
import type { AuthFailureLimiter } from "../auth/failure-limit.ts";
import { allowedOrigin, type CorsOptions } from "./cors.ts";
import type { Observed } from "./observe.ts";
import type { Decision, RateLimiter } from "./rate-limit.ts";
import { requestIdOf } from "./request-id.ts";

export interface AdmitDeps {
  keys: ApiKeys;
  authFailures: AuthFailureLimiter;
  limiter: RateLimiter;
  cors: CorsOptions;
  /** Counts, times and logs the request; answers its Server-Timing value (observe.ts `reporter`). */
  report: (r: Observed) => string;
}

/** A request a fast path may take: its key is known and it has tokens left (none taken yet). */
export interface Admitted {
  principal: { keyId: string; projectId: string };
  keyPrefix: string;
}

/** A request handler that answers what it can and returns false for everything else. */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

/** How often a header occurs (`raw`: names and values, alternating). */
export function occurrences(raw: readonly string[], name: string): number {
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === name) seen++;
  return seen;
}

/**
 * The request's principal when it can be taken without a lookup: a key known in memory, a client
 * address with no wrong-key penalty, a key with tokens left. Undefined: leave it to Hono.
 */
export function admit(deps: AdmitDeps, req: IncomingMessage): Admitted | undefined {
  const headers = req.headers;
  const apiKey = headers["x-api-key"] as string | undefined;
  // Node keeps only the first of repeated Authorization headers, the Fetch Headers Hono reads
  // join them: such a request is left to Hono, so both paths decide alike.
  if (apiKey === undefined && headers.authorization !== undefined && occurrences(req.rawHeaders, "authorization") > 1) {
    return undefined;
  }
  const key = presentedKey({ apiKey, authorization: headers.authorization });
  if (key === null) return undefined;
  const client = deps.authFailures.clientOf(req.socket.remoteAddress, headers["x-forwarded-for"]);
  if (deps.authFailures.wait(client) > 0) return undefined;
  const principal = deps.keys.known(key);
  if (principal === undefined || deps.limiter.wait(principal.keyId) > 0) return undefined;
  return { principal, keyPrefix: keyPrefix(key) };
}

/** One request being answered by a fast path: its id, start time and token taken. */
export interface Taken {
  started: number;
  requestId: string;
  decision: Decision;
  origin: string | null;
}

/** Takes an admitted request: its rate-limit token, its request id. From here on it is answered here. */
export function take(deps: AdmitDeps, req: IncomingMessage, admitted: Admitted, started: number): Taken {
  return {
    started,
    decision: deps.limiter.take(admitted.principal.keyId),
    requestId: requestIdOf(req.headers["x-request-id"] as string | undefined),
    origin: allowedOrigin(deps.cors, req.headers.origin),
  };
}

/**
 * Reports the request (log line, metrics) and writes the answer with the headers the Hono stack
 * adds (in the order Fetch Headers keep them: by name). `own`: the answer's own headers, by
 * lower-case name, already in that order among themselves.
 */
export function answer(
  deps: AdmitDeps,
  res: ServerResponse,
  r: { taken: Taken; admitted: Admitted; method: string; route: string; path: string },
  status: number,
  own: readonly [string, string][],
  body: Uint8Array | string,
  expose: string,
): void {
  const { taken, admitted } = r;
  const timing = deps.report({
    requestId: taken.requestId,
    method: r.method,
    route: r.route,
    path: r.path,
    status,
    ms: performance.now() - taken.started,
    keyId: admitted.principal.keyId,
    keyPrefix: admitted.keyPrefix,
  });
  const d = taken.decision;
  const all: [string, string][] = [
    ...own,
    ["access-control-expose-headers", expose],
    ["ratelimit-limit", String(d.limit)],
    ["ratelimit-remaining", String(d.remaining)],
    ["ratelimit-reset", String(d.reset)],
    ["server-timing", timing],
    ["vary", "Origin"],
    ["x-request-id", taken.requestId],
  ];
  if (taken.origin !== null) all.push(["access-control-allow-origin", taken.origin]);
  all.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const flat: string[] = [];
  for (const [name, value] of all) flat.push(name, value);
  flat.push("content-length", String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength));
  res.writeHead(status, flat);
  res.end(body);
}
