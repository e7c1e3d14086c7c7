// Authentication of API calls: an API key in X-API-Key, or the same key as a bearer token.
// Unknown or missing credentials are a 401 naming both schemes; the caller's project is set for
// the handlers, which only ever see that project's data. Unknown keys are limited per client
// address (auth/failure-limit.ts): past the limit, any key from there is a 429 with Retry-After.
// The client address is the peer's, or behind trusted proxies (TRUST_PROXY) the forwarded one.
// The key's prefix (never the key) is kept for the request's log line.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { type ApiKeys, keyPrefix, presentedKey } from "../auth/api-keys.ts";
import { type AuthFailureLimiter, checkKey } from "../auth/failure-limit.ts";
import { problem } from "./problem.ts";
import type { RequestIdEnv } from "./request-id.ts";

export type AuthEnv = RequestIdEnv & {
  Variables: { principal: { keyId: string; projectId: string }; keyPrefix?: string };
};

/** The client's address: the connection's peer, or behind trusted proxies the address they forward. */
export function clientAddress(c: Context, failures: AuthFailureLimiter): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return failures.clientOf(env?.incoming?.socket?.remoteAddress, c.req.header("X-Forwarded-For"));
}

export function requireApiKey(keys: ApiKeys, failures: AuthFailureLimiter) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const key = presentedKey({ apiKey: c.req.header("X-API-Key"), authorization: c.req.header("Authorization") });
    if (key !== null) {
      c.set("keyPrefix", keyPrefix(key));
      const check = await checkKey(keys, failures, key, clientAddress(c, failures));
      if ("principal" in check) {
        c.set("principal", check.principal);
        return next();
      }
      if (check.refused === "limited") {
        const wait = check.retryAfterSeconds;
        const response = problem(
          c,
          429,
          "RATE_LIMITED",
          "Too many requests",
          `Too many unknown API keys from this address; retry after ${wait} s.`,
        );
        response.headers.set("Retry-After", String(wait));
        return response;
      }
    }
    const response = problem(
      c,
      401,
      "UNAUTHENTICATED",
      "Unauthenticated",
      key === null ? "Send an API key in X-API-Key or as a bearer token." : "The API key is not known.",
    );
    response.headers.set("WWW-Authenticate", 'Bearer realm="tka", ApiKey header="X-API-Key"');
    return response;
  });
}
