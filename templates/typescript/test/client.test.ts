import { delay, HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  APIConnectionError,
  APIStatusError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  PreconditionFailedError,
  RateLimitError,
  UnprocessableEntityError,
  UnsupportedMediaTypeError,
} from "../runtime/src/index.ts";
import { BASE, TestClient } from "./helpers.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const problem = (status: number, code: string, extra: Record<string, unknown> = {}) =>
  HttpResponse.json(
    { type: `urn:test:${code}`, title: "Oops", status, code, detail: "details", request_id: "req_body", ...extra },
    { status, headers: { "Content-Type": "application/problem+json", "X-Request-Id": `req_${status}` } },
  );

/** Records every request the server sees. */
function recorder() {
  const seen: Request[] = [];
  return { seen, record: (r: Request) => seen.push(r.clone()) };
}

describe("URL building and headers", () => {
  it("encodes path params as one segment, explodes arrays, formats booleans and dates, omits undefined", async () => {
    const rec = recorder();
    server.use(
      http.get(`${BASE}/v1/things/:id`, ({ request }) => {
        rec.record(request);
        return HttpResponse.json({ ok: true });
      }),
    );
    const client = new TestClient({ apiKey: "k" });
    await client.request({
      method: "get",
      path: "/v1/things/{id}",
      pathParams: { id: "a/b c?" },
      query: {
        types: ["x.y", "z"],
        flag: false,
        since: new Date("2026-01-02T03:04:05Z"),
        missing: undefined,
        nothing: null,
        n: 3,
      },
    });
    const url = new URL(rec.seen[0]?.url ?? "");
    expect(url.pathname).toBe("/v1/things/a%2Fb%20c%3F");
    expect(url.search).toBe("?types=x.y&types=z&flag=false&since=2026-01-02T03%3A04%3A05.000Z&n=3");
  });

  it("keeps a base URL path prefix and throws on a missing path param", () => {
    const client = new TestClient({ apiKey: "k", baseURL: "http://h.test/prefix/" });
    expect(client.buildURL("/a/{x}", { x: 1 })).toBe("http://h.test/prefix/a/1");
    expect(() => client.buildURL("/a/{x}", {})).toThrow(/Missing path parameter "x"/);
    // The fast path (a path starting with one slash) and the general one agree.
    expect(client.buildURL("/a")).toBe("http://h.test/prefix/a");
    expect(client.buildURL("a")).toBe("http://h.test/prefix/a");
    expect(client.buildURL("//a")).toBe("http://h.test/prefix/a");
    expect(client.buildURL("https://other.test/x")).toBe("https://other.test/x");
    const slashes = new TestClient({ apiKey: "k", baseURL: "http://h.test//" });
    expect(slashes.buildURL("/a")).toBe("http://h.test/a");
  });

  it("calls an overridden authHeaders for every request (credentials that change)", async () => {
    const rec = recorder();
    server.use(
      http.get(`${BASE}/v1/things`, ({ request }) => {
        rec.record(request);
        return HttpResponse.json({ ok: true });
      }),
    );
    let n = 0;
    class Rotating extends TestClient {
      protected override authHeaders(): Record<string, string> {
        n += 1;
        return { Authorization: `Bearer t${n}` };
      }
    }
    const client = new Rotating({ apiKey: "k", baseURL: BASE, maxRetries: 0 });
    await client.request({ method: "get", path: "/v1/things" });
    await client.request({ method: "get", path: "/v1/things" });
    expect(rec.seen.map((r) => r.headers.get("authorization"))).toEqual(["Bearer t1", "Bearer t2"]);
  });

  it("sends Accept, Content-Type, the configured API-key header, User-Agent, default and per-request headers", async () => {
    const rec = recorder();
    server.use(
      http.post(`${BASE}/v1/things`, ({ request }) => {
        rec.record(request);
        return HttpResponse.json({ id: "t1" }, { status: 201 });
      }),
    );
    const client = new TestClient({
      apiKey: "secret",
      bearerToken: "tok",
      defaultHeaders: { "X-Default": "d", "X-Override": "default" },
    });
    const body = await client.request(
      { method: "post", path: "/v1/things", body: { name: "n" }, headers: { "If-Match": '"3"' } },
      { headers: { "X-Override": "request" } },
    );
    expect(body).toEqual({ id: "t1" });
    const req = rec.seen[0];
    expect(req?.headers.get("accept")).toBe("application/json");
    expect(req?.headers.get("content-type")).toBe("application/json");
    expect(req?.headers.get("x-test-key")).toBe("secret"); // the API key wins over the bearer token
    expect(req?.headers.get("authorization")).toBeNull();
    expect(req?.headers.get("user-agent")).toBe(`test-sdk/1.2.3 node/${process.versions.node}`);
    expect(req?.headers.get("x-default")).toBe("d");
    expect(req?.headers.get("x-override")).toBe("request");
    expect(req?.headers.get("if-match")).toBe('"3"');
    expect(await req?.json()).toEqual({ name: "n" });
  });

  it("sends a bearer token, merge-patch content type, and reads credentials and base URL from the environment", async () => {
    const rec = recorder();
    server.use(
      http.patch("http://env.test/v1/things/1", ({ request }) => {
        rec.record(request);
        return HttpResponse.json({});
      }),
    );
    process.env.TEST_SDK_BEARER_TOKEN = "env-token";
    process.env.TEST_SDK_BASE_URL = "http://env.test";
    try {
      const client = new TestClient();
      expect(client.apiKey).toBeUndefined();
      await client.request({
        method: "patch",
        path: "/v1/things/{id}",
        pathParams: { id: 1 },
        body: { name: null },
        contentType: "application/merge-patch+json",
      });
      expect(rec.seen[0]?.headers.get("authorization")).toBe("Bearer env-token");
      expect(rec.seen[0]?.headers.get("content-type")).toBe("application/merge-patch+json");
      expect(await rec.seen[0]?.text()).toBe('{"name":null}');
      // null disables the environment fallback
      expect(new TestClient({ bearerToken: null }).bearerToken).toBeUndefined();
    } finally {
      delete process.env.TEST_SDK_BEARER_TOKEN;
      delete process.env.TEST_SDK_BASE_URL;
    }
  });

  it("passes unknown fields and unknown enum values through untouched", async () => {
    const payload = { id: "s1", status: "some_future_status", brand_new_field: { nested: [1, 2] } };
    server.use(http.get(`${BASE}/v1/s`, () => HttpResponse.json(payload)));
    const client = new TestClient({ apiKey: "k" });
    const data = await client.request<{ id: string; status: "active" | (string & {}) }>({
      method: "get",
      path: "/v1/s",
    });
    expect(data).toEqual(payload);
  });

  it("returns undefined for 204 and applies a decode function", async () => {
    server.use(
      http.delete(`${BASE}/v1/s`, () => new HttpResponse(null, { status: 204 })),
      http.get(`${BASE}/v1/s`, () => HttpResponse.json({ at: "2026-01-01T00:00:00Z" })),
    );
    const client = new TestClient({ apiKey: "k" });
    expect(await client.request({ method: "delete", path: "/v1/s" })).toBeUndefined();
    const decoded = await client.request({
      method: "get",
      path: "/v1/s",
      decode: (json) => new Date((json as { at: string }).at),
    });
    expect(decoded.toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });
});

describe("withOptions and entity tags", () => {
  it("withOptions copies the client with some options changed, leaving the original as it was", async () => {
    const rec = recorder();
    server.use(
      http.get(`${BASE}/v1/w`, ({ request }) => {
        rec.record(request);
        return HttpResponse.json({});
      }),
    );
    const client = new TestClient({ apiKey: "k", timeout: 1000, defaultHeaders: { "X-A": "1" } });
    const other = client.withOptions({ timeout: 5000, apiKey: "k2" });
    expect(other).toBeInstanceOf(TestClient);
    expect(other.timeout).toBe(5000);
    expect(client.timeout).toBe(1000);
    await other.request({ method: "get", path: "/v1/w" });
    await client.request({ method: "get", path: "/v1/w" });
    expect(rec.seen.map((r) => [r.headers.get("x-test-key"), r.headers.get("x-a")])).toEqual([
      ["k2", "1"],
      ["k", "1"],
    ]);
  });

  it("formats If-Match values: versions and resources as strong tags, tags and * as given", async () => {
    const { formatETag } = await import("../runtime/src/index.ts");
    expect(formatETag(7)).toBe('"7"');
    expect(formatETag({ version: 12 })).toBe('"12"');
    expect(formatETag("7")).toBe('"7"');
    expect(formatETag('"7"')).toBe('"7"');
    expect(formatETag('W/"7"')).toBe('W/"7"');
    expect(formatETag("*")).toBe("*");
    expect(formatETag('"1", "2"')).toBe('"1", "2"');
    expect(formatETag(undefined)).toBeUndefined();
  });
});

describe("typed errors", () => {
  const cases: Array<[number, new (...args: never[]) => APIStatusError]> = [
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [412, PreconditionFailedError],
    [413, PayloadTooLargeError],
    [415, UnsupportedMediaTypeError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
    [418, APIStatusError],
  ];
  for (const [status, ErrorClass] of cases) {
    it(`${status} → ${ErrorClass.name} with status, requestId, code and problem`, async () => {
      server.use(http.post(`${BASE}/v1/e`, () => problem(status, "SOME_FUTURE_CODE")));
      const client = new TestClient({ apiKey: "k", maxRetries: 0 });
      const err = await client.request({ method: "post", path: "/v1/e", body: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ErrorClass);
      expect(err).toBeInstanceOf(APIStatusError);
      const e = err as APIStatusError;
      expect(e.status).toBe(status);
      expect(e.requestId).toBe("req_body"); // the body's, else the header's
      expect(e.code).toBe("SOME_FUTURE_CODE");
      expect((e.problem as { detail?: string } | undefined)?.detail).toBe("details");
      expect(e.headers.get("content-type")).toContain("problem+json");
      expect(e.message).toContain(String(status));
    });
  }

  it("decodes the problem only for a status the operation declares; the request id falls back to the header", async () => {
    server.use(
      http.get(`${BASE}/v1/p`, () =>
        HttpResponse.json({ code: "NOPE", detail: "d" }, { status: 404, headers: { "X-Request-Id": "req_h" } }),
      ),
    );
    const client = new TestClient({ apiKey: "k", maxRetries: 0 });
    const declared = (await client
      .request({ method: "get", path: "/v1/p", errors: "400 4XX" })
      .catch((e: unknown) => e)) as NotFoundError;
    expect(declared.problem).toEqual({ code: "NOPE", detail: "d" });
    expect(declared.requestId).toBe("req_h");
    expect(declared.code).toBe("NOPE");
    for (const errors of ["default", "404"]) {
      const e = (await client
        .request({ method: "get", path: "/v1/p", errors })
        .catch((x: unknown) => x)) as APIStatusError;
      expect(e.problem).toEqual({ code: "NOPE", detail: "d" });
    }
    const undeclared = (await client
      .request({ method: "get", path: "/v1/p", errors: "400 5XX" })
      .catch((e: unknown) => e)) as NotFoundError;
    expect(undeclared.problem).toBeUndefined();
    expect(undeclared.body).toEqual({ code: "NOPE", detail: "d" });
    expect(undeclared.code).toBe("NOPE");
  });

  it("a non-JSON error body is kept as text; RateLimitError carries retryAfter", async () => {
    server.use(
      http.get(`${BASE}/v1/text`, () => new HttpResponse("bad gateway", { status: 502 })),
      http.get(`${BASE}/v1/rl`, () => HttpResponse.json({}, { status: 429, headers: { "Retry-After": "120" } })),
    );
    const client = new TestClient({ apiKey: "k", maxRetries: 0 });
    const text = (await client.request({ method: "get", path: "/v1/text" }).catch((e: unknown) => e)) as APIStatusError;
    expect(text.body).toBe("bad gateway");
    expect(text.problem).toBeUndefined();
    const rl = (await client.request({ method: "get", path: "/v1/rl" }).catch((e: unknown) => e)) as RateLimitError;
    expect(rl).toBeInstanceOf(RateLimitError);
    expect(rl.retryAfter).toBe(120);
  });
});

describe("retries", () => {
  function flaky(statuses: number[], headers: Record<string, string> = {}) {
    const rec = recorder();
    let i = 0;
    const resolver = ({ request }: { request: Request }) => {
      rec.record(request);
      const status = statuses[i++] ?? 200;
      if (status === 0) return HttpResponse.error();
      return status === 200 ? HttpResponse.json({ ok: i }) : HttpResponse.json({}, { status, headers });
    };
    return { rec, resolver };
  }

  it("retries 5xx, 408, 429 and connection errors on GET, with exponential backoff", async () => {
    const { rec, resolver } = flaky([500, 0, 429, 408]);
    server.use(http.get(`${BASE}/v1/r`, resolver));
    const client = new TestClient({ apiKey: "k", maxRetries: 4 });
    expect(await client.request({ method: "get", path: "/v1/r" })).toEqual({ ok: 5 });
    expect(rec.seen).toHaveLength(5);
    expect(client.sleeps).toEqual([500, 1000, 2000, 4000]);
  });

  it("caps backoff at 8 s and applies jitter in [0.75, 1]", async () => {
    const { resolver } = flaky([500, 500, 500, 500, 500, 500]);
    server.use(http.get(`${BASE}/v1/r`, resolver));
    const client = new TestClient({ apiKey: "k", maxRetries: 6 });
    await client.request({ method: "get", path: "/v1/r" });
    expect(client.sleeps).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    const { backoffMs } = await import("../runtime/src/internal/retry.ts");
    expect(backoffMs(0, () => 0.999999)).toBeCloseTo(375, 0);
    expect(backoffMs(10, () => 0)).toBe(8000);
  });

  it("gives up after maxRetries (client and per-request) and throws the typed error", async () => {
    const { rec, resolver } = flaky([503, 503, 503, 503]);
    server.use(http.get(`${BASE}/v1/r`, resolver));
    const client = new TestClient({ apiKey: "k" });
    await expect(client.request({ method: "get", path: "/v1/r" })).rejects.toBeInstanceOf(InternalServerError);
    expect(rec.seen).toHaveLength(3); // 1 + default 2 retries
    const again = flaky([503, 503]);
    server.use(http.get(`${BASE}/v1/r`, again.resolver));
    await expect(client.request({ method: "get", path: "/v1/r" }, { maxRetries: 0 })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    expect(again.rec.seen).toHaveLength(1);
  });

  it("a connection error after the last retry is an APIConnectionError", async () => {
    server.use(http.get(`${BASE}/v1/r`, () => HttpResponse.error()));
    const client = new TestClient({ apiKey: "k", maxRetries: 1 });
    const err = await client.request({ method: "get", path: "/v1/r" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).not.toBeInstanceOf(APITimeoutError);
  });

  it("does not retry 4xx such as 400, 404, 422", async () => {
    for (const status of [400, 404, 422]) {
      const { rec, resolver } = flaky([status]);
      server.use(http.get(`${BASE}/v1/r`, resolver));
      const client = new TestClient({ apiKey: "k" });
      await expect(client.request({ method: "get", path: "/v1/r" })).rejects.toBeInstanceOf(APIStatusError);
      expect(rec.seen).toHaveLength(1);
    }
  });

  it("honours Retry-After seconds, Retry-After-Ms and an HTTP date", async () => {
    const client = new TestClient({ apiKey: "k" });
    server.use(http.get(`${BASE}/v1/a`, flaky([429], { "Retry-After": "3" }).resolver));
    await client.request({ method: "get", path: "/v1/a" });
    server.use(http.get(`${BASE}/v1/b`, flaky([503], { "Retry-After-Ms": "250", "Retry-After": "9" }).resolver));
    await client.request({ method: "get", path: "/v1/b" });
    const date = new Date(Date.now() + 10_000).toUTCString();
    server.use(http.get(`${BASE}/v1/c`, flaky([503], { "Retry-After": date }).resolver));
    await client.request({ method: "get", path: "/v1/c" });
    server.use(http.get(`${BASE}/v1/d`, flaky([503], { "Retry-After": "0" }).resolver));
    await client.request({ method: "get", path: "/v1/d" });
    expect(client.sleeps[0]).toBe(3000);
    expect(client.sleeps[1]).toBe(250);
    expect(client.sleeps[2]).toBeGreaterThan(8000);
    expect(client.sleeps[2]).toBeLessThanOrEqual(10_000);
    expect(client.sleeps[3]).toBe(500); // "now": the backoff
  });

  it("raises a 429 or 503 at once when its Retry-After exceeds the ceiling, with the delay on it", async () => {
    for (const [status, ErrorClass] of [
      [429, RateLimitError],
      [503, InternalServerError],
    ] as const) {
      const { rec, resolver } = flaky([status], { "Retry-After": "61" });
      server.use(http.patch(`${BASE}/v1/r`, resolver));
      const client = new TestClient({ apiKey: "k", maxRetries: 5 });
      const err = await client
        .request({ method: "patch", path: "/v1/r", body: {}, idempotencyHeader: "Idempotency-Key" })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ErrorClass);
      expect((err as APIStatusError).retryAfter).toBe(61);
      expect(rec.seen).toHaveLength(1);
      expect(client.sleeps).toEqual([]);
    }
    // The ceiling is an option: raised to 2 minutes, the same answer is waited for and retried.
    const { rec, resolver } = flaky([503], { "Retry-After": "61" });
    server.use(http.get(`${BASE}/v1/r`, resolver));
    const patient = new TestClient({ apiKey: "k", maxRetryAfter: 120_000 });
    await patient.request({ method: "get", path: "/v1/r" });
    expect(patient.sleeps).toEqual([61_000]);
    expect(rec.seen).toHaveLength(2);
    // An HTTP date past the ceiling counts the same.
    const later = new Date(Date.now() + 3_600_000).toUTCString();
    server.use(http.get(`${BASE}/v1/date`, flaky([429], { "Retry-After": later }).resolver));
    const err = (await new TestClient({ apiKey: "k" })
      .request({ method: "get", path: "/v1/date" })
      .catch((e: unknown) => e)) as RateLimitError;
    expect(err.retryAfter).toBeGreaterThan(3500);
  });

  it("really waits Retry-After seconds (1 s) between attempts", async () => {
    const { rec, resolver } = flaky([503], { "Retry-After": "1" });
    server.use(http.get(`${BASE}/v1/r`, resolver));
    const client = new TestClient({ apiKey: "k" });
    client.realSleep = true;
    const started = Date.now();
    await client.request({ method: "get", path: "/v1/r" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(rec.seen).toHaveLength(2);
  });

  it("retries 409 only when it carries Retry-After", async () => {
    const lock = flaky([409], { "Retry-After": "1" });
    server.use(http.post(`${BASE}/v1/lock`, lock.resolver));
    const client = new TestClient({ apiKey: "k" });
    await client.request({ method: "post", path: "/v1/lock", body: {}, idempotencyHeader: "Idempotency-Key" });
    expect(lock.rec.seen).toHaveLength(2);
    expect(client.sleeps).toEqual([1000]);

    server.use(http.post(`${BASE}/v1/domain`, () => problem(409, "LIMIT_REACHED")));
    const err = await client.request({ method: "post", path: "/v1/domain", body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).code).toBe("LIMIT_REACHED");
    expect(client.sleeps).toEqual([1000]);
  });

  it("x-should-retry overrides the status rule both ways", async () => {
    const client = new TestClient({ apiKey: "k" });
    const yes = flaky([400], { "x-should-retry": "true" });
    server.use(http.get(`${BASE}/v1/yes`, yes.resolver));
    await client.request({ method: "get", path: "/v1/yes" });
    expect(yes.rec.seen).toHaveLength(2);
    const no = flaky([503], { "x-should-retry": "false" });
    server.use(http.get(`${BASE}/v1/no`, no.resolver));
    await expect(client.request({ method: "get", path: "/v1/no" })).rejects.toBeInstanceOf(InternalServerError);
    expect(no.rec.seen).toHaveLength(1);
  });

  it("logs retries through the logger", async () => {
    const lines: string[] = [];
    const logger = { info: (m: string) => lines.push(m), debug: (m: string) => lines.push(m) };
    server.use(http.get(`${BASE}/v1/r`, flaky([503]).resolver));
    const client = new TestClient({ apiKey: "secret-key", logger });
    await client.request({ method: "get", path: "/v1/r" });
    expect(lines.some((l) => /^Retrying GET http:\/\/api\.test\/v1\/r in 500 ms \(status 503\)$/.test(l))).toBe(true);
    expect(lines.join("\n")).not.toContain("secret-key");
  });
});

describe("timeouts and cancellation", () => {
  it("hands fetch no signal unless the caller passes one (the timeout races the exchange)", async () => {
    const signals: unknown[] = [];
    const fetchImpl = async (_url: string, init: RequestInit) => {
      signals.push(init.signal);
      return new Response("{}", { headers: { "Content-Type": "application/json" } });
    };
    const client = new TestClient({ apiKey: "k", fetch: fetchImpl });
    await client.request({ method: "get", path: "/v1/s" });
    await client.request({ method: "get", path: "/v1/s" }, { signal: new AbortController().signal });
    expect(signals[0]).toBeUndefined();
    expect(signals[1]).toBeInstanceOf(AbortSignal);
  });

  it("refuses a header value with a line break before sending (no retry as a connection error)", async () => {
    let calls = 0;
    const client = new TestClient({
      apiKey: "k",
      fetch: async () => {
        calls++;
        return new Response("{}");
      },
    });
    const err = await client
      .request({ method: "get", path: "/v1/s" }, { headers: { "X-Bad": "a\r\nInjected: 1" } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(calls).toBe(0);
  });

  it("a timed-out exchange without a signal is abandoned and its late body cancelled", async () => {
    let cancelled = false;
    let answer: (response: Response) => void = () => {};
    const fetchImpl = () =>
      new Promise<Response>((resolve) => {
        answer = resolve;
      });
    const client = new TestClient({ apiKey: "k", fetch: fetchImpl, timeout: 20, maxRetries: 0 });
    const err = await client.request({ method: "get", path: "/v1/s" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APITimeoutError);
    const body = new ReadableStream<Uint8Array>({
      cancel() {
        cancelled = true;
      },
    });
    answer(new Response(body));
    await vi.waitFor(() => expect(cancelled).toBe(true));
  });

  it("a body that stalls after the headers times out too (the timeout covers reading it)", async () => {
    const stalled = () =>
      Promise.resolve(
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"a":'));
            },
          }),
          { headers: { "Content-Type": "application/json" } },
        ),
      );
    const client = new TestClient({ apiKey: "k", fetch: stalled, timeout: 30, maxRetries: 0 });
    const err = await client.request({ method: "get", path: "/v1/s" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APITimeoutError);
  });

  it("a fetch that fails is an APIConnectionError carrying the cause, not a timeout", async () => {
    const cause = new TypeError("fetch failed");
    const client = new TestClient({ apiKey: "k", fetch: () => Promise.reject(cause), maxRetries: 0 });
    const err = await client.request({ method: "get", path: "/v1/s" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).not.toBeInstanceOf(APITimeoutError);
    expect((err as Error).cause).toBe(cause);
  });

  it("a slow answer past the timeout is an APITimeoutError after retries", async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/slow`, async () => {
        calls++;
        await delay(2000);
        return HttpResponse.json({});
      }),
    );
    const client = new TestClient({ apiKey: "k", timeout: 50, maxRetries: 1 });
    const err = await client.request({ method: "get", path: "/v1/slow" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APITimeoutError);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(calls).toBe(2);
  });

  it("a per-request timeout overrides the client's", async () => {
    server.use(
      http.get(`${BASE}/v1/slow`, async () => {
        await delay(150);
        return HttpResponse.json({ done: true });
      }),
    );
    const client = new TestClient({ apiKey: "k", timeout: 20, maxRetries: 0 });
    expect(await client.request({ method: "get", path: "/v1/slow" }, { timeout: 5000 })).toEqual({ done: true });
  });

  it("aborting during the request is an APIUserAbortError and is not retried", async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/slow`, async () => {
        calls++;
        await delay(2000);
        return HttpResponse.json({});
      }),
    );
    const client = new TestClient({ apiKey: "k" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const err = await client
      .request({ method: "get", path: "/v1/slow" }, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(calls).toBe(1);
  });

  it("aborting during a backoff sleep interrupts it", async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/r`, () => {
        calls++;
        return HttpResponse.json({}, { status: 503, headers: { "Retry-After": "30" } });
      }),
    );
    const client = new TestClient({ apiKey: "k" });
    client.realSleep = true;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const err = await client
      .request({ method: "get", path: "/v1/r" }, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(calls).toBe(1);
  });

  it("an already-aborted signal fails fast without a request", async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/r`, () => {
        calls++;
        return HttpResponse.json({});
      }),
    );
    const client = new TestClient({ apiKey: "k" });
    await expect(
      client.request({ method: "get", path: "/v1/r" }, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(APIUserAbortError);
    expect(calls).toBe(0);
  });
});
