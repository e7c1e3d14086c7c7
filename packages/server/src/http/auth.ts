// Authentication of API calls: an API key in X-API-Key, or the same key as a bearer token.
// Unknown or missing credentials are a 401 naming both schemes; the caller's project is set for
// the handlers, which only ever see that project's data. Unknown keys are limited per client
// address (auth/failure-limit.ts): past the limit, any key from there is a 429 with Retry-After.
// The key's prefix (never the key) is kept for the request's log line.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { type ApiKeys, keyPrefix, presentedKey } from "../auth/api-keys.ts";
import type { AuthFailureLimiter } from "../auth/failure-limit.ts";
import { problem } from "./problem.ts";
import type { RequestIdEnv } from "./request-id.ts";

export type AuthEnv = RequestIdEnv & {
  Variables: { principal: { keyId: string; projectId: string }; keyPrefix?: string };
};

/** The connection's peer address (behind a reverse proxy: the proxy's). */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? "unknown";
}

export function requireApiKey(keys: ApiKeys, failures: AuthFailureLimiter) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const key = presentedKey({ apiKey: c.req.header("X-API-Key"), authorization: c.req.header("Authorization") });
    if (key !== null) {
      c.set("keyPrefix", keyPrefix(key));
      const address = clientAddress(c);
      const wait = failures.wait(address);
      if (wait > 0) {
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
      const principal = await keys.authenticate(key);
      if (principal !== null) {
        c.set("principal", principal);
        return next();
      }
      failures.failed(address);
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
