// The body limit on real Node requests: a declared length is trusted (Node's parser delivers
// exactly that many bytes), a chunked body is counted while it is read.
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { limitBody } from "./limits.ts";

const app = new Hono<{ Variables: { requestId: string } }>();
app.use(async (c, next) => {
  c.set("requestId", "req_test");
  await next();
});
app.use(limitBody(64));
app.post("/echo", async (c) => c.text(`${(await c.req.arrayBuffer()).byteLength}`));
app.delete("/echo", async (c) => c.text(`${(await c.req.arrayBuffer()).byteLength}`));
const server = createServer(getRequestListener(app.fetch));
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function send(method: string, chunks: string[], chunked: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const length = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
    const headers: Record<string, string> = chunked ? { "Transfer-Encoding": "chunked" } : {};
    if (!chunked && chunks.length > 0) headers["Content-Length"] = String(length);
    const req = request({ host: "127.0.0.1", port, method, path: "/echo", headers }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("limitBody on Node requests", () => {
  it("passes a declared body within the limit, read whole", async () => {
    expect(await send("POST", ["x".repeat(64)], false)).toEqual({ status: 200, body: "64" });
  });

  it("refuses a declared body over the limit with 413", async () => {
    const res = await send("POST", ["x".repeat(65)], false);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: "PAYLOAD_TOO_LARGE", request_id: "req_test" });
  });

  it("counts a chunked body: within the limit it passes, over it is a 413", async () => {
    expect(await send("POST", ["x".repeat(30), "y".repeat(30)], true)).toEqual({ status: 200, body: "60" });
    expect((await send("POST", ["x".repeat(40), "y".repeat(40)], true)).status).toBe(413);
  });

  it("passes a request without a body", async () => {
    expect(await send("DELETE", [], false)).toEqual({ status: 200, body: "0" });
  });
});
