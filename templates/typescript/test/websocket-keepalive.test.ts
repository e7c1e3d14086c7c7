// The WebSocket client's keep-alive for protocols without heartbeats: a socket that can ping (the
// `ws` package's shape) is pinged after a silence and dropped when the pong does not come; a
// WHATWG WebSocket (Node's global one here, against a real server that goes silent) cannot ping,
// so the same silence drops it. Every wait is for an event (a ping, a new connection).
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  type PingableWebSocket,
  ReconnectingWebSocket,
  type ReconnectingWebSocketOptions,
  type WebSocketLike,
} from "../runtime/src/index.ts";

type Message = { type: string; [key: string]: unknown };
type Listener = (event: never) => void;

/** Resolves `wait(n)` once `count` reaches n. */
class Counter {
  count = 0;
  #waiters: { n: number; resolve: () => void }[] = [];
  add(): void {
    this.count++;
    for (const w of this.#waiters.filter((x) => x.n <= this.count)) w.resolve();
    this.#waiters = this.#waiters.filter((x) => x.n > this.count);
  }
  wait(n: number): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }
}

/** A socket double with `ws`'s ping API; `answering` decides whether pings get their pong. */
class PingingSocket implements PingableWebSocket {
  readyState = 0;
  closedWith: number | undefined;
  readonly #listeners = new Map<string, Listener[]>();
  readonly #pongs: (() => void)[] = [];
  readonly answering: boolean;
  readonly pings: Counter;
  constructor(answering: boolean, pings: Counter) {
    this.answering = answering;
    this.pings = pings;
  }
  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  on(_event: "pong", listener: () => void): this {
    this.#pongs.push(listener);
    return this;
  }
  ping(): void {
    this.pings.add();
    if (!this.answering) return;
    queueMicrotask(() => {
      for (const pong of this.#pongs) pong();
    });
  }
  send(): void {}
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    for (const l of this.#listeners.get("open") ?? []) (l as (e: unknown) => void)({});
  }
}

const PROTOCOL = {
  welcomeType: "welcome",
  subscribeType: "subscribe",
  lastEventIdField: "last_event_id",
  eventId: () => undefined,
} as const;

function client(
  createWebSocket: ReconnectingWebSocketOptions<Message, Message>["createWebSocket"],
  overrides: Partial<ReconnectingWebSocketOptions<Message, Message>>,
) {
  const logs: string[] = [];
  const ws = new ReconnectingWebSocket<Message, Message>({
    url: "ws://h.test/ws",
    protocol: PROTOCOL,
    createWebSocket,
    initialReconnectDelayMs: 1,
    random: () => 0,
    logger: { info: (m: string) => logs.push(m) },
    ...overrides,
  });
  return { ws, logs };
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

describe("ReconnectingWebSocket keep-alive without heartbeats", () => {
  it("pings a quiet connection and keeps it while the pongs come", async () => {
    const pings = new Counter();
    const sockets: PingingSocket[] = [];
    const { ws } = client(
      () => {
        const s = new PingingSocket(true, pings);
        sockets.push(s);
        queueMicrotask(() => s.open());
        return s;
      },
      // A generous pong timeout: only a dead peer, not a busy machine, may drop it.
      { pingIntervalMs: 5, pongTimeoutMs: 5_000 },
    );
    closers.push(() => ws.close());
    ws.connect();
    await pings.wait(3);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.closedWith).toBeUndefined();
    expect(ws.connected).toBe(true);
  });

  it("drops a connection whose ping goes unanswered and reconnects", async () => {
    const pings = new Counter();
    const opened = new Counter();
    const sockets: PingingSocket[] = [];
    const { ws, logs } = client(
      () => {
        const s = new PingingSocket(false, pings);
        sockets.push(s);
        opened.add();
        queueMicrotask(() => s.open());
        return s;
      },
      { pingIntervalMs: 5, pongTimeoutMs: 20 },
    );
    closers.push(() => ws.close());
    ws.connect();
    await opened.wait(2);
    expect(pings.count).toBeGreaterThanOrEqual(1);
    expect(sockets[0]?.closedWith).toBe(4000);
    expect(logs.some((l) => l.includes("did not answer a ping"))).toBe(true);
  });

  it("drops a silent connection of Node's WebSocket (no ping API) and reconnects", async () => {
    const server = await silentServer();
    closers.push(() => server.close());
    const { ws, logs } = client(undefined, {
      url: server.url,
      pingIntervalMs: 20,
      pongTimeoutMs: 20,
    });
    closers.push(() => ws.close());
    const messages: Message[] = [];
    const reading = (async () => {
      for await (const m of ws) messages.push(m);
    })();
    await server.connections.wait(2);
    ws.close();
    await reading;
    expect(messages.map((m) => m.type)).toContain("welcome");
    expect(logs.some((l) => l.includes("went silent"))).toBe(true);
  });
});

/** A WebSocket server that welcomes each connection, then neither reads nor writes again. */
async function silentServer(): Promise<{ url: string; connections: Counter; close: () => void }> {
  const connections = new Counter();
  const open: Socket[] = [];
  const server: Server = createServer();
  server.on("upgrade", (request, socket: Socket) => {
    open.push(socket);
    const key = String(request.headers["sec-websocket-key"]);
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const payload = Buffer.from(JSON.stringify({ type: "welcome" }));
    socket.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload])); // FIN + text, < 126 bytes
    socket.pause(); // half-open from the client's side: nothing read, nothing answered
    connections.add();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  return {
    url: `ws://127.0.0.1:${address.port}/ws`,
    connections,
    close: () => {
      for (const s of open) s.destroy();
      server.close();
    },
  };
}

// The double satisfies what the client needs of a socket.
const _typecheck: WebSocketLike = new PingingSocket(true, new Counter());
void _typecheck;
