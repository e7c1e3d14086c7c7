// Issue 9: WebSocket delivery from child processes (DELIVERY_PROCESSES). The sockets live in the
// children; the server keeps the protocol, resumes and ordering. Asserted through real
// processes: every subscriber (unfiltered, filtered, resumed) gets the stored log exactly; a
// subscriber that stops reading is cut off with 4009 by its child while writes go on; a child
// that dies closes its connections (1006), the server keeps serving and starts another, and a
// resume from the last event id misses nothing; a child that stops taking its events is killed
// and replaced the same way.
import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import type { StoredEvent } from "../src/store/types.ts";
import { type ServerProcess, startServerProcess } from "./fixtures/server-process.ts";
import { compareWithLog, wsSubscriber } from "./fixtures/subscribers.ts";

const KEY = "delivery-procs-test-key-0123456789";
const PROJECT = "p";
const env = { API_KEYS: `${PROJECT}=${KEY}`, RATE_LIMIT: "1000000/1000000", DELIVERY_PROCESSES: "2" };
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(extra: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ ...env, ...extra });
  cleanups.push(() => server.stop());
  // Every child running before the first connection.
  const children = Number(extra.DELIVERY_PROCESSES ?? env.DELIVERY_PROCESSES);
  for (let i = 0; server.logs().filter((l) => l.msg === "delivery process started").length < children && i < 600; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return server;
}

const childPids = (server: ServerProcess): number[] =>
  execFileSync("ps", ["-o", "pid=", "--ppid", String(server.child.pid)], { encoding: "utf8" })
    .split("\n")
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);

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

async function storedLog(server: ServerProcess): Promise<StoredEvent[]> {
  const store = new SqliteStore(`${server.dataDir}/tka.db`);
  try {
    const log: StoredEvent[] = [];
    for (;;) {
      const batch = await store.eventsFrom(PROJECT, log.length, 1000);
      if (batch.length === 0) return log;
      log.push(...batch);
    }
  } finally {
    await store.close();
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("delivery processes", () => {
  it("run as children and give every subscriber the stored log exactly (unfiltered, filtered, resumed)", async () => {
    const server = await start();
    expect(childPids(server)).toHaveLength(2);
    const all = Array.from({ length: 6 }, () => wsSubscriber(server.wsUrl, KEY));
    for (const s of all) cleanups.push(() => s.close());
    await Promise.all(all.map((s) => s.ready));
    const first = await call(server, "POST", "/api/v1/sequences", { name: "first" });
    const filtered = wsSubscriber(server.wsUrl, KEY, { sequence_ids: [first.id] });
    cleanups.push(() => filtered.close());
    await filtered.ready;
    // Concurrent writers; one subscriber joins mid-way with a resume id (replay, then live).
    let resumed: ReturnType<typeof wsSubscriber> | undefined;
    await Promise.all(
      Array.from({ length: 6 }, async (_, w) => {
        const { id } = w === 0 ? first : await call(server, "POST", "/api/v1/sequences", { name: `w${w}` });
        for (let i = 0; i < 40; i++) {
          await call(server, "PATCH", `/api/v1/sequences/${id}`, { name: `w${w}-${i}` });
          if (w === 1 && i === 20) {
            const from = (all[0]?.events[3]?.id ?? "") as string;
            resumed = wsSubscriber(server.wsUrl, KEY, { last_event_id: from });
            cleanups.push(() => resumed?.close());
          }
        }
      }),
    );
    const log = await storedLog(server);
    expect(log).toHaveLength(1 + 5 + 6 * 40);
    await Promise.all(all.map((s) => s.until(log.length)));
    const mine = log.filter((e) => e.sequence_id === first.id).slice(1);
    await filtered.until(mine.length);
    await resumed?.until(log.length - 4);
    // Room for a duplicate to show up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const s of all) {
      expect(compareWithLog(s.events, log)).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0, wrongId: 0 });
      expect(s.events).toHaveLength(log.length);
    }
    expect(filtered.events.map((e) => e.position)).toEqual(mine.map((e) => e.position));
    expect(resumed?.events.map((e) => e.position)).toEqual(range(log.length).slice(4));
    // The server's protocol still answers on a connection a child owns.
    const stats = await new Promise<Record<string, unknown>>((resolve) => {
      all[0]?.ws?.on("message", (data) => {
        const m = JSON.parse(data.toString()) as Record<string, unknown>;
        if (m.type === "stats") resolve(m);
      });
      all[0]?.ws?.send(JSON.stringify({ type: "get_stats" }));
    });
    expect(stats.connections).toBe(8);
    expect(stats.events_sent).toBe(log.length);
  }, 180_000);

  it("cuts off a subscriber that stops reading with 4009 while writes go on; the others get everything", async () => {
    const server = await start({ EVENT_SEND_BUFFER: String(64 * 1024) });
    const paused = Array.from({ length: 20 }, () => wsSubscriber(server.wsUrl, KEY));
    const reading = wsSubscriber(server.wsUrl, KEY);
    for (const s of [...paused, reading]) cleanups.push(() => s.close());
    await Promise.all([...paused, reading].map((s) => s.ready));
    for (const s of paused) s.ws?.pause();
    const { id } = await call(server, "POST", "/api/v1/sequences", { name: "big" });
    const padding = "x".repeat(20_000);
    let acknowledged = 1;
    const slow = (l: Record<string, unknown>) => l.msg === "websocket slow consumer closed";
    while (server.logs().filter(slow).length < paused.length && acknowledged < 3_000) {
      await call(server, "PATCH", `/api/v1/sequences/${id}`, { metadata: { padding, n: acknowledged } });
      acknowledged++;
    }
    expect(server.logs().filter(slow)).toHaveLength(paused.length);
    for (const s of paused) s.ws?.resume();
    const codes = await Promise.all(paused.map((s) => s.ended));
    expect(codes.filter((c) => c !== 4009 && c !== 1006)).toEqual([]);
    await reading.until(acknowledged);
    expect(reading.events.map((e) => e.position)).toEqual(range(acknowledged));
  }, 180_000);

  it("closes a dead child's connections (1006), keeps serving, starts another, and a resume misses nothing", async () => {
    const server = await start();
    const subscribers = Array.from({ length: 4 }, () => wsSubscriber(server.wsUrl, KEY));
    for (const s of subscribers) cleanups.push(() => s.close());
    await Promise.all(subscribers.map((s) => s.ready));
    const { id } = await call(server, "POST", "/api/v1/sequences", { name: "crash" });
    for (let i = 0; i < 10; i++) await call(server, "PATCH", `/api/v1/sequences/${id}`, { name: `n${i}` });
    await Promise.all(subscribers.map((s) => s.until(11)));
    const [victim] = childPids(server);
    process.kill(victim as number, "SIGKILL");
    const ended = await server.waitForLog((l) => l.msg === "delivery process ended");
    expect(ended.signal).toBe("SIGKILL");
    // Its connections (two of four, the least loaded child gets each new one) end without a close frame.
    const closed = await Promise.race([
      Promise.all(subscribers.map((s, i) => s.ended.then((code) => ({ i, code })))).then(() => "all"),
      new Promise((resolve) => setTimeout(resolve, 2_000, "some")),
    ]);
    expect(closed).toBe("some");
    const dead = subscribers.filter((s) => s.ws?.readyState === s.ws?.CLOSED);
    expect(dead.length).toBeGreaterThan(0);
    for (const s of dead) expect(await s.ended).toBe(1006);
    // Writes go on meanwhile; the surviving subscribers keep receiving.
    for (let i = 10; i < 20; i++) await call(server, "PATCH", `/api/v1/sequences/${id}`, { name: `n${i}` });
    const alive = subscribers.filter((s) => !dead.includes(s));
    await Promise.all(alive.map((s) => s.until(21)));
    for (const s of alive) expect(s.events.map((e) => e.position)).toEqual(range(21));
    // Another child is started; the dropped clients resume from their last id and miss nothing.
    await server.waitForLog((l) => l.msg === "delivery process started" && l.pid !== victim && l !== ended);
    for (let i = 0; server.logs().filter((l) => l.msg === "delivery process started").length < 3 && i < 600; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(childPids(server)).toHaveLength(2);
    expect(childPids(server)).not.toContain(victim);
    const again = dead.map((s) => {
      const last = s.events[s.events.length - 1]?.id as string;
      const r = wsSubscriber(server.wsUrl, KEY, { last_event_id: last });
      cleanups.push(() => r.close());
      return { before: s.events.length, r };
    });
    for (const { before, r } of again) {
      await r.until(21 - before);
      expect(r.events.map((e) => e.position)).toEqual(range(21).slice(before));
    }
    expect(server.alive()).toBe(true);
  }, 180_000);

  it("stops a child that does not take its events (256 send buffers behind), closes its connections and starts another", async () => {
    // One child, so every connection is in it; the smallest send buffer makes the limit 16 MiB.
    const server = await start({ DELIVERY_PROCESSES: "1", EVENT_SEND_BUFFER: String(64 * 1024) });
    const subscriber = wsSubscriber(server.wsUrl, KEY);
    cleanups.push(() => subscriber.close());
    await subscriber.ready;
    const { id } = await call(server, "POST", "/api/v1/sequences", { name: "stuck" });
    await subscriber.until(1);
    const [victim] = childPids(server);
    process.kill(victim as number, "SIGSTOP"); // alive, holding its sockets, reading nothing
    cleanups.push(() => {
      try {
        process.kill(victim as number, "SIGKILL");
      } catch {}
    });
    // Near the sequence metadata limit (128 KiB as JSON) in two strings (each at most 100,000).
    const padding = "x".repeat(65_000);
    const stuck = (l: Record<string, unknown>) => l.msg === "delivery process stuck";
    let writes = 0;
    while (!server.logs().some(stuck) && writes < 1_000) {
      await call(server, "PATCH", `/api/v1/sequences/${id}`, { metadata: { a: padding, b: padding, n: writes } });
      writes++;
    }
    const logged = await server.waitForLog(stuck);
    expect(logged.pid).toBe(victim);
    expect(logged.backlog).toBeGreaterThan(16 * 1024 * 1024);
    expect(writes).toBeLessThan(300); // about 16 MiB of events, not an unbounded queue
    const ended = await server.waitForLog((l) => l.msg === "delivery process ended");
    expect(ended.signal).toBe("SIGKILL");
    expect(await subscriber.ended).toBe(1006);
    // A new child serves new connections, and a resume from the last id received misses nothing.
    await server.waitForLog((l) => l.msg === "delivery process started" && l.pid !== victim);
    const last = subscriber.events[subscriber.events.length - 1]?.id as string;
    const resumed = wsSubscriber(server.wsUrl, KEY, { last_event_id: last });
    cleanups.push(() => resumed.close());
    await resumed.until(1 + writes - subscriber.events.length);
    expect(resumed.events.map((e) => e.position)).toEqual(range(1 + writes).slice(subscriber.events.length));
    expect(server.alive()).toBe(true);
  }, 180_000);

  it("keeps a handed-off connection counted against its address (MAX_CONNECTIONS_PER_IP) until it ends", async () => {
    const server = await start({ MAX_CONNECTIONS_PER_IP: "4" });
    /** Opens a WebSocket: its handshake's status (101, or the refusal's). */
    const open = () =>
      new Promise<{ status: number; ws: WebSocket }>((resolve) => {
        const ws = new WebSocket(server.wsUrl, { headers: { "X-API-Key": KEY } });
        ws.on("error", () => {});
        ws.once("upgrade", (response) => resolve({ status: response.statusCode ?? 0, ws }));
        ws.once("unexpected-response", (_request, response) => resolve({ status: response.statusCode ?? 0, ws }));
      });
    const held = [await open(), await open(), await open(), await open()];
    for (const h of held) cleanups.push(() => h.ws.terminate());
    expect(held.map((h) => h.status)).toEqual([101, 101, 101, 101]);
    expect((await open()).status).toBe(429);
    // One ends in its child: its place is free again.
    const closed = new Promise((resolve) => held[0]?.ws.once("close", resolve));
    held[0]?.ws.close();
    await closed;
    let status = 0;
    for (let i = 0; i < 100 && status !== 101; i++) {
      const again = await open();
      cleanups.push(() => again.ws.terminate());
      status = again.status;
      if (status !== 101) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(101);
  }, 60_000);
});
