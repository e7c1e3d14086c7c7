// Idempotency-Key on every mutation (POST, PUT, PATCH, DELETE): the first answer to a key is
// stored and replayed (with `Idempotency-Replayed: true`) for retries with the same method, path
// and body; the same key with another request is a 422; a retry while the first is still running
// is a 409 with Retry-After (so SDKs retry it). A 5xx is not stored: the retry runs again. The
// SDKs send a key with every non-GET request, so a retried PUT or DELETE whose first answer was
// lost gets that answer (one history entry, a 200 rather than a 404).
import { createHash } from "node:crypto";
import { createMiddleware } from "hono/factory";
import type { IdempotencyClaim, Store } from "../store/types.ts";
import type { AuthEnv } from "./auth.ts";
import { problem } from "./problem.ts";

const validKey = /^[\x21-\x7E]{1,255}$/;
/** The methods that change state; reads never consult the key. */
const mutations = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Headers worth replaying; the rest (request id, timing, rate limit) belong to the retry. */
export const replayedHeaders: readonly string[] = ["content-type", "etag", "location"];

/** What a key is bound to: the method, path and body of the request that first used it. */
export function requestFingerprint(method: string, path: string, body: string): string {
  return createHash("sha256").update(`${method} ${path}\n${body}`).digest("hex");
}

/**
 * A server fault or a transient refusal (anything with Retry-After) is not the request's answer:
 * the retry must run again, so the key is released instead of stored.
 */
export function releasesKey(status: number, hasRetryAfter: boolean): boolean {
  return status >= 500 || hasRetryAfter;
}

/** The answers to a key that cannot run now: still running elsewhere, or bound to another request. */
export const keyRefusals = {
  in_progress: {
    status: 409,
    code: "IDEMPOTENCY_KEY_IN_USE",
    title: "Idempotency key in use",
    detail: "A request with this key is still running.",
  },
  mismatch: {
    status: 422,
    code: "IDEMPOTENCY_KEY_REUSED",
    title: "Idempotency key reused",
    detail: "This key was used with a different request.",
  },
} as const;

export type IdempotencyEnv = AuthEnv & {
  /** The claim of this request, for the handler to pass to the service (stored with the commit). */
  Variables: { idempotency?: IdempotencyClaim };
};

export function idempotency(store: Store, ttlMs: number) {
  return createMiddleware<IdempotencyEnv>(async (c, next) => {
    if (!mutations.has(c.req.method)) return next();
    const key = c.req.header("Idempotency-Key");
    if (key === undefined) return next();
    if (!validKey.test(key)) {
      return problem(c, 400, "BAD_REQUEST", "Bad request", "Idempotency-Key must be 1-255 visible ASCII characters.", [
        { field: "header.Idempotency-Key", code: "pattern", message: "must be 1-255 visible ASCII characters" },
      ]);
    }
    const body = await c.req.text();
    const claim: IdempotencyClaim = {
      project_id: c.get("principal").projectId,
      key,
      fingerprint: requestFingerprint(c.req.method, c.req.path, body),
    };
    const found = await store.claimIdempotencyKey(claim, ttlMs);
    if (found.state === "done") {
      return c.body(found.response.body, found.response.status as 200, {
        ...found.response.headers,
        "Idempotency-Replayed": "true",
      });
    }
    if (found.state === "in_progress" || found.state === "mismatch") {
      const refusal = keyRefusals[found.state];
      const response = problem(c, refusal.status, refusal.code, refusal.title, refusal.detail);
      // Still running: the SDKs retry a 409 that carries Retry-After.
      if (found.state === "in_progress") response.headers.set("Retry-After", "1");
      return response;
    }
    c.set("idempotency", claim);
    try {
      await next();
    } catch (error) {
      await store.releaseIdempotencyKey(claim.project_id, key);
      throw error;
    }
    if (releasesKey(c.res.status, c.res.headers.has("Retry-After"))) {
      await store.releaseIdempotencyKey(claim.project_id, key);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of replayedHeaders) {
      const value = c.res.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    await store.completeIdempotencyKey(claim.project_id, key, {
      status: c.res.status,
      headers,
      body: await c.res.clone().text(),
    });
  });
}
