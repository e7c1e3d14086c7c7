// A client that hangs up while sending its body, against the real process: logged as a client
// abort with status 499, counted as 499 in /metrics, never as a 500 or an unhandled error, and the
// server goes on serving.
import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "./fixtures/server-process.ts";

const KEY = "abort-key-0123456789abcdef";
let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/**
 * Sends the head (asking for 100-continue: once the server answers it, the request is in the
 * app), then part of the body, then resets the connection.
 */
function hangUpMidBody(url: string, path: string, framing: "length" | "chunked"): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      const head = [
        `POST ${path} HTTP/1.1`,
        `Host: ${hostname}`,
        `X-API-Key: ${KEY}`,
        "Content-Type: application/json",
        "Expect: 100-continue",
        framing === "length" ? "Content-Length: 5000" : "Transfer-Encoding: chunked",
      ];
      socket.write(`${head.join("\r\n")}\r\n\r\n`);
    });
    socket.once("data", (chunk: Buffer) => {
      expect(chunk.toString()).toMatch(/^HTTP\/1\.1 100 Continue/);
      const part = '{"name": "half';
      const body = framing === "length" ? part : `${part.length.toString(16)}\r\n${part}\r\n`;
      socket.write(body, () => {
        socket.resetAndDestroy();
        resolve();
      });
    });
    socket.on("error", reject);
  });
}

describe("a client hanging up mid-body", () => {
  it("is a 499 client abort in the log and the metrics, not a 500", async () => {
    server = await startServerProcess({ DATA_DIR: mkdtempSync(join(tmpdir(), "tka-abort-")), API_KEYS: `p=${KEY}` });
    const running = server;
    await hangUpMidBody(running.url, "/api/v1/sequences", "length");
    await hangUpMidBody(running.url, "/api/v1/sequences", "chunked");
    await hangUpMidBody(running.url, "/api/v1/sequences/seq_x/beats", "length");
    await running.waitForLog((l) => l.msg === "request" && l.route === "/api/v1/sequences/:sequence_id/beats");
    await running.waitForLog(() => running.logs().filter((l) => l.status === 499).length === 3);

    const aborted = running.logs().filter((l) => l.msg === "request" && l.method === "POST");
    expect(aborted).toHaveLength(3);
    for (const line of aborted) expect(line).toMatchObject({ level: "info", status: 499, client_abort: true });
    expect(running.logs().filter((l) => l.level === "error")).toEqual([]);

    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain('tka_http_requests_total{method="POST",route="/api/v1/sequences",status="499"} 2');
    expect(metrics).not.toMatch(/status="5\d\d"/);
    const created = await fetch(`${running.url}/api/v1/sequences`, {
      method: "POST",
      headers: { "X-API-Key": KEY, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "whole" }),
    });
    expect(created.status).toBe(201);
  }, 120_000);
});
