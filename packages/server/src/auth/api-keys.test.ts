import { hash } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import { ApiKeys, keyPrefix, newApiKey, presentedKey } from "./api-keys.ts";

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

function store(): SqliteStore {
  const s = new SqliteStore(":memory:");
  stores.push(s);
  return s;
}

let n = 0;
const newId = () => `key_${++n}`;
const secret = Buffer.from("a-test-secret-of-at-least-32-characters");

function keys(s: SqliteStore, options: Partial<ConstructorParameters<typeof ApiKeys>[0]> = {}) {
  return new ApiKeys({ store: s, secret, newId, ...options });
}

describe("API keys", () => {
  it("creates one key on first start, stores only its keyed hash and prefix, and writes it for the owner only", async () => {
    const s = store();
    const dir = mkdtempSync(join(tmpdir(), "tka-keys-"));
    const key = await keys(s).bootstrap(join(dir, "api-key"));
    expect(key).toMatch(/^tka_[a-z2-7]{32}$/);
    expect(readFileSync(join(dir, "api-key"), "utf8").trim()).toBe(key);
    expect(statSync(join(dir, "api-key")).mode & 0o777).toBe(0o600);
    expect(await keys(s).bootstrap(join(dir, "api-key"))).toBeNull();
    expect(await keys(s).authenticate(key as string)).toMatchObject({ projectId: "default" });
    expect(await keys(s).authenticate("tka_wrong")).toBeNull();
    const [record] = await s.listApiKeys();
    expect(record).toMatchObject({ project_id: "default", name: "bootstrap", prefix: key?.slice(0, 8), keyed: true });
    // The stored hash is the HMAC with the secret, not the key nor its plain SHA-256.
    expect(await s.findApiKey(keys(s).hash(key as string))).not.toBeNull();
    expect(await s.findApiKey(hash("sha256", key as string, "hex"))).toBeNull();
    expect(keys(s).hash(key as string)).not.toBe(
      new ApiKeys({ store: s, secret: Buffer.from("another-secret-of-at-least-32-characters"), newId }).hash(
        key as string,
      ),
    );
  });

  it("accepts configured keys without storing them; no bootstrap key then", async () => {
    const s = store();
    const configured = keys(s, {
      environment: [
        { projectId: "p1", key: "k-one-0123456789" },
        { projectId: "p2", key: "k-two-0123456789" },
      ],
    });
    expect(await configured.authenticate("k-two-0123456789")).toMatchObject({ projectId: "p2" });
    expect((await configured.authenticate("k-one-0123456789"))?.keyId).toMatch(/^env_[0-9a-f]{12}$/);
    expect(await s.countApiKeys()).toBe(0);
    expect(await configured.bootstrap(join(mkdtempSync(join(tmpdir(), "tka-keys-")), "api-key"))).toBeNull();
    // After a restart without them they are unknown.
    expect(await keys(s).authenticate("k-one-0123456789")).toBeNull();
    expect(() =>
      keys(s, {
        environment: [
          { projectId: "p1", key: "same-key-0123456789" },
          { projectId: "p2", key: "same-key-0123456789" },
        ],
      }),
    ).toThrow(/one key is given for projects p1 and p2/);
  });

  it("stops accepting a revoked key within the cache time", async () => {
    const s = store();
    let now = 0;
    const ring = keys(s, { now: () => now });
    const { key, record } = await ring.create("p", "ci");
    expect(await ring.authenticate(key)).toMatchObject({ keyId: record.id });
    await s.revokeApiKey(record.id, new Date().toISOString());
    now += 4_999;
    expect(await ring.authenticate(key)).not.toBeNull(); // remembered for up to 5 s
    now += 1;
    expect(await ring.authenticate(key)).toBeNull();
  });

  it("accepts a key stored as a plain SHA-256 (before keyed hashes) and rewrites it at its first use", async () => {
    const s = store();
    const key = newApiKey();
    await s.createApiKey("p", "key_old", hash("sha256", key, "hex"), "old");
    expect((await s.listApiKeys())[0]?.keyed).toBe(false);
    expect(await keys(s).authenticate(key)).toEqual({ keyId: "key_old", projectId: "p" });
    expect((await s.listApiKeys())[0]?.keyed).toBe(true);
    expect(await s.findApiKey(hash("sha256", key, "hex"))).toBeNull();
    expect(await keys(s).authenticate(key)).toEqual({ keyId: "key_old", projectId: "p" });
  });

  it("shows at most a quarter of a key, and 8 characters of a generated one", () => {
    expect(keyPrefix("tka_abcdefghijklmnopqrstuvwxyz234567")).toBe("tka_abcd");
    expect(keyPrefix("0123456789abcdef")).toBe("0123");
    expect(keyPrefix("short")).toBe("s");
    expect(keyPrefix("abc")).toBe("");
  });

  it("reads X-API-Key first, then a bearer token", () => {
    expect(presentedKey({ apiKey: "a", authorization: "Bearer b" })).toBe("a");
    expect(presentedKey({ authorization: "Bearer b" })).toBe("b");
    expect(presentedKey({ authorization: "Basic b" })).toBeNull();
    expect(presentedKey({})).toBeNull();
  });
});
