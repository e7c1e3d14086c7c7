// Authentication of API calls: an API key in X-API-Key, or the same key as a bearer token.
// Unknown or missing credentials are a 401 naming both schemes; the caller's project is set for
// the handlers, which only ever see that project's data.
import { createMiddleware } from "hono/factory";
import { authenticate, presentedKey } from "../auth/api-keys.ts";
import type { Store } from "../store/types.ts";
import { problem } from "./problem.ts";
import type { RequestIdEnv } from "./request-id.ts";

export type AuthEnv = RequestIdEnv & { Variables: { principal: { keyId: string; projectId: string } } };

export function requireApiKey(store: Store) {
  return createMiddleware<AuthEnv>(async (c, next) => {
    const key = presentedKey({ apiKey: c.req.header("X-API-Key"), authorization: c.req.header("Authorization") });
    const principal = key === null ? null : await authenticate(store, key);
    if (principal === null) {
      const response = problem(
        c,
        401,
        "UNAUTHENTICATED",
        "Unauthenticated",
        key === null ? "Send an API key in X-API-Key or as a bearer token." : "The API key is not known.",
      );
      response.headers.set("WWW-Authenticate", 'Bearer realm="tka", ApiKey header="X-API-Key"');
      return response;
    }
    c.set("principal", principal);
    await next();
  });
}
