// The database going away and coming back, for real: a PostgreSQL cluster of this test's own
// stopped and started, and a SQLite file moved away, replaced, and on a full disk. From the first
// failed request on every request that needs the database answers 503 with Retry-After (never a
// 500), health and readiness say so, and the API serves again within about a second or two of the
// database returning (the circuit probes it), with nothing lost.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { buildServer } from "../src/server.ts";
import { type OwnPostgres, ownPostgres } from "./fixtures/own-postgres.ts";

const KEY = "outage-key-0123456789abcdef";
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(env: Record<string, string>) {
  const config = loadConfig([], { API_KEYS: `p=${KEY}`, RATE_LIMIT: "100000/100000", ...env });
  const server = await buildServer(config, () => {});
  closers.push(() => server.store.close().catch(() => {}));
  // Idle before a test takes the database away: the first pruning (in the background) is done.
  await server.retention.started;
  const call = (method: string, path: string, body?: unknown) =>
    server.app.request(path, {
      method,
      headers: { "X-API-Key": KEY, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return { server, call };
}

type Call = Awaited<ReturnType<typeof setup>>["call"];

/** The answer of a request while the database is away: 503, Retry-After, the typed problem. */
async function expectUnavailable(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(Number(response.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
  expect(await response.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE", status: 503 });
}

/** Repeats `request` until `done` says so; every answer before must be `allowed`. */
async function until(
  request: () => Response | Promise<Response>,
  done: (status: number) => boolean,
  allowed: readonly number[],
  timeoutMs = 30_000,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await request();
    if (done(response.status)) return response;
    expect(allowed, `status ${response.status}: ${await response.text()}`).toContain(response.status);
    if (Date.now() > deadline) throw new Error(`still ${response.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Health and readiness while the database is away. */
async function expectReportedDown(call: Call, why: RegExp): Promise<void> {
  expect((await call("GET", "/api/v1/health/ready")).status).toBe(503);
  const health = await call("GET", "/api/v1/health");
  expect(health.status).toBe(503);
  const body = (await health.json()) as { components: { name: string; status: string; message: string }[] };
  expect(body.components[0]).toMatchObject({ name: "database", status: "unhealthy" });
  expect(body.components[0]?.message).toMatch(why);
}

describe("errors a request's content causes", () => {
  it("are 500s at worst and never open the circuit, however many", async () => {
    const { server, call } = await setup({ DATA_DIR: mkdtempSync(join(tmpdir(), "tka-outage-")) });
    // What the stores throw for hostile content the HTTP layer let through: a stack overflow on a
    // deeply nested document, PostgreSQL's data error for a NUL in text, a plain bug.
    const errors = [
      new RangeError("Maximum call stack size exceeded"),
      Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: "22021" }),
      new TypeError("Cannot read properties of undefined (reading 'beats')"),
    ];
    let failWith: Error | undefined;
    const store = server.store;
    const { listSequences, commit } = Object.getPrototypeOf(store) as typeof store;
    Object.assign(store, {
      listSequences: (...args: Parameters<typeof listSequences>) =>
        failWith ? Promise.reject(failWith) : listSequences.apply(store, args),
      commit: (...args: Parameters<typeof commit>) => (failWith ? Promise.reject(failWith) : commit.apply(store, args)),
    });
    for (let i = 0; i < 30; i++) {
      failWith = errors[i % errors.length];
      const read = await call("GET", "/api/v1/sequences");
      expect(read.status).toBe(500);
      expect(await read.json()).toMatchObject({ code: "INTERNAL_ERROR" });
      expect((await call("POST", "/api/v1/sequences", { name: "x" })).status).toBe(500);
    }
    expect(server.breaker.state).toBe("closed");
    expect((await call("GET", "/api/v1/health/ready")).status).toBe(200);
    const metrics = await (await server.app.request("/metrics")).text();
    expect(metrics).toMatch(/^tka_database_errors_total 0$/m);
    expect(metrics).toMatch(/^tka_database_unavailable 0$/m);
    failWith = undefined;
    expect((await call("POST", "/api/v1/sequences", { name: "fine" })).status).toBe(201);
    expect((await call("GET", "/api/v1/sequences")).status).toBe(200);
  }, 60_000);
});

const pgWanted = process.env.TKA_TEST_DATABASE_URL !== undefined || process.env.CI === "true";

describe.skipIf(!pgWanted)("PostgreSQL stopped and started", () => {
  let postgres: OwnPostgres;
  beforeAll(async () => {
    postgres = await ownPostgres();
  }, 180_000);
  afterAll(async () => {
    await postgres?.remove();
  }, 120_000);

  it("answers 503 + Retry-After from the first failed request, and serves again soon after", async () => {
    const { call } = await setup({ DATA_DIR: mkdtempSync(join(tmpdir(), "tka-outage-")), DATABASE_URL: postgres.url });
    const created = await call("POST", "/api/v1/sequences", { name: "kept" });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    await postgres.stop();
    // The very first request after the stop, and every one after it: 503, never a 500.
    await expectUnavailable(await call("GET", `/api/v1/sequences/${id}`));
    await expectUnavailable(await call("POST", "/api/v1/sequences", { name: "lost" }));
    await expectUnavailable(await call("GET", "/api/v1/sequences"));
    await expectReportedDown(call, /unavailable since .*(ECONNREFUSED|terminat)/);

    await postgres.start();
    const back = Date.now();
    await until(
      () => call("GET", "/api/v1/sequences"),
      (s) => s === 200,
      [503],
    );
    const recoveryMs = Date.now() - back;
    console.info(`PostgreSQL: serving again ${recoveryMs} ms after the database accepted connections`);
    expect(recoveryMs).toBeLessThan(10_000); // about 1 s; generous for a loaded machine
    expect((await call("GET", "/api/v1/health/ready")).status).toBe(200);
    const list = (await (await call("GET", "/api/v1/sequences")).json()) as { data: { name: string }[] };
    expect(list.data.map((s) => s.name)).toEqual(["kept"]);
    expect((await call("POST", "/api/v1/sequences", { name: "after" })).status).toBe(201);
  }, 120_000);
});

describe("SQLite file made unavailable", () => {
  it("answers 503 while the data directory is moved away, and serves again once it is back", async () => {
    const root = mkdtempSync(join(tmpdir(), "tka-outage-"));
    const dataDir = join(root, "data");
    const { call } = await setup({ DATA_DIR: dataDir });
    expect((await call("POST", "/api/v1/sequences", { name: "before" })).status).toBe(201);

    renameSync(dataDir, join(root, "away"));
    // Noticed within a second (the file watch); the first answer that is not a 200 is a 503.
    await expectUnavailable(
      await until(
        () => call("GET", "/api/v1/sequences"),
        (s) => s !== 200,
        [200],
      ),
    );
    await expectUnavailable(await call("POST", "/api/v1/sequences", { name: "refused" }));
    await expectReportedDown(call, /is gone/);

    renameSync(join(root, "away"), dataDir);
    const back = Date.now();
    await until(
      () => call("GET", "/api/v1/sequences"),
      (s) => s === 200,
      [503],
    );
    expect(Date.now() - back).toBeLessThan(10_000);
    expect((await call("POST", "/api/v1/sequences", { name: "after" })).status).toBe(201);
    const list = (await (await call("GET", "/api/v1/sequences")).json()) as { data: { name: string }[] };
    expect(list.data.map((s) => s.name).sort()).toEqual(["after", "before"]);
  }, 60_000);

  it("stays unavailable when the file was replaced by another one, and says to restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tka-outage-"));
    const { call } = await setup({ DATA_DIR: dataDir });
    expect((await call("POST", "/api/v1/sequences", { name: "before" })).status).toBe(201);
    const file = join(dataDir, "tka.db");
    copyFileSync(file, `${file}.copy`);
    renameSync(`${file}.copy`, file);
    await expectUnavailable(
      await until(
        () => call("GET", "/api/v1/sequences"),
        (s) => s !== 200,
        [200],
      ),
    );
    await expectReportedDown(call, /replaced by another file: restart/);
    // The probe keeps finding another file there: nothing is served from it.
    const deadline = Date.now() + 2_500;
    while (Date.now() < deadline) await expectUnavailable(await call("GET", "/api/v1/sequences"));
  }, 60_000);

  // A full disk, for real: the database on a small tmpfs filled up by another file (needs root).
  const canMount = process.getuid?.() === 0 && process.platform === "linux";
  describe.skipIf(!canMount)("on a full disk", () => {
    let mountPoint = "";
    beforeAll(() => {
      mountPoint = mkdtempSync(join(tmpdir(), "tka-full-"));
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint]);
    });
    afterAll(() => {
      execFileSync("umount", ["-l", mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });

    it("answers 503 to every write that fails, keeps serving reads, and writes again once there is room", async () => {
      const dataDir = join(mountPoint, "data");
      mkdirSync(dataDir);
      const { call } = await setup({ DATA_DIR: dataDir });
      expect((await call("POST", "/api/v1/sequences", { name: "before" })).status).toBe(201);
      const filler = join(mountPoint, "filler");
      fill(filler);

      // Writes go on while the WAL has room already allocated; then each fails with 503.
      const statuses: number[] = [];
      for (let i = 0; i < 2_000 && !statuses.includes(503); i++) {
        const response = await call("POST", "/api/v1/sequences", {
          name: `w${i}`,
          metadata: { pad: "x".repeat(4000) },
        });
        statuses.push(response.status);
        if (response.status === 503) await expectUnavailable(response);
      }
      expect(statuses.every((s) => s === 201 || s === 503)).toBe(true);
      expect(statuses).toContain(503);
      await expectUnavailable(await call("POST", "/api/v1/sequences", { name: "refused" }));
      // Reads need no room: once the probe found the database answering, they are served.
      await until(
        () => call("GET", "/api/v1/sequences?limit=1"),
        (s) => s === 200,
        [503],
      );

      rmSync(filler);
      const room = Date.now();
      await until(
        () => call("POST", "/api/v1/sequences", { name: "after" }),
        (s) => s === 201,
        [503],
      );
      expect(Date.now() - room).toBeLessThan(10_000);
      const written = statuses.filter((s) => s === 201).length;
      const list = (await (await call("GET", "/api/v1/sequences?limit=100")).json()) as { data: unknown[] };
      expect(list.data.length).toBe(Math.min(100, written + 2));
    }, 120_000);
  });
});

/** Writes `file` until the file system is full. */
function fill(file: string): void {
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeFileSync(file, chunk, { flag: "a" });
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOSPC") throw error;
  }
  // The last partial chunk: fill what is left byte by byte in smaller pieces.
  for (const size of [4096, 512, 1]) {
    try {
      for (;;) writeFileSync(file, Buffer.alloc(size, 1), { flag: "a" });
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOSPC") throw error;
    }
  }
}
