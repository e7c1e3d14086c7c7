// Reads of one sequence answered from the read cache straight through node:http, without the
// Fetch API round trip (Request, Headers, Response objects and Hono's dispatch cost about twice
// what the raw server spends on such a request; see docs/performance.md). The same middlewares
// apply, through the same functions the Hono stack uses: request id, API key, rate limit, CORS,
// the log line, metrics and Server-Timing. The answer is byte for byte the one the Hono route
// gives (fast-read.test.ts compares the two).
//
// It only takes requests it can answer at once: `GET /api/v1/sequences/<id>` without a query,
// a key known without a lookup, a client address and key with tokens left, and the caller's
// sequence in the cache. Anything else (a miss, an unknown key, a refusal, any other request)
// goes to the Hono app unchanged: nothing has been done to it yet (no token taken, nothing logged).
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type ServerOptions,
  type ServerResponse,
} from "node:http";
import type { SerializedAnswer } from "../api/context.ts";
import { type ApiKeys, keyPrefix, presentedKey } from "../auth/api-keys.ts";
import type { AuthFailureLimiter } from "../auth/failure-limit.ts";
import type { ViewCache } from "../cache/view-cache.ts";
import { allowedOrigin, type CorsOptions } from "./cors.ts";
import type { Observed } from "./observe.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { requestIdOf } from "./request-id.ts";

const PREFIX = "/api/v1/sequences/";
/** The generated route's pattern, as the Hono stack logs and counts it. */
const ROUTE = "/api/v1/sequences/:sequence_id";
/** What a sequence id may hold here (ids are ASCII letters, digits and `_`): no `/`, `%` or `?`. */
const plainId = /^[A-Za-z0-9_-]{1,128}$/;

export interface FastReadDeps {
  views: ViewCache<SerializedAnswer>;
  keys: ApiKeys;
  authFailures: AuthFailureLimiter;
  limiter: RateLimiter;
  cors: CorsOptions;
  /** Counts, times and logs the request; answers its Server-Timing value (observe.ts `reporter`). */
  report: (r: Observed) => string;
}

/** Whether a header occurs more than once (`raw`: names and values, alternating). */
function repeated(raw: readonly string[], name: string): boolean {
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === name && ++seen > 1) return true;
  return false;
}

/** A request handler that answers what it can and returns false for everything else. */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

export function fastSequenceReads(deps: FastReadDeps): FastPath {
  const expose = deps.cors.exposeHeaders.join(",");
  return (req, res) => {
    const started = performance.now();
    const url = req.url;
    if (req.method !== "GET" || url === undefined || !url.startsWith(PREFIX)) return false;
    const id = url.slice(PREFIX.length);
    if (!plainId.test(id)) return false;
    const headers = req.headers;
    const apiKey = headers["x-api-key"] as string | undefined;
    // Node keeps only the first of repeated Authorization headers, the Fetch Headers Hono reads
    // join them: such a request is left to Hono, so both paths decide alike.
    if (apiKey === undefined && headers.authorization !== undefined && repeated(req.rawHeaders, "authorization")) {
      return false;
    }
    const key = presentedKey({ apiKey, authorization: headers.authorization });
    if (key === null) return false;
    const client = deps.authFailures.clientOf(req.socket.remoteAddress, headers["x-forwarded-for"]);
    if (deps.authFailures.wait(client) > 0) return false;
    const principal = deps.keys.known(key);
    if (principal === undefined || deps.limiter.wait(principal.keyId) > 0) return false;
    const answer = deps.views.peek(principal.projectId, id);
    if (answer === undefined) return false;

    // Answered here from now on.
    const decision = deps.limiter.take(principal.keyId);
    const requestId = requestIdOf(headers["x-request-id"] as string | undefined);
    const origin = allowedOrigin(deps.cors, headers.origin);
    const out: string[] = [];
    if (origin !== null) out.push("access-control-allow-origin", origin);
    out.push("access-control-expose-headers", expose, "content-type", "application/json");
    for (const [name, value] of Object.entries(answer.headers)) out.push(name.toLowerCase(), value);
    out.push(
      "ratelimit-limit",
      String(decision.limit),
      "ratelimit-remaining",
      String(decision.remaining),
      "ratelimit-reset",
      String(decision.reset),
    );
    const timing = deps.report({
      requestId,
      method: "GET",
      route: ROUTE,
      path: url,
      status: 200,
      ms: performance.now() - started,
      keyId: principal.keyId,
      keyPrefix: keyPrefix(key),
    });
    out.push("server-timing", timing, "vary", "Origin", "x-request-id", requestId);
    out.push("Content-Length", String(answer.json.byteLength));
    res.writeHead(200, out);
    res.end(answer.json);
    return true;
  };
}

/** A node:http request listener that tries `fast` first, then `listener`. */
export function withFastPath(
  fast: FastPath,
  listener: (req: IncomingMessage, res: ServerResponse) => unknown,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (!fast(req, res)) listener(req, res);
  };
}

/** node:http's createServer with `fast` before the listener (for @hono/node-server's `createServer`). */
export function createServerWith(fast: FastPath | undefined): typeof createServer {
  return ((options: ServerOptions, listener: RequestListener) =>
    createServer(options, fast === undefined ? listener : withFastPath(fast, listener))) as typeof createServer;
}
