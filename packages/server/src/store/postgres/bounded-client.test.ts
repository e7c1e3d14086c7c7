// The wait for PostgreSQL's answer is bounded by silence on the connection, not by a timer alone:
// a blocked event loop must not turn an answer waiting in the socket into a "Query read timeout"
// (which opens the circuit breaker), and a server that really says nothing is still given up.
// Against the shared cluster (TKA_TEST_DATABASE_URL), directly or through a TCP proxy that stops
// forwarding; the loop is blocked with Atomics.wait (a sleeping thread: no CPU taken from the
// other processes of a busy machine).
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { type TcpProxy, tcpProxy } from "../../../test/fixtures/tcp-proxy.ts";
import {
  BoundedClient,
  BoundedPool,
  CONNECT_TIMEOUT_MESSAGE,
  POOL_WAIT_TIMEOUT_MESSAGE,
  watchAnswer,
} from "./bounded-client.ts";
import { type BoundedPoolConfig, boundedPoolConfig, isAnswerTimeout, isNoAnswer } from "./connection.ts";

const url = process.env.TKA_TEST_DATABASE_URL;
const pgWanted = url !== undefined || process.env.CI === "true";

/** Blocks this thread (and its event loop) for `ms`, as a long synchronous computation would. */
function blockLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const BOUND = 300;
const BLOCK = 1_000;

/** The store's pool settings with a short bound (the store's is `timeout + 1 s`). */
const withBound = (config: BoundedPoolConfig): BoundedPoolConfig => ({ ...config, answerTimeoutMs: BOUND });

describe("watchAnswer", () => {
  it("expires after the bound when nothing is read, once", async () => {
    const started = performance.now();
    let expiries = 0;
    await new Promise<void>((resolve) => {
      watchAnswer({ bytesRead: 0 }, 50, () => {
        expiries++;
        resolve();
      });
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(expiries).toBe(1);
  });

  it("waits on while bytes keep arriving, and expires a bound after they stop", async () => {
    const socket = { bytesRead: 0 };
    const feed = setInterval(() => socket.bytesRead++, 10);
    const stopFeeding = setTimeout(() => clearInterval(feed), 300);
    const started = performance.now();
    try {
      await new Promise<void>((resolve) => watchAnswer(socket, 50, resolve));
      expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    } finally {
      clearInterval(feed);
      clearTimeout(stopFeeding);
    }
  });

  it("gives a connect the time the loop was blocked back (creditBlocked)", async () => {
    const started = performance.now();
    const expired = new Promise<void>((resolve) =>
      watchAnswer({ bytesRead: 0 }, 100, resolve, { creditBlocked: true }),
    );
    blockLoop(400);
    await expired;
    // Due at 100, fired at 400: 300 late, so 100 more (at most the bound) before judging.
    expect(performance.now() - started).toBeGreaterThanOrEqual(490);
  });

  it("never expires once cancelled", async () => {
    let expired = false;
    watchAnswer({ bytesRead: 0 }, 20, () => {
      expired = true;
    }).cancel();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(expired).toBe(false);
  });
});

describe.skipIf(!pgWanted)("BoundedClient against PostgreSQL", () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  }, 30_000);

  const target = () => {
    if (url === undefined) throw new Error("CI=true but TKA_TEST_DATABASE_URL is not set");
    return new URL(url);
  };
  async function connected(client: pg.Client): Promise<pg.Client> {
    client.on("error", () => {}); // the queries report what matters
    closers.push(() => client.end());
    await client.connect();
    await client.query("SELECT 1"); // connected and warm: the tests time the query alone
    return client;
  }

  it("node-postgres' own query_timeout calls an answer read after a blocked loop a timeout (why the bound is ours)", async () => {
    const client = await connected(new pg.Client({ connectionString: url, query_timeout: BOUND }));
    const query = client.query("SELECT 1 AS one");
    blockLoop(BLOCK);
    await expect(query).rejects.toThrow("Query read timeout");
  }, 30_000);

  it("reads an answer that arrived while the loop was blocked past the bound (promise and callback)", async () => {
    const client = await connected(new BoundedClient({ connectionString: url, answerTimeoutMs: BOUND }));
    for (let round = 0; round < 5; round++) {
      const query = client.query("SELECT $1::int AS round", [round]);
      blockLoop(BLOCK);
      expect((await query).rows).toEqual([{ round }]);
    }
    const viaCallback = new Promise<pg.QueryResult>((resolve, reject) =>
      client.query("SELECT 2 AS two", (error: Error | null, result: pg.QueryResult) =>
        error ? reject(error) : resolve(result),
      ),
    );
    blockLoop(BLOCK);
    expect((await viaCallback).rows).toEqual([{ two: 2 }]);
  }, 60_000);

  it("does so in the store's pool too (boundedPoolConfig uses BoundedClient)", async () => {
    const pool = new pg.Pool(withBound(boundedPoolConfig(url ?? "", 5_000, 2)));
    closers.push(() => pool.end());
    await pool.query("SELECT 1");
    for (let round = 0; round < 3; round++) {
      const query = pool.query("SELECT $1::int AS round", [round]);
      await new Promise((resolve) => process.nextTick(resolve)); // the pool hands out a client, which sends
      blockLoop(BLOCK);
      expect((await query).rows).toEqual([{ round }]);
    }
  }, 60_000);

  it("waits for a long answer still arriving after the block (progress, not one look)", async () => {
    const client = await connected(new BoundedClient({ connectionString: url, answerTimeoutMs: BOUND }));
    const size = 32 * 1024 * 1024; // far more than one turn of the loop reads (32 x 64 KB)
    const query = client.query<{ big: string }>("SELECT repeat('x', $1) AS big", [size]);
    blockLoop(BLOCK);
    const { rows } = await query;
    expect(rows[0]?.big.length).toBe(size);
  }, 60_000);

  it("connects when the handshake could only run after a blocked loop (pg's own timer gave up)", async () => {
    const own = new pg.Client({ connectionString: url, connectionTimeoutMillis: BOUND });
    own.on("error", () => {});
    const ownConnect = own.connect();
    blockLoop(BLOCK);
    await expect(ownConnect).rejects.toThrow("timeout expired");

    const client = new BoundedClient({ connectionString: url, connectTimeoutMs: BOUND });
    client.on("error", () => {});
    closers.push(() => client.end());
    const connecting = client.connect();
    blockLoop(BLOCK);
    await connecting;
    expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  }, 30_000);

  it("hands a waiting request the connection a blocked loop kept from being released", async () => {
    const pool = new BoundedPool({
      ...boundedPoolConfig(url ?? "", 5_000, 1),
      connectionTimeoutMillis: BOUND,
      answerTimeoutMs: BOUND,
    });
    closers.push(() => pool.end());
    await pool.query("SELECT 1");
    const first = pool.query("SELECT pg_sleep(0.1), 1 AS one");
    const second = pool.query("SELECT 2 AS two"); // waits for the only connection
    await new Promise((resolve) => process.nextTick(resolve)); // the first is sent
    blockLoop(BLOCK);
    expect((await first).rows[0]).toMatchObject({ one: 1 });
    expect((await second).rows).toEqual([{ two: 2 }]);
  }, 30_000);

  describe("a server that says nothing", () => {
    let proxy: TcpProxy;
    async function silentClient(bound = BOUND): Promise<pg.Client> {
      const upstream = target();
      proxy = await tcpProxy({ host: upstream.hostname, port: Number(upstream.port) });
      closers.push(() => proxy.close());
      upstream.host = `127.0.0.1:${proxy.port}`;
      const client = await connected(new BoundedClient({ connectionString: upstream.href, answerTimeoutMs: bound }));
      proxy.blackHole();
      return client;
    }

    it("is given up at the bound", async () => {
      const client = await silentClient();
      const started = performance.now();
      const error = await client.query("SELECT 1").catch((e: unknown) => e);
      const waited = performance.now() - started;
      expect(isAnswerTimeout(error)).toBe(true);
      expect(waited).toBeGreaterThanOrEqual(BOUND - 5);
      expect(waited).toBeLessThan(BOUND + 1_000); // one turn of the loop, on a busy machine
    }, 30_000);

    it("is given up right after a block longer than the bound, not a bound later", async () => {
      // A bound of 1 s leaves a busy machine room to tell "right after" from "a bound later".
      const client = await silentClient(1_000);
      const started = performance.now();
      const query = client.query("SELECT 1").catch((e: unknown) => e);
      blockLoop(2_000);
      const error = await query;
      const waited = performance.now() - started;
      expect(isAnswerTimeout(error)).toBe(true);
      expect(waited).toBeLessThan(2_000 + 1_000);
    }, 30_000);

    it("is given up while connecting, at the bound", async () => {
      const upstream = target();
      proxy = await tcpProxy({ host: upstream.hostname, port: Number(upstream.port) });
      closers.push(() => proxy.close());
      upstream.host = `127.0.0.1:${proxy.port}`;
      proxy.blackHole();
      const client = new BoundedClient({ connectionString: upstream.href, connectTimeoutMs: BOUND });
      client.on("error", () => {});
      closers.push(() => client.end());
      const started = performance.now();
      const error = await client.connect().catch((e: unknown) => e);
      const waited = performance.now() - started;
      expect((error as Error).message).toBe(CONNECT_TIMEOUT_MESSAGE);
      expect(isNoAnswer(error)).toBe(true);
      expect(waited).toBeGreaterThanOrEqual(BOUND - 5);
      expect(waited).toBeLessThan(BOUND + 1_000);
    }, 30_000);

    it("gives a request waiting for a pooled connection up at the bound, and serves again later", async () => {
      const upstream = target();
      proxy = await tcpProxy({ host: upstream.hostname, port: Number(upstream.port) });
      closers.push(() => proxy.close());
      upstream.host = `127.0.0.1:${proxy.port}`;
      const pool = new BoundedPool({
        ...boundedPoolConfig(upstream.href, 5_000, 1),
        connectionTimeoutMillis: BOUND,
        answerTimeoutMs: 3 * BOUND,
      });
      pool.on("error", () => {});
      closers.push(() => pool.end());
      await pool.query("SELECT 1");
      proxy.blackHole();
      const first = pool.query("SELECT 1").catch((e: unknown) => e);
      const started = performance.now();
      const waiting = await pool.query("SELECT 2").catch((e: unknown) => e);
      const waited = performance.now() - started;
      expect((waiting as Error).message).toBe(POOL_WAIT_TIMEOUT_MESSAGE);
      expect(isNoAnswer(waiting)).toBe(true);
      expect(pool.waitingCount).toBe(0); // it left pg-pool's queue
      expect(waited).toBeGreaterThanOrEqual(BOUND - 5);
      expect(waited).toBeLessThan(BOUND + 1_000);
      expect(isAnswerTimeout(await first)).toBe(true);
      proxy.restore();
      expect((await pool.query("SELECT 3 AS three")).rows).toEqual([{ three: 3 }]);
    }, 30_000);

    it("fails the query in the pool, which drops the connection", async () => {
      const upstream = target();
      proxy = await tcpProxy({ host: upstream.hostname, port: Number(upstream.port) });
      closers.push(() => proxy.close());
      upstream.host = `127.0.0.1:${proxy.port}`;
      const pool = new pg.Pool(withBound(boundedPoolConfig(upstream.href, 5_000, 1)));
      pool.on("error", () => {});
      closers.push(() => pool.end());
      await pool.query("SELECT 1");
      expect(pool.totalCount).toBe(1);
      proxy.blackHole();
      const error = await pool.query("SELECT 1").catch((e: unknown) => e);
      expect(isAnswerTimeout(error)).toBe(true);
      expect(pool.totalCount).toBe(0);
      proxy.restore();
      expect((await pool.query("SELECT 3 AS three")).rows).toEqual([{ three: 3 }]);
    }, 30_000);
  });
});
