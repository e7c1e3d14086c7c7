// Which requests are retried and which carry an idempotency key: only an operation that declares
// an idempotency header (RequestSpec.idempotencyHeader) gets a generated key and is retried as a
// mutation; otherwise only safe methods, or a call given a key by its caller.
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InternalServerError } from "../runtime/src/index.ts";
import { BASE, CONFIG, TestClient } from "./helpers.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MUTATIONS = ["post", "put", "patch", "delete"] as const;

/** Answers with `statuses` in turn (0: a connection error), then 200; records every request. */
function flaky(statuses: number[]) {
  const seen: Request[] = [];
  let i = 0;
  const resolver = ({ request }: { request: Request }) => {
    seen.push(request.clone());
    const status = statuses[i++] ?? 200;
    if (status === 0) return HttpResponse.error();
    return status === 200 ? HttpResponse.json({ ok: i }) : HttpResponse.json({}, { status });
  };
  return { seen, resolver };
}

describe("idempotency keys and the retry decision", () => {
  it("an operation without a declared key sends none and is not retried on a 503 or a connection error", async () => {
    for (const method of MUTATIONS) {
      for (const failure of [503, 0]) {
        const { seen, resolver } = flaky([failure, failure]);
        server.use(http[method](`${BASE}/v1/r`, resolver));
        const client = new TestClient({ apiKey: "k" });
        const err = await client.request({ method, path: "/v1/r", body: {} }).catch((e: unknown) => e);
        if (failure === 503) expect(err, method).toBeInstanceOf(InternalServerError);
        expect(seen, `${method} ${failure}`).toHaveLength(1);
        expect(seen[0]?.headers.get("idempotency-key")).toBeNull();
        expect(client.sleeps).toEqual([]);
      }
    }
  });

  it("an operation declaring a key gets one generated once, sent in its header on every retry", async () => {
    for (const method of MUTATIONS) {
      const { seen, resolver } = flaky([429, 503, 0]);
      server.use(http[method](`${BASE}/v1/r`, resolver));
      const client = new TestClient({ apiKey: "k", maxRetries: 3 });
      await client.request({ method, path: "/v1/r", body: {}, idempotencyHeader: "Idempotency-Key" });
      const keys = seen.map((r) => r.headers.get("idempotency-key"));
      expect(keys, method).toHaveLength(4);
      expect(keys[0]).toMatch(UUID);
      expect(new Set(keys).size).toBe(1);
    }
  });

  it("a new call gets a new key; the body is resent unchanged", async () => {
    const { seen, resolver } = flaky([500, 0, 200, 500, 200]);
    server.use(http.post(`${BASE}/v1/r`, resolver));
    const client = new TestClient({ apiKey: "k" });
    const spec = { method: "post", path: "/v1/r", body: { a: 1 }, idempotencyHeader: "Idempotency-Key" } as const;
    await client.request(spec);
    await client.request(spec);
    const keys = seen.map((r) => r.headers.get("idempotency-key"));
    expect(keys).toHaveLength(5);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).toBe(keys[0]);
    expect(keys[3]).not.toBe(keys[0]);
    expect(keys[4]).toBe(keys[3]);
    expect(await seen[2]?.json()).toEqual({ a: 1 });
  });

  it("uses the header name the operation declares, not the client's", async () => {
    const { seen, resolver } = flaky([503]);
    server.use(http.post(`${BASE}/v1/r`, resolver));
    await new TestClient({ apiKey: "k" }).request({
      method: "post",
      path: "/v1/r",
      body: {},
      idempotencyHeader: "X-Request-Key",
    });
    expect(seen).toHaveLength(2);
    expect(seen[0]?.headers.get("x-request-key")).toMatch(UUID);
    expect(seen[1]?.headers.get("x-request-key")).toBe(seen[0]?.headers.get("x-request-key"));
    expect(seen[0]?.headers.get("idempotency-key")).toBeNull();
  });

  it("a caller's key (option or header) makes any operation retryable, in the client's header", async () => {
    for (const method of MUTATIONS) {
      const { seen, resolver } = flaky([500, 500]);
      server.use(http[method](`${BASE}/v1/r`, resolver));
      const client = new TestClient({ apiKey: "k" });
      await client.request({ method, path: "/v1/r", body: {} }, { idempotencyKey: "my-key" });
      expect(
        seen.map((r) => r.headers.get("idempotency-key")),
        method,
      ).toEqual(["my-key", "my-key", "my-key"]);
    }
    const second = flaky([500]);
    server.use(http.post(`${BASE}/v1/r`, second.resolver));
    await new TestClient({ apiKey: "k" }).request(
      { method: "post", path: "/v1/r", body: {} },
      { headers: { "Idempotency-Key": "hdr" } },
    );
    expect(second.seen.map((r) => r.headers.get("idempotency-key"))).toEqual(["hdr", "hdr"]);
    // The client's configured header name, and the operation's declared one before it.
    const named = flaky([500]);
    server.use(http.post(`${BASE}/v1/r`, named.resolver));
    const client = new TestClient({ apiKey: "k" }, { ...CONFIG, idempotencyHeader: "X-Key" });
    await client.request({ method: "post", path: "/v1/r", body: {} }, { idempotencyKey: "mine" });
    expect(named.seen.map((r) => r.headers.get("x-key"))).toEqual(["mine", "mine"]);
    const declared = flaky([500]);
    server.use(http.post(`${BASE}/v1/r`, declared.resolver));
    await client.request(
      { method: "post", path: "/v1/r", body: {}, idempotencyHeader: "Idempotency-Key" },
      { idempotencyKey: "mine" },
    );
    expect(declared.seen.map((r) => r.headers.get("idempotency-key"))).toEqual(["mine", "mine"]);
  });

  it("GET, HEAD and OPTIONS are retried without a key", async () => {
    for (const method of ["get", "head", "options"] as const) {
      const { seen, resolver } = flaky([503]);
      server.use(http[method](`${BASE}/v1/r`, resolver));
      await new TestClient({ apiKey: "k" }).request({ method, path: "/v1/r" });
      expect(seen).toHaveLength(2);
      expect(seen[0]?.headers.get("idempotency-key")).toBeNull();
    }
  });

  it("with idempotencyHeader: null a caller's key is not sent on an operation declaring none", async () => {
    const { seen, resolver } = flaky([503, 503]);
    server.use(http.post(`${BASE}/v1/r`, resolver));
    const client = new TestClient({ apiKey: "k" }, { ...CONFIG, idempotencyHeader: null });
    await expect(
      client.request({ method: "post", path: "/v1/r", body: {} }, { idempotencyKey: "k1" }),
    ).rejects.toBeInstanceOf(InternalServerError);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.get("idempotency-key")).toBeNull();
  });
});
