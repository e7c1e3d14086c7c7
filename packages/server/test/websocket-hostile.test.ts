// Issue 8, item 1: no WebSocket frame, sequence of frames or TCP reset ends the server process.
// Every case is written by hand on a raw TCP socket against the real server process, without and
// with credentials; each frame fault closes its connection with the RFC 6455 code and is logged
// once with the upgrade's request id; afterwards the server still answers health and a
// WebSocket round trip.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { frame, handshakeRequest, rawWebSocket, tcp } from "./fixtures/raw-websocket.ts";
import { type ServerProcess, startServerProcess } from "./fixtures/server-process.ts";

const KEY = "hostile-test-key-0123456789";
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess({ API_KEYS: `p=${KEY}` });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function stillServes(): Promise<void> {
  expect(server.alive()).toBe(true);
  const health = await fetch(`${server.url}/api/v1/health`);
  expect(health.status).toBe(200);
  const ws = new WebSocket(server.wsUrl, { headers: { "X-API-Key": KEY } });
  const pong = await new Promise<Record<string, unknown>>((resolve, reject) => {
    ws.on("error", reject);
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      if (message.type === "welcome") ws.send(JSON.stringify({ type: "ping", request_id: "alive" }));
      if (message.type === "pong") resolve(message);
    });
  });
  expect(pong.request_id).toBe("alive");
  ws.close();
}

const utf8Invalid = Buffer.from([0xff, 0xfe, 0xfd]);
const faults: { name: string; code: number; bytes: () => Buffer[] }[] = [
  { name: "a text frame over 64 KiB", code: 1009, bytes: () => [frame("x".repeat(64 * 1024 + 1))] },
  {
    name: "a 20 MiB frame",
    code: 1009,
    bytes: () => [frame(Buffer.alloc(64 * 1024), { announcedLength: 20 * 1024 * 1024 }).subarray(0, 14 + 64 * 1024)],
  },
  {
    name: "a message over 64 KiB in small fragments",
    code: 1009,
    bytes: () => [
      frame("y".repeat(20_000), { fin: false }),
      ...Array.from({ length: 3 }, () => frame("y".repeat(20_000), { opcode: 0, fin: false })),
    ],
  },
  { name: "invalid UTF-8 (ff fe fd)", code: 1007, bytes: () => [frame(utf8Invalid)] },
  {
    name: "invalid UTF-8 split across fragments",
    code: 1007,
    bytes: () => [frame(Buffer.from([0x22, 0xe2]), { fin: false }), frame(Buffer.from([0x28, 0xa1]), { opcode: 0 })],
  },
  { name: "an unmasked client frame", code: 1002, bytes: () => [frame('{"type":"ping"}', { mask: false })] },
  { name: "a reserved opcode", code: 1002, bytes: () => [frame("x", { opcode: 0x3 })] },
  { name: "RSV bits without an extension", code: 1002, bytes: () => [frame("x", { rsv: 0b011 })] },
  { name: "a fragmented ping", code: 1002, bytes: () => [frame("x", { opcode: 0x9, fin: false })] },
  { name: "a ping over 125 bytes", code: 1002, bytes: () => [frame("p".repeat(200), { opcode: 0x9 })] },
  { name: "a continuation with nothing to continue", code: 1002, bytes: () => [frame("x", { opcode: 0 })] },
  {
    name: "a close frame with an invalid code",
    code: 1002,
    bytes: () => [frame(Buffer.from([0x03, 0xe7]), { opcode: 0x8 })],
  },
  {
    name: "a close frame with an invalid UTF-8 reason",
    code: 1007,
    bytes: () => [frame(Buffer.concat([Buffer.from([0x03, 0xe8]), utf8Invalid]), { opcode: 0x8 })],
  },
  {
    name: "a frame length beyond 2^53",
    code: 1009,
    bytes: () => [Buffer.from([0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4])],
  },
];

describe.each([
  ["unauthenticated", {}],
  ["authenticated", { "X-API-Key": KEY }],
] as const)("WebSocket frame faults, %s", (label, credentials) => {
  it.each(faults)(
    "closes on $name with its code, logs it once, and keeps serving",
    async (fault) => {
      const requestId = `req-${label}-${fault.name.replaceAll(/\W+/g, "-")}`;
      const ws = await rawWebSocket(server.wsUrl, { ...credentials, "X-Request-Id": requestId });
      expect(ws.response).toMatch(/^HTTP\/1\.1 101/);
      await ws.nextMessage("welcome");
      for (const bytes of fault.bytes()) ws.write(bytes);
      expect(await ws.closed).toBe(fault.code);
      ws.socket.destroy();
      const line = await server.waitForLog((l) => l.request_id === requestId);
      expect(line).toMatchObject({ msg: "websocket closed on a protocol error", close_code: fault.code });
      await stillServes();
      expect(server.logs().filter((l) => l.request_id === requestId)).toHaveLength(1);
    },
    30_000,
  );
});

describe("WebSocket resets and broken handshakes", () => {
  it("survives resets at every stage of the upgrade and of a frame", async () => {
    // Half a handshake, then a reset.
    const half = await tcp(server.url);
    half.on("error", () => {});
    half.write(handshakeRequest("/api/v1/ws").slice(0, 60));
    half.resetAndDestroy();
    // The whole handshake, reset before the answer can be read.
    for (let i = 0; i < 20; i++) {
      const socket = await tcp(server.url);
      socket.on("error", () => {});
      socket.write(handshakeRequest("/api/v1/ws", { "X-API-Key": KEY }));
      socket.resetAndDestroy();
    }
    // After the upgrade: half a frame header, half a payload, then a reset.
    for (const cut of [1, 5, 40]) {
      const ws = await rawWebSocket(server.wsUrl, { "X-API-Key": KEY });
      ws.write(frame(JSON.stringify({ type: "ping", padding: "z".repeat(100) })).subarray(0, cut));
      ws.socket.resetAndDestroy();
    }
    // A reset while the server is writing to the socket (a subscribe with replay, then gone).
    const busy = await rawWebSocket(server.wsUrl, { "X-API-Key": KEY });
    await busy.nextMessage("welcome");
    busy.write(frame(JSON.stringify({ type: "subscribe" })));
    busy.write(frame(JSON.stringify({ type: "get_stats" })));
    busy.socket.resetAndDestroy();
    await stillServes();
  }, 30_000);

  it("answers a bad handshake, a wrong path and a malformed target without harm", async () => {
    // Sends a request and resolves with the answer's head (or what came before the socket closed).
    const exchange = async (request: string) => {
      const socket = await tcp(server.url);
      socket.on("error", () => {});
      let answer = "";
      const head = new Promise<void>((resolve) => {
        socket.on("data", (chunk: Buffer) => {
          answer += chunk.toString();
          if (answer.includes("\r\n\r\n")) resolve();
        });
        socket.once("close", () => resolve());
      });
      socket.write(request);
      await head;
      socket.destroy();
      return answer;
    };
    expect(await exchange(handshakeRequest("/api/v1/elsewhere"))).toMatch(/^HTTP\/1\.1 404/);
    expect(
      await exchange(handshakeRequest("/api/v1/ws").replace(/Sec-WebSocket-Key: .*\r\n/, "Sec-WebSocket-Key: x\r\n")),
    ).toMatch(/^HTTP\/1\.1 400/);
    expect(await exchange(handshakeRequest("/api/v1/ws").replace("GET", "POST"))).toMatch(/^HTTP\/1\.1 405/);
    const malformed = handshakeRequest("/api/v1/ws").replace("GET /api/v1/ws", "GET http://[::1");
    expect(await exchange(malformed)).toMatch(/^HTTP\/1\.1 (400|404)/);
    const badQuery = handshakeRequest("/api/v1/ws?token=%E0%A4%A&token=%ZZ");
    const ws = await exchange(badQuery);
    expect(ws).toMatch(/^HTTP\/1\.1 101/);
    await stillServes();
  }, 30_000);

  it("survives a burst of mixed faults sent at once on many connections", async () => {
    const sockets = await Promise.all(
      faults.flatMap((fault) =>
        [{}, { "X-API-Key": KEY }].map(async (credentials) => {
          const ws = await rawWebSocket(server.wsUrl, credentials);
          for (const bytes of fault.bytes()) ws.write(bytes);
          return ws;
        }),
      ),
    );
    const codes = await Promise.all(sockets.map((ws) => ws.closed));
    for (const ws of sockets) ws.socket.destroy();
    expect(codes.every((code) => code !== null && code >= 1002 && code <= 1009)).toBe(true);
    await stillServes();
  }, 30_000);
});
