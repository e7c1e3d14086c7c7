import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { eventTestbed } from "./testing.ts";
import { WebSocketHub } from "./websocket.ts";
import { attachWebSocketEndpoint } from "./ws-server.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  options: { authenticate?: (token: string) => Promise<{ projectId: string } | null>; sendBufferBytes?: number } = {},
) {
  const { store, dispatcher, service } = eventTestbed();
  const logs: Record<string, unknown>[] = [];
  const hub = new WebSocketHub({
    store,
    dispatcher,
    ...(options.sendBufferBytes !== undefined ? { sendBufferBytes: options.sendBufferBytes } : {}),
    authenticate: options.authenticate ?? (async (token) => (token === "good" ? { projectId: "p" } : null)),
    allowedOrigins: ["http://allowed.test"],
    log: (line) => logs.push(line),
  });
  const server: Server = createServer();
  const endpoint = attachWebSocketEndpoint(server, { hub, maxMessageBytes: 4096 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => store.close());
  cleanups.push(() => dispatcher.close());
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  cleanups.push(() => endpoint.closeAll(1001, "test over"));
  const port = (server.address() as AddressInfo).port;
  return { service, hub, store, logs, url: `ws://127.0.0.1:${port}/api/v1/ws` };
}

/** A client that collects messages and lets a test wait for the next one of a type. */
function connect(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  cleanups.push(() => ws.close());
  const messages: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  ws.on("message", (data) => {
    messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  async function next(type: string): Promise<Record<string, unknown>> {
    for (;;) {
      const index = messages.findIndex((m) => m.type === type);
      if (index >= 0) return messages.splice(index, 1)[0] as Record<string, unknown>;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }
  const send = async (message: unknown) => {
    if (ws.readyState !== ws.OPEN) await new Promise((resolve) => ws.once("open", resolve));
    ws.send(typeof message === "string" ? message : JSON.stringify(message));
  };
  return { ws, next, send, closed, messages };
}

describe("WebSocket protocol", () => {
  it("welcomes, authenticates by query, subscribes with filters and delivers events", async () => {
    const { service, url } = await setup();
    const client = connect(`${url}?token=good`);
    expect(await client.next("welcome")).toMatchObject({ authenticated: true, heartbeat_interval_ms: 30000 });
    await client.send({ type: "subscribe", request_id: "s1", event_types: ["beat.added"] });
    expect(await client.next("subscribed")).toEqual({
      type: "subscribed",
      request_id: "s1",
      event_types: ["beat.added"],
      sequence_ids: [],
      resumed_after: null,
    });
    const seq = await service.create({ projectId: "p" }, { name: "A" });
    await service.addBeat({ projectId: "p" }, seq.id, { letter: "Q" });
    const event = await client.next("event");
    expect(event.event).toMatchObject({ type: "beat.added", sequence_id: seq.id, data: { beat: { letter: "Q" } } });
  });

  it("answers ping, stats, bad JSON and unknown types without dropping the connection", async () => {
    const { url } = await setup();
    const client = connect(url, { "X-API-Key": "good" });
    await client.next("welcome");
    await client.send("{not json");
    expect(await client.next("error")).toMatchObject({ code: "INVALID_JSON" });
    await client.send({ type: "dance", request_id: "d" });
    expect(await client.next("error")).toMatchObject({ code: "UNKNOWN_MESSAGE_TYPE", request_id: "d" });
    await client.send({ type: "ping", request_id: "p1" });
    expect(await client.next("pong")).toMatchObject({ request_id: "p1" });
    await client.send({ type: "get_stats" });
    expect(await client.next("stats")).toMatchObject({ connections: 1, events_sent: 0 });
  });

  it("authenticates with a first auth message, and closes 4001 on a bad token", async () => {
    const { url } = await setup();
    const client = connect(url);
    expect(await client.next("welcome")).toMatchObject({ authenticated: false });
    await client.send({ type: "subscribe" });
    expect(await client.next("error")).toMatchObject({ code: "UNAUTHENTICATED" });
    await client.send({ type: "auth", token: "good", request_id: "a" });
    expect(await client.next("authenticated")).toEqual({ type: "authenticated", request_id: "a" });
    const bad = connect(`${url}?token=bad`);
    expect(await bad.closed).toBe(4001);
  });

  it("closes 4003 for a forbidden origin", async () => {
    const { url } = await setup();
    const client = connect(`${url}?token=good`, { Origin: "http://evil.test" });
    expect(await client.closed).toBe(4003);
  });

  it("resumes after a last event id, in order, then continues live", async () => {
    const { service, url } = await setup();
    const caller = { projectId: "p" };
    const seq = await service.create(caller, { name: "A" });
    const missed = await service.update(caller, seq.id, { name: "B" });
    await service.update(caller, seq.id, { name: "C" });
    const client = connect(`${url}?token=good`);
    await client.next("welcome");
    // Resume from the creation event: the two renames are replayed, then a live one follows.
    await client.send({ type: "subscribe", last_event_id: "evt_0000000000000001" });
    await client.next("subscribed");
    const names: string[] = [];
    for (let i = 0; i < 2; i++)
      names.push(((await client.next("event")).event as { data: { sequence: { name: string } } }).data.sequence.name);
    await service.update(caller, seq.id, { name: "D" });
    names.push(((await client.next("event")).event as { data: { sequence: { name: string } } }).data.sequence.name);
    expect(names).toEqual(["B", "C", "D"]);
    expect(missed.version).toBe(2);
  });

  it("answers EVENTS_EXPIRED to a resume from a pruned event, and keeps the connection", async () => {
    const { service, store, url } = await setup();
    const seq = await service.create({ projectId: "p" }, { name: "A" });
    await service.update({ projectId: "p" }, seq.id, { name: "B" });
    const [first] = await store.eventsAfter("p", null, 1);
    await store.pruneEvents({ olderThan: "2999-01-01T00:00:00.000Z" });
    const client = connect(`${url}?token=good`);
    await client.next("welcome");
    await client.send({ type: "subscribe", request_id: "r", last_event_id: first?.id });
    expect(await client.next("error")).toMatchObject({ code: "EVENTS_EXPIRED", request_id: "r" });
    await client.send({ type: "ping", request_id: "still" });
    expect(await client.next("pong")).toMatchObject({ request_id: "still" });
  });

  it("closes 1009 on a message over the configured limit and logs it with the request id", async () => {
    const { url, logs } = await setup();
    const client = connect(`${url}?token=good`, { "X-Request-Id": "big-one" });
    await client.next("welcome");
    await client.send(JSON.stringify({ type: "ping", padding: "x".repeat(5000) }));
    expect(await client.closed).toBe(1009);
    expect(logs).toContainEqual(expect.objectContaining({ request_id: "big-one", close_code: 1009 }));
  });

  it("closes 1011 when authentication fails unexpectedly (the database is down), and nothing escapes", async () => {
    const { url, logs } = await setup({
      authenticate: async () => {
        throw new Error("database unavailable");
      },
    });
    const client = connect(url, { "X-Request-Id": "db-down" });
    await client.next("welcome");
    await client.send({ type: "auth", token: "anything" });
    expect(await client.closed).toBe(1011);
    expect(logs).toContainEqual(expect.objectContaining({ request_id: "db-down", close_code: 1011 }));
    const atConnect = connect(`${url}?token=x`);
    expect(await atConnect.closed).toBe(1011);
  });

  it("refuses a malformed or unknown resume id with a typed error and keeps the current subscription", async () => {
    const { service, url } = await setup();
    const caller = { projectId: "p" };
    const seq = await service.create(caller, { name: "A" });
    const client = connect(`${url}?token=good`);
    await client.next("welcome");
    await client.send({ type: "subscribe", request_id: "live" });
    await client.next("subscribed");
    for (const [id, code] of [
      ["", "INVALID_EVENT_ID"],
      ["evt_1", "INVALID_EVENT_ID"],
      ["evt_9999999999999999", "UNKNOWN_EVENT_ID"],
      ["evt_0000000000000099", "UNKNOWN_EVENT_ID"],
    ] as const) {
      await client.send({
        type: "subscribe",
        request_id: id || "empty",
        last_event_id: id,
        event_types: ["beat.added"],
      });
      expect(await client.next("error")).toMatchObject({ code, request_id: id || "empty" });
    }
    // The unfiltered subscription is still the one in force.
    await service.update(caller, seq.id, { name: "B" });
    expect(await client.next("event")).toMatchObject({ event: { type: "sequence.updated", position: 2 } });
    expect(client.messages.filter((m) => m.type === "subscribed")).toHaveLength(0);
  });

  it("closes a subscriber that stops reading with 4009, and a resume from its last id misses nothing", async () => {
    const { service, url, logs } = await setup({ sendBufferBytes: 64 * 1024 });
    const caller = { projectId: "p" };
    const seq = await service.create(caller, { name: "A" });
    const slow = connect(`${url}?token=good`);
    await slow.next("welcome");
    await slow.send({ type: "subscribe" });
    await slow.next("subscribed");
    const received: { id: string; position: number }[] = [];
    slow.ws.on("message", (data) => {
      const m = JSON.parse(data.toString()) as { type: string; event?: { id: string; position: number } };
      if (m.type === "event" && m.event) received.push(m.event);
    });
    slow.ws.pause(); // stops reading: the kernel buffers fill, then the server's
    const padding = "x".repeat(30_000);
    let writes = 0;
    const isSlowLine = (l: Record<string, unknown>) => l.msg === "websocket slow consumer closed";
    // Writes go on (and are acknowledged) until the server gives up on the reader.
    while (!logs.some(isSlowLine) && writes < 5_000) {
      await service.update(caller, seq.id, { metadata: { padding, n: writes++ } });
      await new Promise((resolve) => setImmediate(resolve));
    }
    slow.ws.resume();
    expect(await slow.closed).toBe(4009);
    // Resume from the last event the client saw: every later event arrives, once, in order.
    const last = received[received.length - 1];
    const again = connect(`${url}?token=good`);
    await again.next("welcome");
    await again.send({ type: "subscribe", last_event_id: last?.id });
    await again.next("subscribed");
    const total = writes + 1;
    const rest: number[] = [];
    while ((last?.position ?? 0) + rest.length < total) {
      rest.push(((await again.next("event")).event as { position: number }).position);
    }
    // Live from after the creation (position 1): positions 2 to the last write, each once.
    expect([...received.map((e) => e.position), ...rest]).toEqual(Array.from({ length: total - 1 }, (_, i) => i + 2));
  }, 60_000);
});
