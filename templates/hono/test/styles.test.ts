// Path, header, cookie and query parameters in every style (label, matrix, simple, form, with
// and without explode) read back through runOperation on a real Hono app.
import { type Context, Hono } from "hono";
import { describe, expect, it } from "vitest";
import { type OperationSpec, type ProblemWriter, runOperation } from "../runtime/operation.ts";
import type { ParameterSpec } from "../runtime/params.ts";
import { Validator } from "../runtime/validate.ts";

const registry = {
  Color: { type: "object", properties: { R: { type: "integer" }, G: { type: "integer" } } },
} as const;
const validator = new Validator(registry);
const problem: ProblemWriter = (c: Context, status, code, detail, errors) =>
  c.body(JSON.stringify({ status, code, detail, errors }), status, { "Content-Type": "application/problem+json" });
const resolve = (ref: string) => registry[ref.split("/").pop() as keyof typeof registry];
const ints = { type: "array", items: { type: "integer" } } as const;
const color = { $ref: "#/components/schemas/Color" };

async function read(parameter: ParameterSpec, url: string, headers: Record<string, string> = {}) {
  const inputs: Array<Record<string, Record<string, unknown>>> = [];
  const spec: OperationSpec = { operationId: "op", parameters: [parameter] };
  const hono = new Hono();
  hono.get(
    "/items/:p",
    runOperation(spec, { validator, problem, resolve }, async (input) => {
      inputs.push(input as unknown as Record<string, Record<string, unknown>>);
      return { status: 204 };
    }),
  );
  const res = await hono.request(url, { headers });
  return { status: res.status, input: inputs[0] };
}

describe("parameter styles", () => {
  it.each([
    [{ style: "simple", explode: false }, "/items/3,4", [3, 4]],
    [{ style: "label", explode: false }, "/items/.3,4", [3, 4]],
    [{ style: "label", explode: true }, "/items/.3.4", [3, 4]],
    [{ style: "matrix", explode: false }, "/items/;p=3,4", [3, 4]],
    [{ style: "matrix", explode: true }, "/items/;p=3;p=4", [3, 4]],
  ] as const)("path arrays %j", async (style, url, expected) => {
    const { status, input } = await read({ name: "p", in: "path", required: true, schema: ints, ...style }, url);
    expect(status).toBe(204);
    expect(input?.path?.p).toEqual(expected);
  });

  it.each([
    [{ style: "simple", explode: false }, "/items/R,1,G,2"],
    [{ style: "simple", explode: true }, "/items/R=1,G=2"],
    [{ style: "label", explode: true }, "/items/.R=1.G=2"],
    [{ style: "matrix", explode: false }, "/items/;p=R,1,G,2"],
    [{ style: "matrix", explode: true }, "/items/;R=1;G=2"],
  ] as const)("path objects %j", async (style, url) => {
    const { status, input } = await read({ name: "p", in: "path", required: true, schema: color, ...style }, url);
    expect(status).toBe(204);
    expect(input?.path?.p).toEqual({ R: 1, G: 2 });
  });

  it("reads header objects, cookie arrays and objects, and non-exploded query objects", async () => {
    const header = await read(
      { name: "X-Color", in: "header", required: true, schema: color, style: "simple", explode: true },
      "/items/x",
      { "X-Color": "R=1,G=2" },
    );
    expect(header.input?.headers?.["X-Color"]).toEqual({ R: 1, G: 2 });
    const cookieArray = await read(
      { name: "ids", in: "cookie", required: true, schema: ints, style: "form", explode: false },
      "/items/x",
      { Cookie: "ids=3,4" },
    );
    expect(cookieArray.input?.cookies?.ids).toEqual([3, 4]);
    const cookieObject = await read(
      { name: "c", in: "cookie", required: true, schema: color, style: "form", explode: true },
      "/items/x",
      { Cookie: "R=1; G=2; other=x" },
    );
    expect(cookieObject.input?.cookies?.c).toEqual({ R: 1, G: 2 });
    const query = await read(
      { name: "c", in: "query", required: true, schema: color, style: "pipeDelimited", explode: false },
      "/items/x?c=R|1|G|2",
    );
    expect(query.input?.query?.c).toEqual({ R: 1, G: 2 });
  });

  it("refuses a value not in its style or of the wrong type (400)", async () => {
    const missingPrefix = await read(
      { name: "p", in: "path", required: true, schema: ints, style: "label", explode: false },
      "/items/3,4",
    );
    expect(missingPrefix.status).toBe(400);
    const badItem = await read(
      { name: "p", in: "path", required: true, schema: ints, style: "simple", explode: false },
      "/items/3,x",
    );
    expect(badItem.status).toBe(400);
  });
});
