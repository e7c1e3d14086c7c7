// PostgreSQL that stops answering without going away (a hung server, a network black hole),
// simulated by a TCP proxy in front of the shared cluster that stops forwarding. Every round trip
// is bounded (DATABASE_TIMEOUT): writes queued behind a batch that got no answer fail with it
// (503 + Retry-After) instead of waiting for ever, the circuit opens, later requests fail fast,
// and the API serves again once the database answers. Also: a statement PostgreSQL cancels
// after the bound (a row lock held elsewhere) is a 503 for that request alone.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { buildServer } from "../src/server.ts";
import { PgStore } from "../src/store/postgres/pg-store.ts";
import { type TcpProxy, tcpProxy } from "./fixtures/tcp-proxy.ts";

const KEY = "hang-key-0123456789abcdef";
const sharedUrl = process.env.TKA_TEST_DATABASE_URL;
const pgWanted = sharedUrl !== undefined || process.env.CI === "true";

describe.skipIf(!pgWanted)("PostgreSQL that stops answering", () => {
  const database = `tka_hang_${randomBytes(6).toString("hex")}`;
  let proxy: TcpProxy;
  let proxiedUrl = "";
  let directUrl = "";
  const closers: (() => Promise<void>)[] = [];
  const admin = async <T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    if (sharedUrl === undefined) throw new Error("CI=true but TKA_TEST_DATABASE_URL is not set");
    await admin(sharedUrl, (c) => c.query(`CREATE DATABASE ${database}`));
    const target = new URL(sharedUrl);
    target.pathname = `/${database}`;
    directUrl = target.href;
    proxy = await tcpProxy({ host: target.hostname, port: Number(target.port) });
    target.host = `127.0.0.1:${proxy.port}`;
    proxiedUrl = target.href;
  }, 60_000);
  afterEach(async () => {
    proxy.restore();
    for (const close of closers.splice(0).reverse()) await close();
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    if (sharedUrl) await admin(sharedUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }, 60_000);

  async function setup(timeoutMs: number) {
    const config = loadConfig([], {
      API_KEYS: `p=${KEY}`,
      RATE_LIMIT: "100000/100000",
      DATA_DIR: mkdtempSync(join(tmpdir(), "tka-hang-")),
      DATABASE_URL: proxiedUrl,
      DATABASE_TIMEOUT: String(timeoutMs),
      API_KEY_SECRET: "hang-secret-0123456789abcdef0123456789",
    });
    // The server's log with times, for failure messages (what opened the circuit, and when).
    const started = performance.now();
    const logs: string[] = [];
    const note = (line: string) => logs.push(`${(performance.now() - started).toFixed(0)} ms ${line}`);
    const server = await buildServer(config, (entry) => note(JSON.stringify(entry)));
    closers.push(() => server.store.close().catch(() => {}));
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const started = performance.now();
      const response = await server.app.request(path, {
        method,
        headers: {
          "X-API-Key": KEY,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { response, ms: performance.now() - started };
    };
    const log = () => logs.join("\n");
    // Idle before a test black-holes the database: the first pruning (started in the background)
    // done, so the statements a test sends are the only ones that go out into the silence.
    await server.retention.started;
    note("built, first pruning done");
    expect(server.breaker.state, log()).toBe("closed");
    return { server, call, note, log };
  }

  async function expectUnavailable(response: Response): Promise<void> {
    expect(response.status, await response.clone().text()).toBe(503);
    expect(Number(response.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(await response.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
  }

  it("answers every write 503 + Retry-After within the bound, fails fast after, and serves once it answers", async () => {
    const timeoutMs = 1000;
    const { server, call } = await setup(timeoutMs);
    const created = await call("POST", "/api/v1/sequences", { name: "kept" });
    expect(created.response.status).toBe(201);
    const { id } = (await created.response.json()) as { id: string };

    proxy.blackHole();
    // 100 writes at once (more than one batch holds), 10 with an Idempotency-Key (whose claim is
    // a round trip of its own) and a read: one batch goes out and hears nothing; the rest wait
    // behind it. None may wait for ever, nor one timeout after another.
    const started = performance.now();
    const done = (answer: Promise<{ response: Response; ms: number }>) =>
      answer.then((a) => ({ ...a, at: performance.now() - started }));
    const writes = Array.from({ length: 100 }, (_, i) => done(call("POST", "/api/v1/sequences", { name: `w${i}` })));
    const others = [
      ...Array.from({ length: 10 }, (_, i) =>
        done(call("POST", "/api/v1/sequences", { name: `k${i}` }, { "Idempotency-Key": `hang-${i}` })),
      ),
      done(call("GET", `/api/v1/sequences/${id}`)),
    ];
    const answers = await Promise.all([...writes, ...others]);
    for (const { response } of answers) await expectUnavailable(response);
    const times = (await Promise.all(writes)).map((w) => w.at);
    // The bound is 1 s (+1 s when a statement gets no answer at all). The writes queued behind
    // the first batch fail with it rather than each batch going out into the same silence in
    // turn (batches of 48: three bounds one after another).
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(timeoutMs);
    expect(Math.max(...answers.map((a) => a.at))).toBeLessThan(15_000); // generous for a loaded machine
    expect(server.breaker.state).toBe("open");

    // While it stays silent: every request that needs the database fails at once.
    const fast = await call("POST", "/api/v1/sequences", { name: "refused" });
    await expectUnavailable(fast.response);
    expect(fast.ms).toBeLessThan(1000);
    const ready = await call("GET", "/api/v1/health/ready");
    expect(ready.response.status).toBe(503);
    expect(ready.ms).toBeLessThan(1000);

    proxy.restore();
    const back = performance.now();
    for (;;) {
      const { response } = await call("POST", "/api/v1/sequences", { name: "after" });
      if (response.status === 201) break;
      await expectUnavailable(response);
      expect(performance.now() - back, "serving again after the database answers").toBeLessThan(20_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await call("GET", "/api/v1/health/ready")).response.status).toBe(200);
    const kept = await call("GET", `/api/v1/sequences/${id}`);
    expect(kept.response.status).toBe(200);
    expect(await kept.response.json()).toMatchObject({ name: "kept" });
  }, 90_000);

  it("gives up on a statement that gets no answer: 503 within the bound", async () => {
    const timeoutMs = 1000;
    const { server, call, note, log } = await setup(timeoutMs);
    expect((await call("POST", "/api/v1/sequences", { name: "first" })).response.status).toBe(201);
    note("black hole");
    proxy.blackHole();
    // The pool has a connection ready: the statement goes out on it and hears nothing.
    const lone = await call("POST", "/api/v1/sequences", { name: "into the silence" });
    note(`answered ${lone.response.status} after ${lone.ms.toFixed(0)} ms`);
    await expectUnavailable(lone.response);
    expect(lone.ms, log()).toBeGreaterThanOrEqual(timeoutMs); // it did wait for an answer...
    expect(lone.ms, log()).toBeLessThan(timeoutMs + 1000 + 5000); // ...about the bound + 1 s (+ a loaded machine)
    expect(server.breaker.state, log()).toBe("open");
  }, 60_000);

  it("answers 503 for a statement PostgreSQL cancels after the bound, without opening the circuit", async () => {
    const { server, call, log } = await setup(1500);
    const created = await call("POST", "/api/v1/sequences", { name: "locked" });
    const { id } = (await created.response.json()) as { id: string };
    const other = await call("POST", "/api/v1/sequences", { name: "free" });
    const { id: otherId } = (await other.response.json()) as { id: string };

    // Another session holds the sequence's row (as a stuck transaction of another instance would).
    const holder = new pg.Client({ connectionString: directUrl });
    await holder.connect();
    closers.push(() => holder.end().catch(() => {}));
    await holder.query("BEGIN");
    await holder.query("SELECT 1 FROM sequences WHERE id = $1 FOR UPDATE", [id]);

    const blocked = await call(
      "PATCH",
      `/api/v1/sequences/${id}`,
      { name: "renamed" },
      {
        "Content-Type": "application/merge-patch+json",
      },
    );
    await expectUnavailable(blocked.response);
    expect(blocked.response.headers.get("Retry-After")).toBe("1");
    expect(server.breaker.state, log()).toBe("closed");
    // Everything else goes on.
    const rename = await call(
      "PATCH",
      `/api/v1/sequences/${otherId}`,
      { name: "renamed too" },
      {
        "Content-Type": "application/merge-patch+json",
      },
    );
    expect(rename.response.status).toBe(200);
    expect((await call("GET", "/api/v1/health/ready")).response.status).toBe(200);

    await holder.query("ROLLBACK");
    // The cancelled statement changed nothing; the retry goes through.
    const unchanged = await call("GET", `/api/v1/sequences/${id}`);
    expect(await unchanged.response.json()).toMatchObject({ name: "locked", version: 1 });
    const retried = await call(
      "PATCH",
      `/api/v1/sequences/${id}`,
      { name: "renamed" },
      {
        "Content-Type": "application/merge-patch+json",
      },
    );
    expect(retried.response.status).toBe(200);
  }, 60_000);

  it("drops a listening connection that stops answering and resyncs once it is back", async () => {
    const store = await PgStore.connect(proxiedUrl, { timeoutMs: 500 });
    closers.push(() => store.close().catch(() => {}));
    let resyncs = 0;
    let resynced: () => void = () => {};
    const resync = new Promise<void>((resolve) => {
      resynced = resolve;
    });
    let noticed: () => void = () => {};
    const dropped = new Promise<void>((resolve) => {
      noticed = resolve;
    });
    await store.listen({
      onCommitted: () => {},
      onResync: () => {
        resyncs++;
        resynced();
      },
      onError: (error) => {
        if (error instanceof Error && error.message === "Query read timeout") noticed();
      },
    });
    proxy.blackHole();
    // The check (every 1 s, an answer within 1.5 s) gives up on the silent connection.
    await dropped;
    expect(resyncs).toBe(0);
    proxy.restore();
    await resync;
    expect(resyncs).toBe(1);
  }, 60_000);
});
