import { type Context, Hono } from "hono";
import { describe, expect, it } from "vitest";
import { methodNotAllowed, type OperationSpec, type ProblemWriter, runOperation } from "../runtime/operation.ts";
import { Validator } from "../runtime/validate.ts";

const registry = {
  Input: { type: "object", required: ["name"], properties: { name: { type: "string", minLength: 1 } } },
} as const;
const validator = new Validator(registry);
const problem: ProblemWriter = (c: Context, status, code, detail, errors) =>
  c.body(JSON.stringify({ status, code, detail, errors }), status, { "Content-Type": "application/problem+json" });
const options = {
  validator,
  problem,
  resolve: (ref: string) => registry[ref.split("/").pop() as keyof typeof registry],
};

const spec: OperationSpec = {
  operationId: "create",
  parameters: [
    { name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[a-z]+$" } },
    { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 100 } },
    {
      name: "types",
      in: "query",
      required: false,
      schema: { type: "array", items: { type: "string", enum: ["a", "b"] } },
    },
    { name: "If-Match", in: "header", required: false, schema: { type: "string" } },
  ],
  body: { contentTypes: ["application/json"], schema: { $ref: "#/components/schemas/Input" }, required: true },
};

function app() {
  const calls: unknown[] = [];
  const hono = new Hono();
  hono.post(
    "/things/:id",
    runOperation(spec, options, async (input) => {
      calls.push(input);
      return { status: 201, body: { ok: true, input }, headers: { ETag: '"1"' } };
    }),
  );
  const post = (
    path: string,
    body: string | undefined,
    headers: Record<string, string> = { "Content-Type": "application/json" },
  ) => hono.request(path, { method: "POST", ...(body === undefined ? {} : { body }), headers });
  return { post, calls };
}

describe("runOperation", () => {
  it("passes typed, validated input to the handler and serialises its result", async () => {
    const { post, calls } = app();
    const res = await post("/things/abc?limit=5&types=a&types=b", '{"name":"x"}', {
      "Content-Type": "application/json; charset=utf-8",
      "If-Match": '"3"',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("ETag")).toBe('"1"');
    expect(calls[0]).toEqual({
      path: { id: "abc" },
      query: { limit: 5, types: ["a", "b"] },
      headers: { "If-Match": '"3"' },
      cookies: {},
      body: { name: "x" },
    });
  });

  it("400s bad parameters, naming each", async () => {
    const { post, calls } = app();
    const res = await post("/things/ABC?limit=0&types=c", '{"name":"x"}');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { field: string }[] };
    expect(body.errors.map((e) => e.field)).toEqual(["path.id", "query.limit", "query.types/0"]);
    expect(calls).toHaveLength(0);
  });

  it("answers a parameter's own error code (x-error-code) when only such parameters fail", async () => {
    const own: OperationSpec = {
      operationId: "stream",
      parameters: [
        {
          name: "Last-Event-ID",
          in: "header",
          required: false,
          schema: { type: "string", pattern: "^evt_[0-9]{16}$" },
          errorCode: "INVALID_EVENT_ID",
        },
        { name: "since", in: "query", required: false, schema: { type: "string" }, errorCode: "INVALID_EVENT_ID" },
        { name: "cursor", in: "query", required: false, schema: { type: "string", minLength: 1 } },
        { name: "token", in: "query", required: true, schema: { type: "string" }, errorCode: "MISSING_TOKEN" },
      ],
    };
    const codes: string[] = [];
    const hono = new Hono();
    hono.get(
      "/events",
      runOperation<"INVALID_EVENT_ID" | "MISSING_TOKEN">(
        own,
        {
          ...options,
          problem: (c, status, code, detail, errors) => {
            codes.push(code);
            return c.body(JSON.stringify({ status, code, detail, errors }), status);
          },
        },
        async () => ({ status: 200, body: { ok: true } }),
      ),
    );
    const get = async (query: string, headers: Record<string, string> = {}) => {
      const res = await hono.request(`/events${query}`, { headers });
      return { status: res.status, body: (await res.json()) as { code?: string; errors?: { field: string }[] } };
    };
    expect((await get("?token=t", { "Last-Event-ID": "evt_0000000000000001" })).status).toBe(200);
    for (const bad of ["", "evt_1", "evt_00000000000000001", "EVT_0000000000000001", "evt_000000000000000x", "1"]) {
      const answer = await get("?token=t", { "Last-Event-ID": bad });
      expect(answer.status, bad).toBe(400);
      expect(answer.body.code, bad).toBe("INVALID_EVENT_ID");
      expect(answer.body.errors?.map((e) => e.field)).toEqual(["header.Last-Event-ID"]);
    }
    // Text rules and malformed escapes of such a parameter answer its code too.
    expect((await get("?token=t&since=a%00b")).body.code).toBe("INVALID_EVENT_ID");
    expect((await get("?token=t&since=%FF")).body.code).toBe("INVALID_EVENT_ID");
    // Two parameters with the same code: that code, each field listed.
    const both = await get("?token=t&since=%FF", { "Last-Event-ID": "x" });
    expect(both.body.code).toBe("INVALID_EVENT_ID");
    expect(both.body.errors?.map((e) => e.field)).toEqual(["header.Last-Event-ID", "query.since"]);
    // A missing required parameter answers its own code.
    expect((await get("")).body.code).toBe("MISSING_TOKEN");
    // Failures of several kinds: the generic code, every field listed.
    const mixed = await get("?cursor=", { "Last-Event-ID": "x" });
    expect(mixed.body.code).toBe("BAD_REQUEST");
    expect(mixed.body.errors?.map((e) => e.field)).toEqual(["header.Last-Event-ID", "query.cursor", "query.token"]);
    expect((await get("?token=t&cursor=")).body.code).toBe("BAD_REQUEST");
    expect((await get("?token=t&unknown=%FF")).body.code).toBe("BAD_REQUEST");
    expect(codes).not.toContain(undefined);
  });

  it("415s a wrong content type, 400s bad JSON and a missing body, 422s a schema failure", async () => {
    const { post, calls } = app();
    expect((await post("/things/a", '{"name":"x"}', { "Content-Type": "text/plain" })).status).toBe(415);
    expect((await post("/things/a", "{nope")).status).toBe(400);
    expect((await post("/things/a", undefined)).status).toBe(400);
    const invalid = await post("/things/a", '{"name":""}');
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toMatchObject({
      code: "VALIDATION_FAILED",
      errors: [{ field: "/name", code: "minLength" }],
    });
    expect(calls).toHaveLength(0);
  });
});

describe("runOperation on hostile input", () => {
  const limited = { ...options, jsonLimits: { maxDepth: 8, maxMembers: 50, maxStringLength: 20 } };
  const closed = {
    ...options,
    validator: new Validator({
      Input: {
        type: "object",
        required: ["name"],
        additionalProperties: false,
        properties: { name: { type: "string" }, metadata: { type: "object", additionalProperties: {} } },
      },
    }),
  };
  function hostileApp(runtime: typeof options) {
    const calls: unknown[] = [];
    const hono = new Hono();
    hono.post(
      "/things/:id",
      runOperation(spec, runtime, async (input) => {
        calls.push(input);
        return { status: 201, body: { ok: true } };
      }),
    );
    const post = (path: string, body: string | Uint8Array) =>
      hono.request(path, { method: "POST", body, headers: { "Content-Type": "application/json" } });
    return { post, calls };
  }
  const problem = async (res: Response) =>
    (await res.json()) as { code: string; detail: string; errors: { field: string; code: string }[] };

  it("413s deep, wide and long bodies naming the limit, before the handler or the validator", async () => {
    const { post, calls } = hostileApp(limited);
    const deep = await post("/things/a", `{"name":"x","metadata":{"a":${"[".repeat(5000)}${"]".repeat(5000)}}}`);
    expect(deep.status).toBe(413);
    expect(await problem(deep)).toMatchObject({ code: "PAYLOAD_TOO_LARGE", errors: [{ code: "maxDepth" }] });
    const wide = await post("/things/a", JSON.stringify({ name: "x", metadata: { a: Array(60).fill(1) } }));
    expect(await problem(wide)).toMatchObject({ errors: [{ field: "/metadata/a", code: "maxMembers" }] });
    const long = await post("/things/a", JSON.stringify({ name: "x".repeat(21) }));
    expect(await problem(long)).toMatchObject({ errors: [{ field: "/name", code: "maxStringLength" }] });
    expect(calls).toHaveLength(0);
  });

  it("400s a body that is not UTF-8 and 422s U+0000 or a lone surrogate, naming the field", async () => {
    const { post, calls } = hostileApp(options);
    const bytes = new TextEncoder().encode('{"name":"ab"}');
    bytes[9] = 0xff;
    const notUtf8 = await post("/things/a", bytes);
    expect(notUtf8.status).toBe(400);
    expect(await problem(notUtf8)).toMatchObject({ errors: [{ field: "body", code: "encoding" }] });
    const nul = await post("/things/a", '{"name":"a\\u0000b"}');
    expect(nul.status).toBe(422);
    expect(await problem(nul)).toMatchObject({ errors: [{ field: "/name", code: "nul_character" }] });
    const surrogate = await post("/things/a", '{"name":"\\udc00"}');
    expect(await problem(surrogate)).toMatchObject({ errors: [{ field: "/name", code: "unpaired_surrogate" }] });
    expect(calls).toHaveLength(0);
  });

  it("400s query text with U+0000 or percent escapes that are not UTF-8", async () => {
    const { post, calls } = hostileApp(options);
    const nul = await post("/things/a?types=a%00", '{"name":"x"}');
    expect(nul.status).toBe(400);
    expect(await problem(nul)).toMatchObject({ errors: [{ field: "query.types/0", code: "nul_character" }] });
    const encoded = await post("/things/a?limit=%ED%A0%80", '{"name":"x"}');
    expect(encoded.status).toBe(400);
    expect(await problem(encoded)).toMatchObject({ errors: [{ field: "query.limit", code: "encoding" }] });
    expect((await post("/things/a?limit=%FF", '{"name":"x"}')).status).toBe(400);
    expect(calls).toHaveLength(0);
  });

  it("422s every unknown member of a closed object, leaving free-form members alone", async () => {
    const { post, calls } = hostileApp(closed);
    const res = await post("/things/a", JSON.stringify({ name: "x", nmae: "y", ifMatch: '"1"', metadata: { any: 1 } }));
    expect(res.status).toBe(422);
    const body = await problem(res);
    expect(body.errors.map((e) => [e.field, e.code])).toEqual([
      ["/nmae", "additionalProperties"],
      ["/ifMatch", "additionalProperties"],
    ]);
    expect((await post("/things/a", JSON.stringify({ name: "x", metadata: { any: { deep: [1] } } }))).status).toBe(201);
    expect(calls).toHaveLength(1);
  });
});

describe("methodNotAllowed", () => {
  it("405s another method on a known path with Allow, and answers OPTIONS with Allow", async () => {
    const hono = new Hono();
    hono.get("/things", (c) => c.text("ok"));
    hono.post("/things", (c) => c.text("made", 201));
    hono.all("/things", methodNotAllowed(["GET", "POST"], problem));
    for (const method of ["DELETE", "PUT", "PATCH"]) {
      const res = await hono.request("/things", { method });
      expect(res.status).toBe(405);
      expect(res.headers.get("Allow")).toBe("GET, HEAD, POST, OPTIONS");
      expect(await res.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED" });
    }
    const options = await hono.request("/things", { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.get("Allow")).toBe("GET, HEAD, POST, OPTIONS");
    expect((await hono.request("/things", { method: "HEAD" })).status).toBe(200);
    expect((await hono.request("/things")).status).toBe(200);
    expect((await hono.request("/other", { method: "DELETE" })).status).toBe(404);
  });
});
