import { type Context, Hono } from "hono";
import { describe, expect, it } from "vitest";
import { type OperationSpec, type ProblemWriter, runOperation } from "../runtime/operation.ts";
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
