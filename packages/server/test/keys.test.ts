// Key management end to end: the `keys` admin command (the real process) on both stores, keys from
// API_KEYS that disappear with the environment, the upgrade of keys stored before keyed hashes,
// the key secret, wrong-key limits per client address, the key prefix in the request log, the
// modes of the data files, and who may read /metrics.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { keysCommand } from "../src/admin/keys-command.ts";
import { KeySecretMismatchError } from "../src/auth/key-secret.ts";
import { loadConfig } from "../src/config.ts";
import { buildServer } from "../src/server.ts";
import { migrations } from "../src/store/sqlite/migrations.ts";
import { describeExit, runToExit, startServerProcess } from "./fixtures/server-process.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function server(env: Record<string, string>, lines: Record<string, unknown>[] = []) {
  const built = await buildServer(loadConfig([], env), (line) => lines.push(line));
  closers.push(() => built.store.close());
  return built;
}

type App = Awaited<ReturnType<typeof server>>["app"];

/** A request from a given client address (what the Node adapter passes as the connection). */
function from(app: App, address: string, key: string | null, path = "/api/v1/sequences") {
  return app.request(
    path,
    { headers: key === null ? {} : { "X-API-Key": key } },
    {
      incoming: { socket: { remoteAddress: address } },
    },
  );
}

const dataDir = () => mkdtempSync(join(tmpdir(), "tka-keys-"));

/** The keys command in this process (the same code the real one runs; see keysProcess). */
async function keys(args: string[], env: Record<string, string>): Promise<string> {
  const out: string[] = [];
  expect(await keysCommand(args, env, { out: (text) => out.push(text) })).toBe(0);
  return `${out.join("\n")}\n`;
}

/** The keys command as its own process: `node src/main.ts keys ...`. */
async function keysProcess(args: string[], env: Record<string, string>) {
  return runToExit(["keys", ...args], env);
}

const pgUrl = process.env.TKA_TEST_DATABASE_URL;
const pgDatabase = `tka_keys_cli_${randomBytes(6).toString("hex")}`;
let pgCreated = false;
async function pgAdmin(sql: string) {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
afterAll(async () => {
  if (pgCreated) await pgAdmin(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
});

const stores: [string, () => Promise<Record<string, string>>][] = [["SQLite", async () => ({ DATA_DIR: dataDir() })]];
if (pgUrl) {
  stores.push([
    "PostgreSQL",
    async () => {
      await pgAdmin(`CREATE DATABASE ${pgDatabase}`);
      pgCreated = true;
      const url = new URL(pgUrl);
      url.pathname = `/${pgDatabase}`;
      // Instances of one database share the secret through the setting.
      return { DATA_DIR: dataDir(), DATABASE_URL: url.href, API_KEY_SECRET: randomBytes(24).toString("hex") };
    },
  ]);
}

describe.each(stores)("the keys command on %s", (_, settings) => {
  it("creates, lists and revokes keys; a revoked key is refused", async () => {
    const env = await settings();
    const made = await keysProcess(["create", "--project", "alpha", "--name", "ci", "--json"], env);
    expect(made.code, describeExit(made)).toBe(0);
    const created = JSON.parse(made.stdout) as { id: string; key: string; prefix: string };
    expect(created.key).toMatch(/^tka_[a-z2-7]{32}$/);
    expect(created.prefix).toBe(created.key.slice(0, 8));
    await keys(["create", "--project", "beta"], env);
    const listed = JSON.parse(await keys(["list", "--project", "alpha", "--json"], env)) as object[];
    expect(listed).toEqual([
      {
        id: created.id,
        project_id: "alpha",
        name: "ci",
        prefix: created.prefix,
        created_at: expect.any(String),
        revoked_at: null,
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    const table = await keys(["list"], env);
    expect(table.split("\n")[0]).toMatch(/^ID\s+PROJECT\s+NAME\s+PREFIX\s+CREATED\s+REVOKED\s+HASH$/);
    expect(table).toContain("beta");

    const before = await server(env);
    expect((await from(before.app, "127.0.0.1", created.key)).status).toBe(200);

    const wrongProject = await keysProcess(["revoke", created.id, "--project", "beta"], env);
    expect(wrongProject.code, describeExit(wrongProject)).toBe(1);
    expect(wrongProject.stderr.trim()).toMatch(
      /^tka-server keys: key key_\w+ belongs to project "alpha", not "beta": nothing revoked$/,
    );
    expect(await keys(["revoke", created.id, "--project", "alpha"], env)).toMatch(/^Revoked key_/);
    expect(await keys(["revoke", created.id], env)).toMatch(/was already revoked/);

    // A server started now refuses it; one that was running refuses it within 5 s.
    const after = await server(env);
    expect((await from(after.app, "127.0.0.1", created.key)).status).toBe(401);
    const deadline = Date.now() + 30_000;
    while ((await from(before.app, "127.0.0.1", created.key)).status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await from(before.app, "127.0.0.1", created.key)).status).toBe(401);
  }, 240_000);
});

describe("keys from API_KEYS", () => {
  it("work while configured and stop working after a restart without them", async () => {
    const dir = dataDir();
    const key = "env-key-0123456789abcdef";
    const first = await server({ DATA_DIR: dir, API_KEYS: `alpha=${key}` });
    expect((await from(first.app, "127.0.0.1", key)).status).toBe(200);
    expect(await first.store.countApiKeys()).toBe(0);
    await first.store.close();
    const again = await server({ DATA_DIR: dir, API_KEYS: "alpha=another-key-0123456789" });
    expect((await from(again.app, "127.0.0.1", key)).status).toBe(401);
  }, 60_000);

  it("stored by older versions are revoked by the upgrade; other old keys keep working and are rewritten", async () => {
    const dir = dataDir();
    const db = new Database(join(dir, "tka.db"));
    db.exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    );
    for (const migration of migrations.filter((m) => m.version <= 5)) {
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)").run(migration.version, migration.name, "then");
    }
    const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");
    const insert = db.prepare(
      "INSERT INTO api_keys (id, project_id, key_hash, name, created_at) VALUES (?, ?, ?, ?, ?)",
    );
    insert.run("key_env", "alpha", sha256("old-env-key-0123456789"), "configured", "2026-01-01T00:00:00.000Z");
    insert.run(
      "key_boot",
      "default",
      sha256("tka_oldbootstrapkey0123456789abcdef"),
      "bootstrap",
      "2026-01-01T00:00:00.000Z",
    );
    db.close();

    const upgraded = await server({ DATA_DIR: dir });
    expect((await from(upgraded.app, "127.0.0.1", "old-env-key-0123456789")).status).toBe(401);
    expect((await from(upgraded.app, "127.0.0.1", "tka_oldbootstrapkey0123456789abcdef")).status).toBe(200);
    expect(await upgraded.store.listApiKeys()).toMatchObject([
      { id: "key_boot", revoked_at: null, keyed: true },
      { id: "key_env", revoked_at: expect.any(String), keyed: false },
    ]);
    expect(upgraded.firstKey).toBeNull();
  }, 60_000);
});

describe("the key secret", () => {
  it("is generated once into the data directory, and another one is refused at start", async () => {
    const dir = dataDir();
    const first = await server({ DATA_DIR: dir });
    expect(statSync(join(dir, "key-secret")).mode & 0o777).toBe(0o600);
    await first.store.close();
    expect((await server({ DATA_DIR: dir })).firstKey).toBeNull(); // same secret: starts
    await expect(
      buildServer(loadConfig([], { DATA_DIR: dir, API_KEY_SECRET: "x".repeat(40) }), () => {}),
    ).rejects.toBeInstanceOf(KeySecretMismatchError);
    const refused = await runToExit([], { DATA_DIR: dir, PORT: "0", API_KEY_SECRET: "x".repeat(40) });
    expect(refused.code, describeExit(refused)).toBe(1);
    expect(refused.stderr.trim()).toMatch(
      /^tka-server: invalid configuration: the API key secret \(API_KEY_SECRET\) is not the one this database's keys were made with/,
    );
  }, 60_000);
});

describe("wrong keys", () => {
  it("are limited per client address: 429 + Retry-After, for any key from there, until the bucket refills", async () => {
    const { app, firstKey } = await server({ DATA_DIR: dataDir(), AUTH_FAILURE_LIMIT: "3/2" });
    const good = firstKey as string;
    for (let i = 0; i < 3; i++) expect((await from(app, "203.0.113.7", `tka_guess${i}`)).status).toBe(401);
    const limited = await from(app, "203.0.113.7", "tka_guess3");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("1");
    expect(await limited.json()).toMatchObject({ code: "RATE_LIMITED" });
    expect((await from(app, "203.0.113.7", good)).status).toBe(429); // a hit would tell the guesser
    expect((await from(app, "203.0.113.7", null)).status).toBe(401); // no key, nothing guessed
    expect((await from(app, "::ffff:203.0.113.7", good)).status).toBe(429); // the same IPv4 address
    expect((await from(app, "198.51.100.1", good)).status).toBe(200); // another address
    // IPv6: one /64 shares a bucket.
    for (let i = 0; i < 3; i++) await from(app, `2001:db8:1:2::${i + 1}`, "tka_guess");
    expect((await from(app, "2001:db8:1:2:ffff::9", good)).status).toBe(429);
    expect((await from(app, "2001:db8:1:3::1", good)).status).toBe(200);
    // Two tokens a second: served again once one is back (waiting for it, however slow the machine).
    const deadline = Date.now() + 30_000;
    while ((await from(app, "203.0.113.7", good)).status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await from(app, "203.0.113.7", good)).status).toBe(200);
  }, 60_000);
});

describe("the request log", () => {
  it("names the key by id and prefix, never the key itself", async () => {
    const lines: Record<string, unknown>[] = [];
    const key = "log-key-0123456789abcdef";
    const { app } = await server({ DATA_DIR: dataDir(), API_KEYS: `alpha=${key}` }, lines);
    await from(app, "127.0.0.1", key);
    await from(app, "127.0.0.1", "tka_notakey0123456789abcdefghijklm");
    const requests = lines.filter((l) => l.msg === "request");
    expect(requests[0]).toMatchObject({ status: 200, key_id: expect.stringMatching(/^env_/), key_prefix: "log-" });
    expect(requests[1]).toMatchObject({ status: 401, key_prefix: "tka_nota" });
    expect(requests[1]?.key_id).toBeUndefined();
    expect(JSON.stringify(lines)).not.toContain(key);
  }, 30_000);
});

describe("data files", () => {
  it("are created for this user only: directory 0700, files 0600", async () => {
    const dir = join(dataDir(), "data");
    const { app, firstKey } = await server({ DATA_DIR: dir });
    expect((await from(app, "127.0.0.1", firstKey)).status).toBe(200);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of ["tka.db", "tka.db-wal", "tka.db-shm", "key-secret", "api-key"]) {
      expect(statSync(join(dir, file)).mode & 0o777, file).toBe(0o600);
    }
  }, 30_000);
});

describe("/metrics", () => {
  it("asks for METRICS_TOKEN when one is set", async () => {
    const token = "metrics-token-0123456789";
    const { app } = await server({ DATA_DIR: dataDir(), METRICS_TOKEN: token });
    const without = await app.request("/metrics");
    expect(without.status).toBe(401);
    expect(without.headers.get("WWW-Authenticate")).toContain("Bearer");
    expect(
      (await app.request("/metrics", { headers: { Authorization: "Bearer wrong-token-0123456789" } })).status,
    ).toBe(401);
    const allowed = await app.request("/metrics", { headers: { Authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain("tka_http_requests_total");
  }, 30_000);

  it("is not served on a non-loopback listener without a token or an address of its own, and says so", async () => {
    const lines: Record<string, unknown>[] = [];
    const { app } = await server({ DATA_DIR: dataDir(), HOST: "0.0.0.0" }, lines);
    expect((await app.request("/metrics")).status).toBe(404);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "warn", msg: expect.stringMatching(/METRICS_TOKEN/) }),
    );
  }, 30_000);

  it("is served on METRICS_ADDRESS only, when set (the real process, two listeners)", async () => {
    const running = await startServerProcess({ DATA_DIR: dataDir(), METRICS_ADDRESS: "127.0.0.1:0" });
    try {
      await running.waitForLog((l) => l.msg === "metrics listening");
      const metricsUrl = running.logs().find((l) => l.msg === "metrics listening")?.url as string;
      expect((await fetch(`${running.url}/metrics`)).status).toBe(404);
      const metrics = await fetch(metricsUrl);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain("tka_websocket_connections");
      expect((await fetch(metricsUrl.replace("/metrics", "/api/v1/health"))).status).toBe(404);
    } finally {
      expect(await running.stop()).toBe(0);
    }
  }, 60_000);
});
