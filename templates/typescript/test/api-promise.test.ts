// What a call returns: a native promise of the parsed value with asResponse, withResponse and
// _thenUnwrap over the one exchange, and no unhandled rejection from a body nobody asked for.
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { APIError, NotFoundError } from "../runtime/src/index.ts";
import { BASE, TestClient } from "./helpers.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/**
 * The unhandled rejections reported while `run` goes on: Node reports them once the microtask
 * queue has drained, before the next macrotask (the setImmediate here).
 */
async function unhandledDuring(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => {
    seen.push(reason);
  };
  process.prependListener("unhandledRejection", listener);
  try {
    await run();
    await new Promise((ok) => setImmediate(ok));
  } finally {
    process.off("unhandledRejection", listener);
  }
  return seen;
}

/** A JSON content type with a body that does not parse. */
const broken = () =>
  new HttpResponse("{not json", { headers: { "Content-Type": "application/json", "X-Request-Id": "req_b" } });

describe("raw response access", () => {
  it("withResponse gives data, the response and the request id; asResponse gives a readable response", async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/s`, () => {
        calls++;
        return HttpResponse.json({ a: 1 }, { headers: { "X-Request-Id": "req_1", ETag: '"7"' } });
      }),
    );
    const client = new TestClient({ apiKey: "k" });
    const promise = client.request({ method: "get", path: "/v1/s" });
    const { data, response, requestId } = await promise.withResponse();
    expect(data).toEqual({ a: 1 });
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"7"');
    expect(requestId).toBe("req_1");
    expect(await promise).toEqual({ a: 1 }); // same exchange, no second request
    const raw = await promise.asResponse();
    expect(await raw.json()).toEqual({ a: 1 });
    expect(calls).toBe(1);
  });

  it("awaiting first, then withResponse, shares the one exchange and its parsed value", async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/s`, () => {
        calls++;
        return HttpResponse.json({ a: 1 }, { headers: { "X-Request-Id": "req_2" } });
      }),
    );
    const client = new TestClient({ apiKey: "k" });
    const promise = client.request({ method: "get", path: "/v1/s" });
    const [first, second] = await Promise.all([promise, promise]);
    expect(first).toEqual({ a: 1 });
    expect(second).toBe(first); // one parse for every await
    const { data, requestId } = await promise.withResponse();
    expect(data).toEqual({ a: 1 });
    expect(requestId).toBe("req_2");
    expect(calls).toBe(1);
  });
});

describe("a native promise", () => {
  it("is a plain Promise (await's fast path): not a subclass, `then` not overridden", async () => {
    server.use(http.get(`${BASE}/v1/s`, () => HttpResponse.json({ a: 1 })));
    const promise = new TestClient({ apiKey: "k" }).request({ method: "get", path: "/v1/s" });
    expect(promise).toBeInstanceOf(Promise);
    expect(Object.getPrototypeOf(promise)).toBe(Promise.prototype);
    expect(promise.constructor).toBe(Promise);
    expect(Object.hasOwn(promise, "then")).toBe(false);
    expect(await promise).toEqual({ a: 1 });
  });

  it("a body that does not parse rejects the await but asResponse still gives the response, unhandled nowhere", async () => {
    server.use(http.get(`${BASE}/v1/s`, broken));
    const client = new TestClient({ apiKey: "k" });
    const unhandled = await unhandledDuring(async () => {
      const raw = await client.request({ method: "get", path: "/v1/s" }).asResponse();
      expect(raw.headers.get("x-request-id")).toBe("req_b");
      expect(await raw.text()).toBe("{not json");
      const promise = client.request({ method: "get", path: "/v1/s" });
      await expect(promise).rejects.toBeInstanceOf(APIError);
      await expect(promise.withResponse()).rejects.toBeInstanceOf(APIError);
      expect((await promise.asResponse()).status).toBe(200);
    });
    expect(unhandled).toEqual([]);
  });

  it("a call nobody awaits whose body does not decode is no unhandled rejection", async () => {
    server.use(http.get(`${BASE}/v1/s`, () => HttpResponse.json({ a: 1 })));
    let decoded!: () => void;
    const failed = new Promise<void>((ok) => {
      decoded = ok;
    });
    const client = new TestClient({ apiKey: "k" });
    const unhandled = await unhandledDuring(async () => {
      client.request({
        method: "get",
        path: "/v1/s",
        decode: () => {
          decoded();
          throw new APIError("does not decode");
        },
      });
      await failed;
    });
    expect(unhandled).toEqual([]);
  });

  it("asResponse of a failed exchange rejects with the status error", async () => {
    server.use(http.get(`${BASE}/v1/s`, () => HttpResponse.json({ title: "no" }, { status: 404 })));
    const promise = new TestClient({ apiKey: "k", maxRetries: 0 }).request({ method: "get", path: "/v1/s" });
    await expect(promise.asResponse()).rejects.toBeInstanceOf(NotFoundError);
    await expect(promise).rejects.toBeInstanceOf(NotFoundError);
  });

  it("_thenUnwrap derives a value over the same exchange and keeps asResponse and withResponse", async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/v1/s`, () => {
        calls++;
        return HttpResponse.json({ a: 2 }, { headers: { "X-Request-Id": "req_u" } });
      }),
    );
    const promise = new TestClient({ apiKey: "k" }).request<{ a: number }>({ method: "get", path: "/v1/s" });
    const derived = promise._thenUnwrap((data, props) => `${data.a} ${props.requestId}`);
    expect(await derived).toBe("2 req_u");
    expect((await derived.withResponse()).data).toBe("2 req_u");
    expect((await derived.asResponse()).status).toBe(200);
    expect(await promise).toEqual({ a: 2 });
    expect(calls).toBe(1);
  });
});
