import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  APIUserAbortError,
  AuthenticationError,
  ConflictError,
  EventStreamError,
  type ServerSentEvent,
} from "../runtime/src/index.ts";
import { TestClient } from "./helpers.ts";

type Handler = (req: IncomingMessage, res: ServerResponse, connection: number) => void;

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** Starts a server on 127.0.0.1:<random>; returns its base URL and the requests it saw. */
async function start(handler: Handler): Promise<{ base: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  server = createServer((req, res) => {
    requests.push(req);
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, requests };
}

const sseHead = { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" };
const frame = (id: number, type = "thing.changed") => `event: ${type}\nid: ${id}\ndata: {"id":"${id}","n":${id}}\n\n`;

interface Evt {
  type: string;
  id: string;
  n: number;
}
const decode = (m: ServerSentEvent): Evt => ({ type: m.event, ...(JSON.parse(m.data) as { id: string; n: number }) });

function streamOf(client: TestClient, extra: { signal?: AbortSignal } = {}) {
  return client.requestStream<Evt>(
    { method: "get", path: "/v1/events", query: { types: ["a", "b"] } },
    extra.signal ? { signal: extra.signal } : undefined,
    { decode, random: () => 0, initialReconnectDelayMs: 5 },
  );
}

describe("EventStream over a real HTTP server", () => {
  it("reconnects after a drop with Last-Event-ID, skips duplicates, loses nothing, ends with the typed error", async () => {
    const { base, requests } = await start((_req, res, n) => {
      if (n === 1) {
        res.writeHead(200, sseHead);
        res.write(`retry: 10\n: keep-alive\n\n${frame(1)}${frame(2)}`);
        res.write(frame(3));
        res.write('id: 4\ndata: {"id":"4"'); // cut mid-message: must not be delivered
        setTimeout(() => res.socket?.destroy(), 20);
      } else if (n === 2) {
        res.writeHead(200, sseHead);
        // The server overlaps: event 3 again (a duplicate), then 4 and 5, then ends the response.
        res.end(`${frame(3)}${frame(4)}${frame(5, "some.future.type")}`);
      } else {
        res.writeHead(401, { "Content-Type": "application/problem+json", "X-Request-Id": "req_sse" });
        res.end(JSON.stringify({ type: "urn:x", title: "Unauthorized", status: 401, code: "UNAUTHENTICATED" }));
      }
    });
    const client = new TestClient({ apiKey: "k", baseURL: base });
    const got: Evt[] = [];
    const stream = streamOf(client);
    const err = await (async () => {
      for await (const e of stream) got.push(e);
    })().catch((e: unknown) => e);

    expect(got.map((e) => e.n)).toEqual([1, 2, 3, 4, 5]);
    expect(got[4]?.type).toBe("some.future.type");
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).requestId).toBe("req_sse");
    expect(requests.map((r) => r.headers["last-event-id"])).toEqual([undefined, "3", "5"]);
    expect(requests[0]?.headers.accept).toBe("text/event-stream");
    expect(requests[0]?.headers["x-test-key"]).toBe("k");
    expect(requests[0]?.url).toBe("/v1/events?types=a&types=b");
    expect(stream.lastEventId).toBe("5");
  });

  it("reconnects on a retryable status with backoff doubling and honours Retry-After-Ms; 409 without it is final", async () => {
    const { base, requests } = await start((_req, res, n) => {
      if (n <= 3) {
        res.writeHead(503, n === 3 ? { "Retry-After-Ms": "7" } : {});
        res.end();
      } else if (n === 4) {
        res.writeHead(200, sseHead);
        res.end(frame(10));
      } else {
        res.writeHead(409, { "Content-Type": "application/problem+json" });
        res.end(JSON.stringify({ title: "Gone", status: 409, code: "EVENTS_EXPIRED" }));
      }
    });
    const client = new TestClient({ apiKey: "k", baseURL: base });
    const stream = client.requestStream<Evt>({ method: "get", path: "/v1/events" }, undefined, {
      decode,
      random: () => 0,
      initialReconnectDelayMs: 4,
      maxReconnectDelayMs: 6,
    });
    const got: number[] = [];
    const err = await (async () => {
      for await (const e of stream) got.push(e.n);
    })().catch((e: unknown) => e);
    expect(got).toEqual([10]);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).code).toBe("EVENTS_EXPIRED");
    expect(requests).toHaveLength(5);
    expect(requests[4]?.headers["last-event-id"]).toBe("10");
  });

  it("takes the server's `error` event as a typed error: SLOW_CONSUMER resumes from the last id, EVENTS_EXPIRED ends", async () => {
    const ended = (code: string) => `event: error\ndata: {"type":"error","code":"${code}","message":"m"}\n\n`;
    const { base, requests } = await start((_req, res, n) => {
      res.writeHead(200, sseHead);
      if (n === 1) res.end(`${frame(1)}${frame(2)}${ended("SLOW_CONSUMER")}`);
      else if (n === 2) res.end(`${frame(3)}${ended("SOMETHING_NEW")}`);
      else res.end(`${frame(4)}${ended("EVENTS_EXPIRED")}`);
    });
    const lines: string[] = [];
    const client = new TestClient({
      apiKey: "k",
      baseURL: base,
      logger: { info: (m: string, f?: Record<string, unknown>) => lines.push(`${m} ${String(f?.reason)}`) },
    });
    const stream = client.requestStream<Evt>({ method: "get", path: "/v1/events" }, undefined, {
      decode,
      random: () => 0,
      initialReconnectDelayMs: 2,
    });
    const got: number[] = [];
    const err = await (async () => {
      for await (const e of stream) got.push(e.n);
    })().catch((e: unknown) => e);
    // The error events are never items; each resumable one reconnects with the last id.
    expect(got).toEqual([1, 2, 3, 4]);
    expect(requests.map((r) => r.headers["last-event-id"])).toEqual([undefined, "2", "3"]);
    expect(lines[0]).toContain("SLOW_CONSUMER");
    expect(err).toBeInstanceOf(EventStreamError);
    expect((err as EventStreamError).code).toBe("EVENTS_EXPIRED");
    expect((err as EventStreamError).resumable).toBe(false);
  });

  it("with maxReconnects 0 a SLOW_CONSUMER end surfaces as the typed error", async () => {
    const { base } = await start((_req, res) => {
      res.writeHead(200, sseHead);
      res.end(`${frame(1)}event: error\ndata: {"type":"error","code":"SLOW_CONSUMER","message":"m"}\n\n`);
    });
    const client = new TestClient({ apiKey: "k", baseURL: base });
    const stream = client.requestStream<Evt>({ method: "get", path: "/v1/events" }, undefined, {
      decode,
      maxReconnects: 0,
    });
    const got: number[] = [];
    const err = await (async () => {
      for await (const e of stream) got.push(e.n);
    })().catch((e: unknown) => e);
    expect(got).toEqual([1]);
    expect(err).toBeInstanceOf(EventStreamError);
    expect((err as EventStreamError).code).toBe("SLOW_CONSUMER");
    expect(stream.lastEventId).toBe("1");
  });

  it("logs reconnect delays: 1 s doubling to the cap, reset after a message", async () => {
    const { base } = await start((_req, res, n) => {
      if (n === 4) {
        res.writeHead(200, sseHead);
        res.end(frame(1));
      } else if (n >= 6) {
        res.writeHead(404);
        res.end();
      } else {
        res.writeHead(500);
        res.end();
      }
    });
    const lines: string[] = [];
    const client = new TestClient({ apiKey: "k", baseURL: base, logger: { info: (m: string) => lines.push(m) } });
    const stream = client.requestStream<Evt>({ method: "get", path: "/v1/events" }, undefined, {
      decode,
      random: () => 0,
      initialReconnectDelayMs: 2,
      maxReconnectDelayMs: 5,
    });
    await (async () => {
      for await (const _ of stream) {
        // drain
      }
    })().catch(() => undefined);
    const delays = lines.map((l) => Number(/in (\d+) ms/.exec(l)?.[1]));
    // 500, 500, 500 → 2, 4, 5 (capped); message then end-of-stream → reset to 2; 500 → 4; then 404 ends.
    expect(delays).toEqual([2, 4, 5, 2, 4]);
  });

  it("breaking out of the loop closes the connection", async () => {
    let closed: Promise<void> | undefined;
    const { base } = await start((req, res) => {
      closed = new Promise((resolve) => req.socket.on("close", () => resolve()));
      res.writeHead(200, sseHead);
      res.write(frame(1) + frame(2));
    });
    const client = new TestClient({ apiKey: "k", baseURL: base });
    for await (const e of streamOf(client)) {
      expect(e.n).toBe(1);
      break;
    }
    await closed;
  });

  it("close() ends a pending iteration cleanly; aborting the signal throws APIUserAbortError", async () => {
    const { base } = await start((_req, res) => {
      res.writeHead(200, sseHead);
      res.write(frame(1));
    });
    const client = new TestClient({ apiKey: "k", baseURL: base });
    const stream = streamOf(client);
    const got: number[] = [];
    const done = (async () => {
      for await (const e of stream) {
        got.push(e.n);
        setTimeout(() => stream.close(), 10);
      }
    })();
    await expect(done).resolves.toBeUndefined();
    expect(got).toEqual([1]);

    const controller = new AbortController();
    const aborted = (async () => {
      for await (const _ of streamOf(client, { signal: controller.signal })) setTimeout(() => controller.abort(), 10);
    })();
    await expect(aborted).rejects.toBeInstanceOf(APIUserAbortError);
  });
});
