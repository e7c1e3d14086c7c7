// Issue 8, item 2: resume ids against the real server process. Any string as a resume id (SSE
// `Last-Event-ID`, written raw on the socket so no client library filters it; WebSocket
// `last_event_id`) is answered within a second with a stream, a 400 or a 409, and the server
// keeps serving. Replays never hold the event loop: health answers while many run.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { slowdown } from "./fixtures/load.ts";
import { tcp } from "./fixtures/raw-websocket.ts";
import { type ServerProcess, startServerProcess } from "./fixtures/server-process.ts";

const KEY = "resume-test-key-0123456789";
const EVENTS = 3_000;
let server: ServerProcess;
let newestId = "";

async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      "X-API-Key": KEY,
      ...(body === undefined
        ? {}
        : { "Content-Type": method === "PATCH" ? "application/merge-patch+json" : "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  server = await startServerProcess({ API_KEYS: `p=${KEY}`, RATE_LIMIT: "1000000/1000000" });
  // EVENTS events: 20 writers renaming their own sequence.
  await Promise.all(
    Array.from({ length: 20 }, async (_, w) => {
      const { id } = (await api("POST", "/api/v1/sequences", { name: `w${w}` })) as { id: string };
      for (let i = 1; i < EVENTS / 20; i++) await api("PATCH", `/api/v1/sequences/${id}`, { name: `w${w}-${i}` });
    }),
  );
  const stream = await sseStatus("evt_0000000000000000", { readAll: EVENTS });
  newestId = stream.lastId;
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/**
 * Sends GET /api/v1/events with this Last-Event-ID byte for byte, and resolves with the status
 * (and, with `readAll`, the last id once that many events arrived).
 */
async function sseStatus(
  lastEventId: string,
  options: { readAll?: number } = {},
): Promise<{ status: number; body: string; lastId: string }> {
  const socket = await tcp(server.url);
  socket.on("error", () => {});
  socket.write(
    Buffer.concat([
      Buffer.from(`GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nX-API-Key: ${KEY}\r\nLast-Event-ID: `),
      Buffer.from(lastEventId, "utf8"),
      Buffer.from("\r\nConnection: close\r\n\r\n"),
    ]),
  );
  let head = "";
  let body = "";
  let count = 0;
  let lastId = "";
  let partial = "";
  return new Promise((resolve) => {
    const done = () => {
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, body, lastId });
    };
    socket.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      if (head.length < 4096) head += text;
      if (body.length < 4096) body = head.slice(head.indexOf("\r\n\r\n") + 4);
      if (options.readAll === undefined) {
        if (/\r\n\r\n/.test(head) && (!head.startsWith("HTTP/1.1 200") || head.includes(": connected"))) done();
        return;
      }
      // Count `id:` lines as they stream by (a line may be split across chunks).
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("id: ")) continue;
        count++;
        lastId = line.slice(4);
      }
      if (count >= options.readAll) done();
    });
    socket.on("close", done);
  });
}

async function health(): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${server.url}/api/v1/health`);
  expect(response.status).toBe(200);
  await response.arrayBuffer();
  return performance.now() - started;
}

/** Sends subscribe with this last_event_id on a fresh connection; resolves with the answer's type and code. */
async function wsAnswer(lastEventId: unknown): Promise<{ type: string; code?: string }> {
  const ws = new WebSocket(server.wsUrl, { headers: { "X-API-Key": KEY } });
  try {
    return await new Promise((resolve, reject) => {
      ws.on("error", reject);
      ws.on("close", (code) => reject(new Error(`closed ${code}`)));
      ws.on("message", (data) => {
        const m = JSON.parse(data.toString()) as { type: string; code?: string };
        if (m.type === "welcome") ws.send(JSON.stringify({ type: "subscribe", last_event_id: lastEventId }));
        if (m.type === "subscribed" || m.type === "error") resolve(m);
      });
    });
  } finally {
    ws.removeAllListeners("close");
    ws.terminate();
  }
}

/** `work`'s answer within `ms` on an idle machine, stretched by the machine's load (fixtures/load.ts). */
const within = <T>(ms: number, work: Promise<T>): Promise<T> => {
  const { factor, text } = slowdown();
  const bound = ms * factor;
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${bound.toFixed(0)} ms (${text})`)), bound);
    }),
  ]).finally(() => clearTimeout(timer));
};

/** Resume ids: anything at all, near-misses of the format, and real ids of every age. */
const resumeIds = () =>
  fc.oneof(
    fc.string(),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.stringMatching(/^evt_\d{0,20}$/),
    fc.bigInt({ min: 0n, max: 10n ** 16n - 1n }).map((n) => `evt_${n.toString().padStart(16, "0")}`),
    fc.integer({ min: 0, max: EVENTS + 5 }).map((n) => `evt_${String(n).padStart(16, "0")}`),
    fc.constantFrom("", "evt_9999999999999999", "evt_9007199254740992", "evt_1e15", " evt_0000000000000001"),
  );

describe("resume ids", () => {
  it("answers the id that froze the server (evt_9999999999999999) with 409 UNKNOWN_EVENT_ID at once", async () => {
    const answer = await within(1_000, sseStatus("evt_9999999999999999"));
    expect(answer.status).toBe(409);
    expect(answer.body).toContain("UNKNOWN_EVENT_ID");
    expect(await within(1_000, wsAnswer("evt_9999999999999999"))).toMatchObject({
      type: "error",
      code: "UNKNOWN_EVENT_ID",
    });
    expect((await sseStatus("")).status).toBe(400);
    expect((await sseStatus("bogus")).body).toContain("INVALID_EVENT_ID");
    expect((await sseStatus(newestId)).status).toBe(200);
    await health();
  }, 30_000);

  it("gives any SSE Last-Event-ID a stream, a 400 or a 409 within a second", async () => {
    await fc.assert(
      fc.asyncProperty(resumeIds(), async (id) => {
        const { status } = await within(1_000, sseStatus(id));
        expect([200, 400, 409]).toContain(status);
      }),
      { numRuns: 150 },
    );
    await health();
    expect(server.alive()).toBe(true);
  }, 120_000);

  it("gives any WebSocket last_event_id `subscribed` or a typed error within a second", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(resumeIds(), fc.anything()), async (id) => {
        const answer = await within(1_000, wsAnswer(id));
        if (answer.type === "subscribed") return;
        expect(answer.type).toBe("error");
        const codes =
          typeof id === "string" ? ["INVALID_EVENT_ID", "UNKNOWN_EVENT_ID", "EVENTS_EXPIRED"] : ["INVALID_MESSAGE"];
        expect(codes).toContain(answer.code);
      }),
      { numRuns: 150 },
    );
    await health();
    expect(server.alive()).toBe(true);
  }, 120_000);

  it("keeps health answering while many full replays run", async () => {
    const replays = Array.from({ length: 8 }, () => sseStatus("evt_0000000000000000", { readAll: EVENTS }));
    let running = true;
    const finished = Promise.all(replays).finally(() => {
      running = false;
    });
    const latencies: number[] = [];
    while (running) latencies.push(await health());
    const results = await finished;
    for (const r of results) expect(r.lastId).toBe(newestId);
    // Several health checks were answered while the replays ran, none held up behind them.
    expect(latencies.length).toBeGreaterThanOrEqual(3);
    const { factor, text } = slowdown();
    expect(Math.max(...latencies), `slowest health answer (${text})`).toBeLessThan(1_000 * factor);
  }, 120_000);
});
