// The stores' side of key management, on both engines: revocation, listing, hash upgrades and the
// key secret's fingerprint. (The PostgreSQL half needs TKA_TEST_DATABASE_URL, like the contract
// suite; each run gets a random database, dropped afterwards.)
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { PgStore } from "../store/postgres/pg-store.ts";
import { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { Store } from "../store/types.ts";

const pgUrl = process.env.TKA_TEST_DATABASE_URL;
const pgDatabase = `tka_keys_${randomBytes(6).toString("hex")}`;
let pgCreated = false;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const engines: [string, () => Promise<Store>][] = [
  ["SqliteStore", async () => new SqliteStore(join(mkdtempSync(join(tmpdir(), "tka-keys-")), "tka.db"))],
];
if (pgUrl) {
  let schemas = 0;
  engines.push([
    "PgStore",
    async () => {
      if (!pgCreated) {
        await admin(`CREATE DATABASE ${pgDatabase}`);
        pgCreated = true;
      }
      const url = new URL(pgUrl);
      url.pathname = `/${pgDatabase}`;
      const schema = `s${++schemas}`;
      const client = new pg.Client({ connectionString: url.href });
      await client.connect();
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.end();
      url.searchParams.set("options", `-c search_path=${schema}`);
      return PgStore.connect(url.href);
    },
  ]);
}

const opened: Store[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});
afterAll(async () => {
  if (pgCreated) await admin(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
});

describe.each(engines)("key storage: %s", (_, make) => {
  const open = async () => {
    const store = await make();
    opened.push(store);
    return store;
  };

  it("revokes a key for good: it is no longer found, and stays listed with its time", async () => {
    const store = await open();
    await store.createApiKey("p1", "key_1", "hmac-sha256:aa", "ci", "tka_abcd");
    await store.createApiKey("p1", "key_2", "bb", "old");
    await store.createApiKey("p2", "key_3", "hmac-sha256:cc", "laptop", "tka_efgh");
    const revoked = await store.revokeApiKey("key_1", "2030-01-01T00:00:00.000Z");
    expect(revoked).toMatchObject({ id: "key_1", revoked_at: "2030-01-01T00:00:00.000Z" });
    expect(await store.findApiKey("hmac-sha256:aa")).toBeNull();
    // A second revocation keeps the first time; an unknown id is null.
    expect(await store.revokeApiKey("key_1", "2031-01-01T00:00:00.000Z")).toMatchObject({
      revoked_at: "2030-01-01T00:00:00.000Z",
    });
    expect(await store.revokeApiKey("key_nope", "2031-01-01T00:00:00.000Z")).toBeNull();
    expect(await store.listApiKeys("p1")).toEqual([
      {
        id: "key_1",
        project_id: "p1",
        name: "ci",
        prefix: "tka_abcd",
        created_at: expect.any(String),
        revoked_at: "2030-01-01T00:00:00.000Z",
        keyed: true,
      },
      {
        id: "key_2",
        project_id: "p1",
        name: "old",
        prefix: null,
        created_at: expect.any(String),
        revoked_at: null,
        keyed: false,
      },
    ]);
    expect((await store.listApiKeys()).map((k) => k.id)).toEqual(["key_1", "key_2", "key_3"]);
    expect(await store.countApiKeys()).toBe(3);
  });

  it("rewrites a hash only while it is still the old one", async () => {
    const store = await open();
    await store.createApiKey("p", "key_1", "plain", "old");
    await store.replaceApiKeyHash("key_1", "plain", "hmac-sha256:new");
    await store.replaceApiKeyHash("key_1", "plain", "hmac-sha256:other");
    expect(await store.findApiKey("plain")).toBeNull();
    expect(await store.findApiKey("hmac-sha256:new")).toEqual({ key_id: "key_1", project_id: "p" });
    expect((await store.listApiKeys("p"))[0]?.keyed).toBe(true);
  });

  it("records the secret's fingerprint once; replacing it revokes every key", async () => {
    const store = await open();
    expect(await store.claimKeySecretFingerprint("fp-1")).toBe("fp-1");
    expect(await store.claimKeySecretFingerprint("fp-2")).toBe("fp-1");
    await store.createApiKey("p", "key_1", "hmac-sha256:aa", "a");
    await store.createApiKey("p", "key_2", "hmac-sha256:bb", "b");
    await store.revokeApiKey("key_2", "2030-01-01T00:00:00.000Z");
    expect(await store.replaceKeySecretFingerprint("fp-2", "2031-01-01T00:00:00.000Z")).toBe(1);
    expect(await store.claimKeySecretFingerprint("fp-3")).toBe("fp-2");
    expect((await store.listApiKeys()).map((k) => k.revoked_at)).toEqual([
      "2031-01-01T00:00:00.000Z",
      "2030-01-01T00:00:00.000Z",
    ]);
  });
});
