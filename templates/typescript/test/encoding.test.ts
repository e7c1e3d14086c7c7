// Request and response encodings beyond JSON: cookie parameters, deepObject query parameters,
// form-urlencoded, binary and text bodies, and binary and text responses.
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cookieHeader, deepObjectQuery, delimitedQuery, stringifyForm } from "../runtime/src/index.ts";
import { BASE, TestClient } from "./helpers.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Answers every request to `path` with `answer` and keeps a copy of each request. */
function record(method: "get" | "post" | "put", path: string, answer: () => Response = () => HttpResponse.json({})) {
  const seen: Request[] = [];
  server.use(
    http[method](`${BASE}${path}`, ({ request }) => {
      seen.push(request.clone());
      return answer();
    }),
  );
  return seen;
}

describe("cookie parameters", () => {
  it("formats name=value pairs joined with '; ', values percent-encoded, undefined and null omitted", () => {
    expect(cookieHeader({ session: 'a b;c=d,"e"\\', n: 3, flag: false, none: undefined, nil: null })).toBe(
      "session=a%20b%3Bc%3Dd%2C%22e%22%5C; n=3; flag=false",
    );
    expect(cookieHeader({ none: undefined })).toBeUndefined();
    expect(cookieHeader(undefined)).toBeUndefined();
  });

  it("sends the cookies in one Cookie header; a per-request Cookie header wins", async () => {
    const seen = record("get", "/stats");
    const client = new TestClient({ apiKey: "k" });
    await client.request({
      method: "get",
      path: "/stats",
      cookies: { session: "s 1", theme: "dark", gone: undefined },
    });
    expect(seen[0]?.headers.get("cookie")).toBe("session=s%201; theme=dark");
    await client.request(
      { method: "get", path: "/stats", cookies: { session: "s1" } },
      { headers: { Cookie: "session=mine" } },
    );
    expect(seen[1]?.headers.get("cookie")).toBe("session=mine");
    await client.request({ method: "get", path: "/stats", cookies: { session: undefined } });
    expect(seen[2]?.headers.has("cookie")).toBe(false);
  });
});

describe("deepObject query parameters", () => {
  it("spreads a map or a flat object into name[key]=value pairs, arrays exploded, null members omitted", () => {
    expect(deepObjectQuery("filter", { status: "open", "owner id": "me", tag: ["a", "b"], none: null })).toEqual({
      "filter[status]": "open",
      "filter[owner id]": "me",
      "filter[tag]": ["a", "b"],
    });
    expect(deepObjectQuery("filter", undefined)).toEqual({});
  });

  it("puts the pairs in the URL, percent-encoding the brackets, next to other parameters", async () => {
    const seen = record("get", "/stats");
    const client = new TestClient({ apiKey: "k" });
    await client.request({
      method: "get",
      path: "/stats",
      query: { limit: 5, ...deepObjectQuery("filter", { status: "open now", n: 2, tag: ["x", "y"] }) },
    });
    const url = new URL(seen[0]?.url ?? "");
    expect(url.search).toBe(
      "?limit=5&filter%5Bstatus%5D=open%20now&filter%5Bn%5D=2&filter%5Btag%5D=x&filter%5Btag%5D=y",
    );
    expect([...url.searchParams]).toEqual([
      ["limit", "5"],
      ["filter[status]", "open now"],
      ["filter[n]", "2"],
      ["filter[tag]", "x"],
      ["filter[tag]", "y"],
    ]);
  });
});

describe("non-exploded array query parameters", () => {
  it("joins the items with the style's delimiter; an absent array is omitted", async () => {
    expect(delimitedQuery(["a", 1, true, null, undefined], "|")).toBe("a|1|true");
    expect(delimitedQuery([], ",")).toBe("");
    expect(delimitedQuery(undefined, ",")).toBeUndefined();
    const seen = record("get", "/widgets");
    const client = new TestClient({ apiKey: "k" });
    await client.request({
      method: "get",
      path: "/widgets",
      query: {
        sort: delimitedQuery(["name", "-size"], "|"),
        ids: delimitedQuery([1, 2], ","),
        none: delimitedQuery(undefined, " "),
      },
    });
    const url = new URL(seen[0]?.url ?? "");
    expect([...url.searchParams]).toEqual([
      ["sort", "name|-size"],
      ["ids", "1,2"],
    ]);
  });
});

describe("form-urlencoded bodies", () => {
  it("encodes scalars, exploded arrays, booleans and dates; omits undefined and null; refuses nested objects", () => {
    expect(
      stringifyForm({
        q: "red & blue",
        page: 2,
        exact: true,
        tags: ["a", "b"],
        since: new Date("2026-01-02T03:04:05Z"),
        none: undefined,
        nil: null,
      }),
    ).toBe("q=red+%26+blue&page=2&exact=true&tags=a&tags=b&since=2026-01-02T03%3A04%3A05.000Z");
    expect(() => stringifyForm({ nested: { a: 1 } })).toThrow(/form field "nested" is an object/);
  });

  it("sends a plain object form-encoded with the form content type", async () => {
    const seen = record("post", "/search", () => HttpResponse.json([{ id: 1 }]));
    const client = new TestClient({ apiKey: "k" });
    const result = await client.request({
      method: "post",
      path: "/search",
      body: { q: "a b", page: 2 },
      contentType: "application/x-www-form-urlencoded",
    });
    expect(result).toEqual([{ id: 1 }]);
    expect(seen[0]?.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    const text = await seen[0]?.text();
    expect(text).toBe("q=a+b&page=2");
    expect(Object.fromEntries(new URLSearchParams(text))).toEqual({ q: "a b", page: "2" });
  });

  it("sends URLSearchParams as given", async () => {
    const seen = record("post", "/search");
    const client = new TestClient({ apiKey: "k" });
    await client.request({
      method: "post",
      path: "/search",
      body: new URLSearchParams([["q", "x"]]),
      contentType: "application/x-www-form-urlencoded",
    });
    expect(await seen[0]?.text()).toBe("q=x");
  });
});

describe("binary and text bodies", () => {
  it("sends bytes, a Blob and text untouched with the given content type", async () => {
    const seen = record("put", "/image", () => new HttpResponse(null, { status: 204 }));
    const client = new TestClient({ apiKey: "k" });
    const bytes = new Uint8Array([0, 1, 2, 255]);
    await client.request({ method: "put", path: "/image", body: bytes, contentType: "application/octet-stream" });
    await client.request({
      method: "put",
      path: "/image",
      body: new Blob([new Uint8Array([9, 8])]),
      contentType: "image/png",
    });
    await client.request({ method: "put", path: "/image", body: "plain words", contentType: "text/plain" });
    expect(seen[0]?.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await (seen[0] as Request).arrayBuffer())).toEqual(bytes);
    expect(seen[1]?.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await (seen[1] as Request).arrayBuffer())).toEqual(new Uint8Array([9, 8]));
    expect(seen[2]?.headers.get("content-type")).toBe("text/plain");
    expect(await seen[2]?.text()).toBe("plain words");
  });

  it("sends a string of a JSON body as a JSON string (quoted), not as text", async () => {
    const seen = record("put", "/day", () => new HttpResponse(null, { status: 204 }));
    const client = new TestClient({ apiKey: "k" });
    await client.request({ method: "put", path: "/day", body: "Monday" });
    await client.request({ method: "put", path: "/day", body: "Monday", contentType: "application/merge-patch+json" });
    expect(seen[0]?.headers.get("content-type")).toBe("application/json");
    expect(await seen[0]?.text()).toBe('"Monday"');
    expect(await seen[1]?.text()).toBe('"Monday"');
  });
});

describe("binary and text responses", () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe]);

  it("responseType bytes returns the exact bytes (not text-decoded) and sends the given Accept", async () => {
    const seen = record("get", "/image", () => new HttpResponse(png, { headers: { "Content-Type": "image/png" } }));
    const client = new TestClient({ apiKey: "k" });
    const data = await client.request<Uint8Array>({
      method: "get",
      path: "/image",
      accept: "image/png",
      responseType: "bytes",
    });
    expect(data).toBeInstanceOf(Uint8Array);
    expect(data).toEqual(png);
    expect(seen[0]?.headers.get("accept")).toBe("image/png");
  });

  it("asResponse and withResponse of a binary call keep the bytes", async () => {
    record("get", "/image", () => new HttpResponse(png, { headers: { "Content-Type": "image/png" } }));
    const client = new TestClient({ apiKey: "k" });
    const promise = client.request<Uint8Array>({ method: "get", path: "/image", responseType: "bytes" });
    const { data, response } = await promise.withResponse();
    expect(data).toEqual(png);
    expect(response.headers.get("content-type")).toBe("image/png");
    const raw = await client.request<Uint8Array>({ method: "get", path: "/image", responseType: "bytes" }).asResponse();
    expect(new Uint8Array(await raw.arrayBuffer())).toEqual(png);
  });

  it("an error answer of a binary call is still a typed error with the decoded problem", async () => {
    record("get", "/image", () =>
      HttpResponse.json(
        { type: "about:blank", title: "Missing", status: 404, code: "NOT_FOUND" },
        { status: 404, headers: { "Content-Type": "application/problem+json" } },
      ),
    );
    const client = new TestClient({ apiKey: "k" });
    await expect(client.request({ method: "get", path: "/image", responseType: "bytes" })).rejects.toMatchObject({
      status: 404,
      code: "NOT_FOUND",
    });
  });

  it("responseType text returns the body as a string even when it looks like JSON", async () => {
    record(
      "get",
      "/ping",
      () => new HttpResponse('{"pong":true}', { headers: { "Content-Type": "application/json" } }),
    );
    const client = new TestClient({ apiKey: "k" });
    const text = await client.request<string>({
      method: "get",
      path: "/ping",
      accept: "text/plain",
      responseType: "text",
    });
    expect(text).toBe('{"pong":true}');
    record("get", "/empty", () => new HttpResponse(null, { status: 204 }));
    expect(await client.request<string>({ method: "get", path: "/empty", responseType: "text" })).toBe("");
    expect(await client.request<Uint8Array>({ method: "get", path: "/empty", responseType: "bytes" })).toEqual(
      new Uint8Array(0),
    );
  });
});
