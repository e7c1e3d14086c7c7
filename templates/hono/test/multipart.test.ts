// multipart/form-data bodies through runOperation on a real Hono app: files reach the handler as
// Files, text parts are coerced by the schema, JSON parts parsed within the JSON limits, and
// invalid bodies are refused before the handler.
import { type Context, Hono } from "hono";
import { describe, expect, it } from "vitest";
import { type OperationSpec, type ProblemWriter, runOperation } from "../runtime/operation.ts";
import { Validator } from "../runtime/validate.ts";

const registry = {
  Upload: {
    type: "object",
    required: ["image"],
    properties: {
      image: { type: "string", format: "binary" },
      caption: { type: "string", maxLength: 5 },
      width: { type: "integer", minimum: 1 },
      tags: { type: "array", items: { type: "string" } },
      crop: { type: "object", properties: { x: { type: "integer" } }, required: ["x"] },
      extras: { type: "array", items: { type: "string", format: "binary" } },
    },
  },
} as const;
const validator = new Validator(registry);
const problem: ProblemWriter = (c: Context, status, code, detail, errors) =>
  c.body(JSON.stringify({ status, code, detail, errors }), status, { "Content-Type": "application/problem+json" });
const resolve = (ref: string) => registry[ref.split("/").pop() as keyof typeof registry];
const spec: OperationSpec = {
  operationId: "upload",
  parameters: [],
  body: { contentTypes: ["multipart/form-data"], schema: { $ref: "#/components/schemas/Upload" }, required: true },
};

function app() {
  const calls: Array<{ body: Record<string, unknown> }> = [];
  const hono = new Hono();
  hono.all(
    "/op",
    runOperation(spec, { validator, problem, resolve }, async (input) => {
      calls.push(input as { body: Record<string, unknown> });
      return { status: 204 };
    }),
  );
  return { hono, calls };
}

const send = (hono: Hono, body: FormData | string, contentType?: string) =>
  hono.request("/op", {
    method: "PUT",
    body,
    ...(contentType === undefined ? {} : { headers: { "Content-Type": contentType } }),
  });

describe("multipart bodies", () => {
  it("gives the handler files as Files and coerced fields", async () => {
    const { hono, calls } = app();
    const form = new FormData();
    form.append("image", new File([new Uint8Array([1, 2, 3])], "a.png", { type: "image/png" }));
    form.append("caption", "cat");
    form.append("width", "640");
    form.append("tags", "a");
    form.append("tags", "b");
    form.append("crop", new Blob(['{"x":4}'], { type: "application/json" }), "");
    form.append("extras", new File(["one"], "1.txt"));
    form.append("extras", new File(["two"], "2.txt"));
    const res = await send(hono, form);
    expect(res.status).toBe(204);
    const body = calls[0]?.body as Record<string, unknown>;
    const image = body.image as File;
    expect(image).toBeInstanceOf(File);
    expect(image.name).toBe("a.png");
    expect([...new Uint8Array(await image.arrayBuffer())]).toEqual([1, 2, 3]);
    expect(body).toMatchObject({ caption: "cat", width: 640, tags: ["a", "b"], crop: { x: 4 } });
    expect(await Promise.all((body.extras as File[]).map((f) => f.text()))).toEqual(["one", "two"]);
  });

  it("422s invalid fields and a missing file, 400s bad JSON parts and broken bodies, never calls the handler", async () => {
    const { hono, calls } = app();
    const invalid = new FormData();
    invalid.append("caption", "far too long");
    invalid.append("width", "zero");
    invalid.append("crop", '{"y":1}');
    const res = await send(hono, invalid);
    expect(res.status).toBe(422);
    const fields = ((await res.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
    expect(fields.sort()).toEqual(["/caption", "/crop/x", "/image", "/width"]);

    const badJson = new FormData();
    badJson.append("image", new File(["x"], "x"));
    badJson.append("crop", "{not json");
    expect((await send(hono, badJson)).status).toBe(400);

    const deep = new FormData();
    deep.append("image", new File(["x"], "x"));
    deep.append("crop", `${"[".repeat(200)}${"]".repeat(200)}`);
    expect((await send(hono, deep)).status).toBe(400);

    expect((await send(hono, "garbage", "multipart/form-data; boundary=zzz")).status).toBe(400);
    expect((await send(hono, "garbage", "multipart/form-data")).status).toBe(400);
    expect(calls).toHaveLength(0);
  });

  it("takes a part sent without a file name as the file's content", async () => {
    const { hono, calls } = app();
    const form = new FormData();
    form.append("image", "plain content");
    expect((await send(hono, form)).status).toBe(204);
    const image = calls[0]?.body.image as File;
    expect(image).toBeInstanceOf(File);
    expect(await image.text()).toBe("plain content");
  });
});
