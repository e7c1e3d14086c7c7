import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import { authenticate, bootstrapApiKey, ensureApiKeys, presentedKey } from "./api-keys.ts";

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

describe("API keys", () => {
  it("creates one key on first start, stores only its hash, and writes it for the owner only", async () => {
    const s = store();
    const dir = mkdtempSync(join(tmpdir(), "tka-keys-"));
    const key = await bootstrapApiKey(s, join(dir, "api-key"), newId);
    expect(key).toMatch(/^tka_[a-z2-7]{32}$/);
    expect(readFileSync(join(dir, "api-key"), "utf8").trim()).toBe(key);
    expect(statSync(join(dir, "api-key")).mode & 0o777).toBe(0o600);
    expect(await bootstrapApiKey(s, join(dir, "api-key"), newId)).toBeNull();
    expect(await authenticate(s, key as string)).toMatchObject({ projectId: "default" });
    expect(await authenticate(s, "tka_wrong")).toBeNull();
  });

  it("adds configured keys once, each to its project", async () => {
    const s = store();
    await ensureApiKeys(
      s,
      [
        { projectId: "p1", key: "k-one" },
        { projectId: "p2", key: "k-two" },
      ],
      newId,
    );
    await ensureApiKeys(s, [{ projectId: "p1", key: "k-one" }], newId);
    expect(await s.countApiKeys()).toBe(2);
    expect(await authenticate(s, "k-two")).toMatchObject({ projectId: "p2" });
  });

  it("reads X-API-Key first, then a bearer token", () => {
    expect(presentedKey({ apiKey: "a", authorization: "Bearer b" })).toBe("a");
    expect(presentedKey({ authorization: "Bearer b" })).toBe("b");
    expect(presentedKey({ authorization: "Basic b" })).toBeNull();
    expect(presentedKey({})).toBeNull();
  });
});
