import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { ApiKeys } from "../auth/api-keys.ts";
import { AuthFailureLimiter } from "../auth/failure-limit.ts";
import { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import { requireApiKey } from "./auth.ts";
import { type IdempotencyEnv, idempotency } from "./idempotency.ts";
import { limitBody, rateLimit } from "./limits.ts";
import { RateLimiter } from "./rate-limit.ts";
import { requestId } from "./request-id.ts";

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function setup(capacity = 100) {
  const store = new SqliteStore(":memory:");
  stores.push(store);
  const keys = new ApiKeys({
    store,
    secret: Buffer.from("a-test-secret-of-at-least-32-characters"),
    environment: [{ projectId: "p1", key: "secret-key-1" }],
    newId: () => "key_1",
  });
  let created = 0;
  let slow: Promise<void> | undefined;
  let entered = () => {};
  const app = new Hono<IdempotencyEnv>();
  const failures = new AuthFailureLimiter({ capacity: 1000, refillPerSecond: 1 });
  app.use(requestId, requireApiKey(keys, failures), rateLimit(new RateLimiter({ capacity, refillPerSecond: 0.001 })));
  app.use(limitBody(64), idempotency(store, 60_000));
  app.post("/things", async (c) => {
    entered();
    await slow;
    const body = (await c.req.json()) as { name: string };
    if (body.name === "") return c.json({ error: "bad" }, 422);
    if (body.name === "boom") throw new Error("boom");
    if (body.name === "busy" && created === 0) {
      created = -1;
      return c.json({ error: "busy" }, 409, { "Retry-After": "1" });
    }
    if (created < 0) created = 0;
    created++;
    return c.json({ id: created, name: body.name, project: c.get("principal").projectId }, 201, {
      ETag: `"${created}"`,
    });
  });
  const post = (body: string, headers: Record<string, string> = {}) =>
    app.request("/things", {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json", "X-API-Key": "secret-key-1", ...headers },
    });
  /** Holds the handler on `p`; resolves once a request is inside it (it has claimed its key). */
  const hold = (p: Promise<void>) => {
    slow = p;
    return new Promise<void>((resolve) => {
      entered = resolve;
    });
  };
  return { app, post, created: () => created, hold };
}

describe("auth", () => {
  it("401s without a known key, naming both schemes; accepts the key as a bearer token", async () => {
    const { app } = await setup();
    const missing = await app.request("/things", { method: "POST" });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("WWW-Authenticate")).toContain("Bearer");
    expect(await missing.json()).toMatchObject({ code: "UNAUTHENTICATED" });
    expect((await app.request("/things", { method: "POST", headers: { "X-API-Key": "nope" } })).status).toBe(401);
    const bearer = await app.request("/things", {
      method: "POST",
      body: '{"name":"b"}',
      headers: { Authorization: "Bearer secret-key-1", "Content-Type": "application/json" },
    });
    expect(bearer.status).toBe(201);
  });
});

describe("rate limit and body limit", () => {
  it("answers 429 with Retry-After and RateLimit headers once the bucket is empty", async () => {
    const { post } = await setup(3);
    for (let i = 0; i < 3; i++) expect((await post('{"name":"x"}')).headers.get("RateLimit-Limit")).toBe("3");
    const limited = await post('{"name":"x"}');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(limited.headers.get("RateLimit-Remaining")).toBe("0");
    expect(await limited.json()).toMatchObject({ code: "RATE_LIMITED" });
  });

  it("answers 413 for a body over the limit", async () => {
    const { post } = await setup();
    const res = await post(JSON.stringify({ name: "x".repeat(100) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });
});

describe("idempotency", () => {
  it("replays the first answer for a retry with the same key and body", async () => {
    const { post, created } = await setup();
    const first = await post('{"name":"a"}', { "Idempotency-Key": "k1" });
    const retry = await post('{"name":"a"}', { "Idempotency-Key": "k1" });
    expect(created()).toBe(1);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotency-Replayed")).toBe("true");
    expect(retry.headers.get("ETag")).toBe(first.headers.get("ETag"));
    expect(await retry.json()).toEqual(await first.json());
  });

  it("refuses the same key with another body (422) and a concurrent duplicate (409 with Retry-After)", async () => {
    const { post, hold } = await setup();
    await post('{"name":"a"}', { "Idempotency-Key": "k2" });
    const other = await post('{"name":"b"}', { "Idempotency-Key": "k2" });
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    let release: () => void = () => {};
    const inside = hold(new Promise<void>((r) => (release = r)));
    const running = post('{"name":"c"}', { "Idempotency-Key": "k3" });
    await inside;
    const duplicate = await post('{"name":"c"}', { "Idempotency-Key": "k3" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.headers.get("Retry-After")).toBe("1");
    release();
    expect((await running).status).toBe(201);
  });

  it("stores a 4xx answer but lets a retry of a failed (5xx) request run again", async () => {
    const { app, post } = await setup();
    app.onError((_, c) => c.json({ error: "internal" }, 500));
    expect((await post('{"name":""}', { "Idempotency-Key": "k4" })).status).toBe(422);
    expect((await post('{"name":""}', { "Idempotency-Key": "k4" })).headers.get("Idempotency-Replayed")).toBe("true");
    expect((await post('{"name":"boom"}', { "Idempotency-Key": "k5" })).status).toBe(500);
    expect((await post('{"name":"boom"}', { "Idempotency-Key": "k5" })).headers.get("Idempotency-Replayed")).toBeNull();
  });

  it("does not store a transient refusal: the retry runs again", async () => {
    const { post } = await setup();
    expect((await post('{"name":"busy"}', { "Idempotency-Key": "k6" })).status).toBe(409);
    const retry = await post('{"name":"busy"}', { "Idempotency-Key": "k6" });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotency-Replayed")).toBeNull();
  });

  it("400s a malformed key", async () => {
    const { post } = await setup();
    expect((await post('{"name":"a"}', { "Idempotency-Key": "has space" })).status).toBe(400);
  });
});
