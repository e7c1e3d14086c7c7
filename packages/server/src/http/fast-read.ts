// Reads of one sequence answered from the read cache straight through node:http, without the
// Fetch API round trip (Request, Headers, Response objects and Hono's dispatch cost about twice
// what the raw server spends on such a request; see docs/performance.md). The same middlewares
// apply, through the same functions the Hono stack uses: request id, API key, rate limit, CORS,
// the log line, metrics and Server-Timing. The answer is byte for byte the one the Hono route
// gives (fast-read.test.ts compares the two).
//
// It only takes requests it can answer at once (fast-admit.ts): `GET /api/v1/sequences/<id>` without a query,
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
import type { ViewCache } from "../cache/view-cache.ts";
import { allowedOrigin } from "./cors.ts";
import { type AdmitDeps, admit, type FastPath } from "./fast-admit.ts";
import { requestIdOf } from "./request-id.ts";

export type { FastPath };

const PREFIX = "/api/v1/sequences/";
/** The generated route's pattern, as the Hono stack logs and counts it. */
const ROUTE = "/api/v1/sequences/:sequence_id";
/** What a sequence id may hold here (ids are ASCII letters, digits and `_`): no `/`, `%` or `?`. */
const plainId = /^[A-Za-z0-9_-]{1,128}$/;

export interface FastReadDeps extends AdmitDeps {
  views: ViewCache<SerializedAnswer>;
}

export function fastSequenceReads(deps: FastReadDeps): FastPath {
  const expose = deps.cors.exposeHeaders.join(",");
  return (req, res) => {
    const started = performance.now();
    const url = req.url;
    if (req.method !== "GET" || url === undefined || !url.startsWith(PREFIX)) return false;
    const id = url.slice(PREFIX.length);
    if (!plainId.test(id)) return false;
    const admitted = admit(deps, req);
    if (admitted === undefined) return false;
    const { principal } = admitted;
    const answer = deps.views.peek(principal.projectId, id);
    if (answer === undefined) return false;

    // Answered here from now on.
    const decision = deps.limiter.take(principal.keyId);
    const requestId = requestIdOf(req.headers["x-request-id"] as string | undefined);
    const origin = allowedOrigin(deps.cors, req.headers.origin);
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
      keyPrefix: admitted.keyPrefix,
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
