// multipart/form-data bodies over a real local HTTP server: the request the client sends is
// parsed back with the platform's own multipart parser, part by part.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { multipartBody } from "../runtime/src/index.ts";
import { TestClient } from "./helpers.ts";

let server: Server;
let baseURL: string;
let received: { contentType: string; form: FormData; raw: string } | undefined;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const contentType = req.headers["content-type"] ?? "";
    const body = await readBody(req);
    const form = await new Response(new Uint8Array(body), { headers: { "Content-Type": contentType } }).formData();
    received = { contentType, form, raw: body.toString("latin1") };
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("multipart bodies", () => {
  it("sends files, fields, repeated parts and JSON parts with their content types", async () => {
    const client = new TestClient({ baseURL, apiKey: null, bearerToken: null });
    await client.request({
      method: "put",
      path: "/upload",
      body: multipartBody(
        {
          image: new Uint8Array([137, 80, 78, 71]),
          named: new File(["hello"], "hello.txt", { type: "text/plain" }),
          caption: "a cat",
          width: 640,
          tags: ["a", "b"],
          crop: { x: 1, y: 2 },
          skipped: undefined,
          extras: [new Blob(["one"]), new Blob(["two"])],
        },
        { image: "image/png" },
      ),
    });
    expect(received?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const form = received?.form as FormData;
    const image = form.get("image") as File;
    expect(image.type).toBe("image/png");
    expect(image.name).toBe("image");
    expect([...new Uint8Array(await image.arrayBuffer())]).toEqual([137, 80, 78, 71]);
    const named = form.get("named") as File;
    expect(named.name).toBe("hello.txt");
    expect(await named.text()).toBe("hello");
    expect(form.get("caption")).toBe("a cat");
    expect(form.get("width")).toBe("640");
    expect(form.getAll("tags")).toEqual(["a", "b"]);
    // A JSON part has no file name, so parsers hand it over as text; its Content-Type is on the wire.
    expect(JSON.parse(form.get("crop") as string)).toEqual({ x: 1, y: 2 });
    expect(received?.raw).toContain(
      'Content-Disposition: form-data; name="crop"\r\nContent-Type: application/json\r\n\r\n{"x":1,"y":2}',
    );
    expect(form.has("skipped")).toBe(false);
    const extras = form.getAll("extras") as File[];
    expect(await Promise.all(extras.map((f) => f.text()))).toEqual(["one", "two"]);
  });

  it("passes a FormData through unchanged", () => {
    const form = new FormData();
    form.append("a", "1");
    expect(multipartBody(form)).toBe(form);
  });
});
