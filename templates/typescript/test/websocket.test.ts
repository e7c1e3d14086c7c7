import { describe, expect, it, vi } from "vitest";
import {
  APIConnectionError,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  ReconnectingWebSocket,
  type ReconnectingWebSocketOptions,
  toWebSocketURL,
  WebSocketClosedError,
  type WebSocketLike,
} from "../runtime/src/index.ts";

type Client =
  | { type: "auth"; token: string }
  | { type: "subscribe"; event_types?: string[]; last_event_id?: string }
  | { type: "ping"; request_id?: string };
type Server =
  | { type: "welcome"; heartbeat_interval_ms: number }
  | { type: "heartbeat" }
  | { type: "event"; event: { id: string; type: string } }
  | { type: string; [key: string]: unknown };

type Listener = (event: never) => void;

/** A WebSocket double driven by the test as "the server". */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: unknown[] = [];
  closedWith: number | undefined;
  readonly #listeners = new Map<string, Listener[]>();
  readonly url: string;
  constructor(url: string) {
    this.url = url;
  }
  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  #emit(type: string, event: unknown): void {
    for (const l of this.#listeners.get(type) ?? []) (l as (e: unknown) => void)(event);
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error("not open");
    this.sent.push(JSON.parse(data));
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
    setTimeout(() => this.#emit("close", { code: code ?? 1005, reason: "" }), 0);
  }
  // server side
  open(): void {
    this.readyState = 1;
    this.#emit("open", {});
  }
  push(message: unknown): void {
    this.#emit("message", { data: typeof message === "string" ? message : JSON.stringify(message) });
  }
  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.#emit("close", { code, reason });
  }
}

function setup(overrides: Partial<ReconnectingWebSocketOptions<Client, Server>> = {}) {
  const sockets: FakeSocket[] = [];
  const logs: string[] = [];
  const ws = new ReconnectingWebSocket<Client, Server>({
    url: "ws://h.test/v1/ws",
    createWebSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    protocol: {
      welcomeType: "welcome",
      heartbeatType: "heartbeat",
      subscribeType: "subscribe",
      lastEventIdField: "last_event_id",
      eventId: (m) => (m.type === "event" ? (m as { event: { id: string } }).event.id : undefined),
    },
    onOpen: (send) => send({ type: "auth", token: "tok" }),
    initialReconnectDelayMs: 1,
    random: () => 0,
    logger: { info: (m: string) => logs.push(m) },
    ...overrides,
  });
  return { ws, sockets, logs };
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));
const welcome = { type: "welcome", heartbeat_interval_ms: 30000 };
const event = (id: string) => ({ type: "event", event: { id, type: "beat.added" }, unknown_field: true });

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await tick(2);
  expect(cond()).toBe(true);
}

describe("ReconnectingWebSocket", () => {
  it("resubscribes with last_event_id after a drop, skips duplicates, ends on 4001 with a typed error", async () => {
    const { ws, sockets } = setup();
    ws.send({ type: "subscribe", event_types: ["beat.added"] });
    ws.send({ type: "ping", request_id: "p1" }); // queued until open
    const got: Server[] = [];
    const run = (async () => {
      for await (const m of ws) got.push(m);
    })().catch((e: unknown) => e);

    const s1 = sockets[0] as FakeSocket;
    s1.open();
    expect(s1.sent).toEqual([
      { type: "auth", token: "tok" },
      { type: "subscribe", event_types: ["beat.added"] },
      { type: "ping", request_id: "p1" },
    ]);
    s1.push(welcome);
    s1.push(event("1"));
    s1.push(event("2"));
    s1.push({ type: "heartbeat" });
    s1.push("not json"); // ignored
    s1.drop(1006);

    await until(() => sockets.length === 2);
    const s2 = sockets[1] as FakeSocket;
    s2.open();
    expect(s2.sent).toEqual([
      { type: "auth", token: "tok" },
      { type: "subscribe", event_types: ["beat.added"], last_event_id: "2" },
    ]);
    s2.push(welcome);
    s2.push(event("2")); // already delivered: skipped
    s2.push(event("3"));
    s2.push({ type: "future_message", x: 1 }); // unknown types pass through
    s2.drop(4001, "unauthenticated");

    const err = await run;
    expect(err).toBeInstanceOf(WebSocketClosedError);
    expect((err as WebSocketClosedError).code).toBe(4001);
    expect((err as WebSocketClosedError).reason).toBe("unauthenticated");
    expect(
      got.map((m) => (m.type === "event" ? `event:${(m as { event: { id: string } }).event.id}` : m.type)),
    ).toEqual(["welcome", "event:1", "event:2", "heartbeat", "welcome", "event:3", "future_message"]);
    expect(ws.lastEventId).toBe("3");
    expect(ws.lastHeartbeatAt).toBeTypeOf("number");
    expect(sockets).toHaveLength(2);
  });

  it("4003 is final too; other codes reconnect", async () => {
    const { ws, sockets } = setup();
    const run = (async () => {
      for await (const _ of ws) {
        // drain
      }
    })().catch((e: unknown) => e);
    (sockets[0] as FakeSocket).drop(4008);
    await until(() => sockets.length === 2);
    (sockets[1] as FakeSocket).drop(4003, "origin");
    expect(((await run) as WebSocketClosedError).code).toBe(4003);
  });

  it("backs off doubling to the cap, and resets after welcome", async () => {
    const { ws, sockets, logs } = setup({ initialReconnectDelayMs: 2, maxReconnectDelayMs: 5 });
    ws.connect();
    for (let i = 1; i <= 4; i++) {
      (sockets[i - 1] as FakeSocket).drop(1006);
      await until(() => sockets.length === i + 1);
    }
    const s5 = sockets[4] as FakeSocket;
    s5.open();
    s5.push(welcome);
    s5.drop(1006);
    await until(() => sockets.length === 6);
    ws.close();
    expect(logs.map((l) => Number(/in (\d+) ms/.exec(l)?.[1]))).toEqual([2, 4, 5, 5, 2]);
  });

  it("gives up after maxReconnects with APIConnectionError", async () => {
    const { ws, sockets } = setup({ maxReconnects: 1 });
    const run = (async () => {
      for await (const _ of ws) {
        // drain
      }
    })().catch((e: unknown) => e);
    (sockets[0] as FakeSocket).drop(1006);
    await until(() => sockets.length === 2);
    (sockets[1] as FakeSocket).drop(1006);
    expect(await run).toBeInstanceOf(APIConnectionError);
  });

  it("close() ends iteration cleanly and closes the socket; breaking the loop closes too", async () => {
    const { ws, sockets } = setup();
    const got: string[] = [];
    const run = (async () => {
      for await (const m of ws) {
        got.push(m.type);
        ws.close();
      }
    })();
    const s = sockets[0] as FakeSocket;
    s.open();
    s.push(welcome);
    await expect(run).resolves.toBeUndefined();
    expect(got).toEqual(["welcome"]);
    expect(s.closedWith).toBe(1000);
    expect(() => ws.send({ type: "ping" })).toThrow(/closed/);

    const second = setup();
    second.ws.connect();
    const s2 = second.sockets[0] as FakeSocket;
    s2.open();
    s2.push(welcome);
    for await (const _ of second.ws) break;
    expect(s2.closedWith).toBe(1000);
  });

  it("a silent connection is dropped after the heartbeat timeout read from welcome, then resumed", async () => {
    const { ws, sockets } = setup({
      heartbeatTimeoutMs: (m) => 2 * ((m as { heartbeat_interval_ms?: number }).heartbeat_interval_ms ?? 0),
    });
    ws.connect();
    const s1 = sockets[0] as FakeSocket;
    s1.open();
    s1.push({ type: "welcome", heartbeat_interval_ms: 5 });
    await until(() => sockets.length === 2);
    expect(s1.closedWith).toBe(4000);
    ws.close();
  });

  it("with heartbeats but no interval in the welcome, a connection silent for the default timeout is dropped and resumed", async () => {
    vi.useFakeTimers();
    try {
      const { ws, sockets } = setup();
      ws.connect();
      const s1 = sockets[0] as FakeSocket;
      s1.open();
      s1.push({ type: "welcome" });
      await vi.advanceTimersByTimeAsync(DEFAULT_HEARTBEAT_TIMEOUT_MS - 1_000);
      s1.push({ type: "heartbeat" }); // any frame restarts the silence
      await vi.advanceTimersByTimeAsync(DEFAULT_HEARTBEAT_TIMEOUT_MS - 1_000);
      expect(s1.closedWith).toBeUndefined();
      await vi.advanceTimersByTimeAsync(2_000);
      expect(s1.closedWith).toBe(4000);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(sockets).toHaveLength(2);
      ws.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it("builds ws:// URLs from http:// ones", () => {
    expect(toWebSocketURL("https://a.test/api/v1/ws?x=1")).toBe("wss://a.test/api/v1/ws?x=1");
    expect(toWebSocketURL("http://127.0.0.1:8080/ws")).toBe("ws://127.0.0.1:8080/ws");
  });
});
