// Per-key rate limiting (429 + Retry-After + RateLimit-*) and the request body size limit (413).

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
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      problem(
        c as unknown as ProblemContext,
        413,
        "PAYLOAD_TOO_LARGE",
        "Payload too large",
        `Bodies are limited to ${maxBytes} bytes.`,
      ),
  });
  // GET and HEAD have no body; asking a Node request for its body would build a full Request.
  return (c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? next() : limit(c, next));
}

export type { RequestIdEnv };
