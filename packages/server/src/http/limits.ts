// Per-key rate limiting (429 + Retry-After + RateLimit-*) and the request body size limit (413).

import type { IncomingMessage } from "node:http";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AuthEnv } from "./auth.ts";
import { type ProblemContext, problem } from "./problem.ts";
import { type RateLimiter, rateLimitHeaders } from "./rate-limit.ts";
import type { RequestIdEnv } from "./request-id.ts";

export function rateLimit(limiter: RateLimiter) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const decision = limiter.take(c.get("principal").keyId);
    const headers = rateLimitHeaders(decision);
    if (!decision.allowed) {
      const response = problem(c, 429, "RATE_LIMITED", "Too many requests", `Retry after ${decision.retryAfter} s.`);
      response.headers.set("Retry-After", String(decision.retryAfter));
      for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
      return response;
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  });
}

export function limitBody(maxBytes: number): MiddlewareHandler {
  const tooLarge = (c: Parameters<MiddlewareHandler>[0]) =>
    problem(
      c as unknown as ProblemContext,
      413,
      "PAYLOAD_TOO_LARGE",
      "Payload too large",
      `Bodies are limited to ${maxBytes} bytes.`,
    );
  // Hono's bodyLimit reads `c.req.raw.body`, which turns the Node request into a Fetch Request
  // with a web stream (about a tenth of a mutation's CPU); it is used only where the size is not
  // declared (chunked bodies), counting while it reads.
  const counting = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return (c, next) => {
    // GET and HEAD have no body; asking a Node request for its body would build a full Request.
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    // With a Content-Length and no Transfer-Encoding, Node's parser delivers exactly that many
    // bytes: the declared size is the size, and the body is later read straight from the socket.
    // Without either header there is no body at all. (Only for a Node request: a Fetch Request
    // made in the process, as tests make, may carry a body without declaring its length.)
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (incoming !== undefined && incoming.headers["transfer-encoding"] === undefined) {
      const length = incoming.headers["content-length"];
      if (length === undefined) return next();
      if (/^\d+$/.test(length)) return Number(length) <= maxBytes ? next() : Promise.resolve(tooLarge(c));
    }
    return counting(c, next);
  };
}

export type { RequestIdEnv };
