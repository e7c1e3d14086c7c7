// Cookie and object query parameters, form-urlencoded, text and binary bodies, and answers that
// are not JSON, through runOperation on a real Hono app.
import { type Context, Hono } from "hono";
import { describe, expect, it } from "vitest";
import { type OperationSpec, type ProblemWriter, runOperation } from "../runtime/operation.ts";
import { readCookie, readForm } from "../runtime/params.ts";
import { Validator } from "../runtime/validate.ts";

const registry = {
  Search: {
    type: "object",
    required: ["q"],
    properties: {
      q: { type: "string", minLength: 1 },
      page: { type: "integer", minimum: 1 },
      exact: { type: "boolean" },
      tags: { type: "array", items: { type: "string" } },
      ratio: { anyOf: [{ type: "number" }, { type: "null" }] },
    },
  },
  Range: { type: "object", properties: { from: { type: "integer" }, to: { type: "integer" } } },
} as const;
const validator = new Validator(registry);
const problem: ProblemWriter = (c: Context, status, code, detail, errors) =>
  c.body(JSON.stringify({ status, code, detail, errors }), status, { "Content-Type": "application/problem+json" });
const resolve = (ref: string) => registry[ref.split("/").pop() as keyof typeof registry];
const options = { validator, problem, resolve };

function app(
  spec: OperationSpec,
  result: (input: unknown) => { status: number; body?: unknown; contentType?: string },
) {
  const calls: unknown[] = [];
  const hono = new Hono();
  hono.all(
    "/op",
    runOperation(spec, options, async (input) => {
      calls.push(input);
      return result(input);
    }),
  );
  return { hono, calls };
}

const ok = () => ({ status: 200, body: { ok: true } });

describe("cookie parameters", () => {
  const spec: OperationSpec = {
    operationId: "stats",
    parameters: [
      { name: "session", in: "cookie", required: true, schema: { type: "string", minLength: 3 } },
      { name: "n", in: "cookie", required: false, schema: { type: "integer" } },
    ],
  };

  it("reads, decodes and coerces cookies from the Cookie header", async () => {
    const { hono, calls } = app(spec, ok);
    const res = await hono.request("/op", {
      headers: { Cookie: 'theme=dark; session="a%20b%3Bc"; n=7; session=late' },
    });
    expect(res.status).toBe(200);
    expect(calls[0]).toMatchObject({ cookies: { session: "a b;c", n: 7 }, query: {}, headers: {} });
  });

  it("400s a missing or invalid cookie, named cookie.<name>", async () => {
    const { hono, calls } = app(spec, ok);
    const missing = await hono.request("/op");
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ errors: [{ field: "cookie.session", code: "required" }] });
    const invalid = await hono.request("/op", { headers: { Cookie: "session=ab; n=x" } });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { errors: { field: string; code: string }[] };
    expect(body.errors.map((e) => [e.field, e.code])).toEqual([
      ["cookie.session", "minLength"],
      ["cookie.n", "type"],
    ]);
    expect(calls).toHaveLength(0);
  });

  it("readCookie keeps an undecodable value as sent and finds nothing in a missing header", () => {
    expect(readCookie("a=%E0%A4%A; b=2", "a")).toBe("%E0%A4%A");
    expect(readCookie("a=1", "b")).toBeUndefined();
    expect(readCookie(undefined, "a")).toBeUndefined();
  });
});

describe("array path and header parameters", () => {
  it("split comma-separated items (style simple) and coerce each", async () => {
    const spec: OperationSpec = {
      operationId: "ids",
      parameters: [
        { name: "X-Ids", in: "header", required: true, schema: { type: "array", items: { type: "integer" } } },
      ],
    };
    const { hono, calls } = app(spec, ok);
    expect((await hono.request("/op", { headers: { "X-Ids": "1, 2,3" } })).status).toBe(200);
    expect(calls[0]).toMatchObject({ headers: { "X-Ids": [1, 2, 3] } });
    const invalid = await hono.request("/op", { headers: { "X-Ids": "1,x" } });
    expect(await invalid.json()).toMatchObject({ errors: [{ field: "header.X-Ids/1", code: "type" }] });
  });
});

describe("delimited array query parameters", () => {
  it("split the value at the style's delimiter (explode false) and coerce each item", async () => {
    const spec: OperationSpec = {
      operationId: "list",
      parameters: [
        {
          name: "sort",
          in: "query",
          required: false,
          style: "pipeDelimited",
          explode: false,
          schema: { type: "array", items: { type: "string" } },
        },
        {
          name: "ids",
          in: "query",
          required: false,
          style: "form",
          explode: false,
          schema: { type: "array", items: { type: "integer" } },
        },
        {
          name: "words",
          in: "query",
          required: false,
          style: "spaceDelimited",
          explode: false,
          schema: { type: "array", items: { type: "string" } },
        },
      ],
    };
    const { hono, calls } = app(spec, ok);
    expect((await hono.request("/op?sort=name%7C-size&ids=1,2&words=a%20b")).status).toBe(200);
    expect(calls[0]).toMatchObject({ query: { sort: ["name", "-size"], ids: [1, 2], words: ["a", "b"] } });
    const invalid = await hono.request("/op?ids=1,x");
    expect(await invalid.json()).toMatchObject({ errors: [{ field: "query.ids/1", code: "type" }] });
  });
});

describe("object query parameters", () => {
  const spec: OperationSpec = {
    operationId: "stats",
    parameters: [
      {
        name: "filter",
        in: "query",
        required: false,
        style: "deepObject",
        schema: { type: "object", additionalProperties: { type: "string", maxLength: 5 } },
      },
      {
        name: "range",
        in: "query",
        required: false,
        style: "deepObject",
        schema: { $ref: "#/components/schemas/Range" },
      },
      { name: "window", in: "query", required: false, style: "form", schema: { $ref: "#/components/schemas/Range" } },
      { name: "limit", in: "query", required: false, schema: { type: "integer" } },
    ],
  };

  it("builds deepObject maps and objects from name[key] pairs and form objects from their properties", async () => {
    const { hono, calls } = app(spec, ok);
    const res = await hono.request(
      "/op?filter%5Bstatus%5D=open&filter[owner]=me&range[from]=1&range[to]=9&from=3&limit=2&filterx[a]=b",
    );
    expect(res.status).toBe(200);
    expect(calls[0]).toMatchObject({
      query: { filter: { status: "open", owner: "me" }, range: { from: 1, to: 9 }, window: { from: 3 }, limit: 2 },
    });
    // Nothing sent: the parameter is absent.
    await hono.request("/op?limit=1");
    expect((calls[1] as { query: object }).query).toEqual({ limit: 1 });
  });

  it("400s invalid members with a pointer below the parameter", async () => {
    const { hono, calls } = app(spec, ok);
    const res = await hono.request("/op?filter[status]=toolong&range[from]=x");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { field: string; code: string }[] };
    expect(body.errors.map((e) => [e.field, e.code])).toEqual([
      ["query.filter/status", "maxLength"],
      ["query.range/from", "type"],
    ]);
    expect(calls).toHaveLength(0);
  });
});

describe("form-urlencoded bodies", () => {
  const spec: OperationSpec = {
    operationId: "search",
    parameters: [],
    body: {
      contentTypes: ["application/json", "application/x-www-form-urlencoded"],
      schema: { $ref: "#/components/schemas/Search" },
      required: true,
    },
  };
  const post = (hono: Hono, body: string, contentType = "application/x-www-form-urlencoded") =>
    hono.request("/op", { method: "POST", body, headers: { "Content-Type": contentType } });

  it("parses fields, coerces them by the schema and passes the object to the handler", async () => {
    const { hono, calls } = app(spec, ok);
    const res = await post(
      hono,
      "q=red+%26+blue&page=2&exact=true&tags=a&tags=b&ratio=0.5&extra=x",
      `${"application/x-www-form-urlencoded"}; charset=UTF-8`,
    );
    expect(res.status).toBe(200);
    expect(calls[0]).toMatchObject({
      body: { q: "red & blue", page: 2, exact: true, tags: ["a", "b"], ratio: 0.5, extra: "x" },
    });
    // The same operation still takes JSON.
    expect((await post(hono, '{"q":"x"}', "application/json")).status).toBe(200);
    expect((calls[1] as { body: unknown }).body).toEqual({ q: "x" });
  });

  it("422s fields that do not validate (after coercion), 400s a missing body, 415s other types", async () => {
    const { hono, calls } = app(spec, ok);
    const invalid = await post(hono, "q=&page=zero&exact=yes");
    expect(invalid.status).toBe(422);
    const body = (await invalid.json()) as { errors: { field: string; code: string }[] };
    expect(body.errors.map((e) => [e.field, e.code])).toEqual([
      ["/q", "minLength"],
      ["/page", "type"],
      ["/exact", "type"],
    ]);
    const missing = await post(hono, "page=1");
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({ errors: [{ field: "/q", code: "required" }] });
    expect((await post(hono, "")).status).toBe(400);
    expect((await post(hono, "q=x", "multipart/form-data; boundary=x")).status).toBe(415);
    expect(calls).toHaveLength(0);
  });

  it("readForm keeps the last value of a scalar field and every value of an array field", () => {
    expect(readForm("q=a&q=b&tags=x", { $ref: "#/components/schemas/Search" }, resolve)).toEqual({
      value: { q: "b", tags: ["x"] },
      malformed: [],
    });
  });
});

describe("text and binary bodies", () => {
  it("passes the exact bytes of a binary body, unvalidated", async () => {
    const spec: OperationSpec = {
      operationId: "upload",
      parameters: [],
      body: {
        contentTypes: ["application/octet-stream", "image/png"],
        schema: { type: "string", format: "binary" },
        required: true,
      },
    };
    const { hono, calls } = app(spec, () => ({ status: 204 }));
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const res = await hono.request("/op", { method: "PUT", body: bytes, headers: { "Content-Type": "image/png" } });
    expect(res.status).toBe(204);
    const body = (calls[0] as { body: unknown }).body;
    expect(body).toBeInstanceOf(Uint8Array);
    expect(body).toEqual(bytes);
    const missing = await hono.request("/op", { method: "PUT", headers: { "Content-Type": "image/png" } });
    expect(missing.status).toBe(400);
    const wrong = await hono.request("/op", {
      method: "PUT",
      body: "{}",
      headers: { "Content-Type": "application/json" },
    });
    expect(wrong.status).toBe(415);
  });

  it("passes a text body as a string and validates it as one", async () => {
    const spec: OperationSpec = {
      operationId: "note",
      parameters: [],
      body: { contentTypes: ["text/plain"], schema: { type: "string", maxLength: 5 }, required: true },
    };
    const { hono, calls } = app(spec, () => ({ status: 204 }));
    const send = (body: string) =>
      hono.request("/op", { method: "PUT", body, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    expect((await send("héllo")).status).toBe(204);
    expect((calls[0] as { body: unknown }).body).toBe("héllo");
    const long = await send("too long");
    expect(long.status).toBe(422);
    expect(await long.json()).toMatchObject({ errors: [{ field: "", code: "maxLength" }] });
  });
});

describe("answers that are not JSON", () => {
  it("sends a string with the declared text media type as is", async () => {
    const spec: OperationSpec = { operationId: "ping", parameters: [], responses: { "200": "text/plain" } };
    const { hono } = app(spec, () => ({ status: 200, body: "pong" }));
    const res = await hono.request("/op");
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(await res.text()).toBe("pong");
  });

  it("sends bytes with the declared media type, or the handler's own content type", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0xff]);
    const spec: OperationSpec = { operationId: "image", parameters: [], responses: { "200": "image/png" } };
    const { hono } = app(spec, () => ({ status: 200, body: png }));
    const res = await hono.request("/op");
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(png);
    const own = app(spec, () => ({ status: 200, body: png, contentType: "image/webp" }));
    expect((await own.hono.request("/op")).headers.get("content-type")).toBe("image/webp");
  });

  it("still JSON-encodes strings for JSON answers", async () => {
    const { hono } = app({ operationId: "name", parameters: [] }, () => ({ status: 200, body: "x" }));
    const res = await hono.request("/op");
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe('"x"');
  });
});
