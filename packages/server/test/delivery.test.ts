// Issue 9, item 4: lossless, ordered delivery through real server processes. Concurrent writers
// go through every instance at once; SSE and WebSocket subscribers on every instance must each
// receive the project's stored log exactly: 0 lost, 0 duplicated, 0 out of order. Then: many
// subscribers that stop reading never hold up a writer, and are cut off as slow consumers.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PgStore } from "../src/store/postgres/pg-store.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import type { Store, StoredEvent } from "../src/store/types.ts";
import { type ServerProcess, startServerProcess } from "./fixtures/server-process.ts";
import { compareWithLog, type Subscriber, sseSubscriber, wsSubscriber } from "./fixtures/subscribers.ts";

const KEY = "delivery-test-key-0123456789";
const PROJECT = "p";
// One key secret for every instance: they share the database and its key hashes.
const env = {
  API_KEYS: `${PROJECT}=${KEY}`,
  API_KEY_SECRET: "delivery-test-secret-0123456789abcdef",
  RATE_LIMIT: "1000000/1000000",
};
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(extra: Record<string, string> = {}, dataDir?: string): Promise<ServerProcess> {
  const server = await startServerProcess({ ...env, ...extra }, dataDir);
  cleanups.push(() => server.stop());
  return server;
}

async function call(server: ServerProcess, method: string, path: string, body: unknown): Promise<{ id: string }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      "X-API-Key": KEY,
      "Content-Type": method === "PATCH" ? "application/merge-patch+json" : "application/json",
    },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string };
}

/** `writers` concurrent writers, each creating a sequence and renaming it, alternating instances. */
async function write(servers: readonly ServerProcess[], writers: number, perWriter: number): Promise<number> {
  let acknowledged = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const via = (i: number) => servers[(w + i) % servers.length] as ServerProcess;
      const { id } = await call(via(0), "POST", "/api/v1/sequences", { name: `w${w}` });
      acknowledged++;
      for (let i = 1; i < perWriter; i++) {
        await call(via(i), "PATCH", `/api/v1/sequences/${id}`, { name: `w${w}-${i}` });
        acknowledged++;
      }
    }),
  );
  return acknowledged;
}

async function storedLog(store: Store): Promise<StoredEvent[]> {
  const log: StoredEvent[] = [];
  for (;;) {
    const batch = await store.eventsFrom(PROJECT, log.length, 1000);
    if (batch.length === 0) return log;
    log.push(...batch);
  }
}

/** Two SSE and two WebSocket subscribers on each instance, all live before the first write. */
async function subscribeEverywhere(servers: readonly ServerProcess[]): Promise<Subscriber[]> {
  const subscribers = servers.flatMap((s) => [
    sseSubscriber(s.url, KEY),
    sseSubscriber(s.url, KEY),
    wsSubscriber(s.wsUrl, KEY),
    wsSubscriber(s.wsUrl, KEY),
  ]);
  for (const s of subscribers) cleanups.push(() => s.close());
  await Promise.all(subscribers.map((s) => s.ready));
  return subscribers;
}

async function expectExactDelivery(subscribers: Subscriber[], log: StoredEvent[]) {
  await Promise.all(subscribers.map((s) => s.until(log.length)));
  // A moment for anything extra (a duplicate) to arrive: one more write's worth of round trip.
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const [i, s] of subscribers.entries()) {
    expect({ subscriber: `${s.kind} #${i}`, ...compareWithLog(s.events, log) }).toEqual({
      subscriber: `${s.kind} #${i}`,
      lost: 0,
      duplicated: 0,
      outOfOrder: 0,
      wrongId: 0,
    });
    expect(s.events).toHaveLength(log.length);
  }
}

describe("delivery on one SQLite server", () => {
  it("gives every SSE and WebSocket subscriber the stored log exactly, with concurrent writers", async () => {
    const server = await start();
    const subscribers = await subscribeEverywhere([server]);
    const acknowledged = await write([server], 8, 50);
    const store = new SqliteStore(`${server.dataDir}/tka.db`);
    cleanups.push(() => store.close());
    const log = await storedLog(store);
    expect(log).toHaveLength(acknowledged);
    await expectExactDelivery(subscribers, log);
  }, 120_000);

  it("acknowledges writes while a hundred subscribers stop reading, and cuts those off as slow", async () => {
    const server = await start({ EVENT_SEND_BUFFER: String(64 * 1024) });
    const paused = Array.from({ length: 100 }, () => wsSubscriber(server.wsUrl, KEY));
    const reading = [wsSubscriber(server.wsUrl, KEY), sseSubscriber(server.url, KEY)];
    for (const s of [...paused, ...reading]) cleanups.push(() => s.close());
    await Promise.all([...paused, ...reading].map((s) => s.ready));
    for (const s of paused) s.ws?.pause();
    // Large events fill the paused connections' buffers quickly.
    const { id } = await call(server, "POST", "/api/v1/sequences", { name: "big" });
    const padding = "x".repeat(20_000);
    let acknowledged = 1;
    const slow = (l: Record<string, unknown>) => l.msg === "websocket slow consumer closed";
    while (server.logs().filter(slow).length < paused.length && acknowledged < 3_000) {
      await call(server, "PATCH", `/api/v1/sequences/${id}`, { metadata: { padding, n: acknowledged } });
      acknowledged++;
    }
    // Every write was acknowledged, every paused subscriber was cut off, the readers have everything.
    expect(server.logs().filter(slow)).toHaveLength(paused.length);
    for (const s of paused) s.ws?.resume();
    // A paused peer reads the 4009 close frame once it resumes, unless it stayed paused past the
    // server's grace period (5 s, easily reached on a loaded machine while the loop above still
    // writes): then the server dropped the connection (1006). Either way it was cut off as slow.
    const codes = await Promise.all(paused.map((s) => s.ended));
    expect(codes.filter((c) => c !== 4009 && c !== 1006)).toEqual([]);
    await Promise.all(reading.map((s) => s.until(acknowledged)));
    for (const s of reading) expect(s.events.map((e) => e.position)).toEqual(range(acknowledged));
  }, 180_000);
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("slow SSE consumers", () => {
  it("ends a stream that stops reading with an error event, and a resume from its last id misses nothing", async () => {
    const server = await start({ EVENT_SEND_BUFFER: String(64 * 1024) });
    const { id } = await call(server, "POST", "/api/v1/sequences", { name: "big" });
    const response = await fetch(`${server.url}/api/v1/events`, {
      headers: { "X-API-Key": KEY, "Last-Event-ID": "evt_0000000000000000" },
    });
    expect(response.status).toBe(200);
    // Not read for now: the writes below fill the stream's buffers until the server gives up.
    const slowCount = async () => {
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      return Number(/tka_event_slow_consumers_total\{transport="sse"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    };
    const padding = "x".repeat(20_000);
    let acknowledged = 1;
    while ((await slowCount()) === 0 && acknowledged < 3_000) {
      await call(server, "PATCH", `/api/v1/sequences/${id}`, { metadata: { padding, n: acknowledged } });
      acknowledged++;
    }
    expect(await slowCount()).toBe(1);
    // Now read: events in order, then the error event, then the end of the stream.
    const text = await response.text();
    const blocks = text.split("\n\n").filter((b) => b.startsWith("event: "));
    const last = blocks[blocks.length - 1] as string;
    expect(last).toMatch(/^event: error\ndata: \{"type":"error","code":"SLOW_CONSUMER"/);
    const ids = blocks.slice(0, -1).map((b) => /^id: (.*)$/m.exec(b)?.[1] as string);
    const positions = blocks
      .slice(0, -1)
      .map((b) => (JSON.parse(/^data: (.*)$/m.exec(b)?.[1] ?? "") as { position: number }).position);
    expect(positions).toEqual(range(positions.length));
    // Resume: the rest, each once, in order.
    const resumed = sseSubscriber(server.url, KEY, ids[ids.length - 1]);
    cleanups.push(() => resumed.close());
    await resumed.until(acknowledged - positions.length);
    expect(resumed.events.map((e) => e.position)).toEqual(range(acknowledged).slice(positions.length));
  }, 120_000);
});

const pgUrl = process.env.TKA_TEST_DATABASE_URL;
describe.runIf(pgUrl !== undefined || process.env.CI === "true")("delivery on two PostgreSQL instances", () => {
  it("gives every subscriber on both instances the stored log exactly, with writers through both", async () => {
    if (pgUrl === undefined) throw new Error("CI=true but TKA_TEST_DATABASE_URL is not set");
    const database = `tka_delivery_${randomBytes(6).toString("hex")}`;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await admin(`CREATE DATABASE ${database}`);
    cleanups.push(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    const url = new URL(pgUrl);
    url.pathname = `/${database}`;
    // Instances of one database share the key secret.
    const shared = { DATABASE_URL: url.href, API_KEY_SECRET: randomBytes(24).toString("hex") };
    const a = await start(shared);
    const b = await start(shared);
    const subscribers = await subscribeEverywhere([a, b]);
    const acknowledged = await write([a, b], 8, 50);
    const store = await PgStore.connect(url.href);
    cleanups.push(() => store.close());
    const log = await storedLog(store);
    expect(log).toHaveLength(acknowledged);
    await expectExactDelivery(subscribers, log);
    // A second round while the subscribers keep going: still exact across both instances.
    const more = await write([b, a], 4, 25);
    const full = await storedLog(store);
    expect(full).toHaveLength(acknowledged + more);
    await expectExactDelivery(subscribers, full);
  }, 180_000);
});
