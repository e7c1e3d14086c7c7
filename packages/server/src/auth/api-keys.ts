// API keys: `tka_` + 32 random base32 characters (160 bits). Stored keys are kept as an
// HMAC-SHA-256 keyed with the server's secret (key-secret.ts), never as the key; each belongs to
// one project and sees only that project's sequences. Keys from API_KEYS live in memory only, so
// one removed from the environment stops working at the next start. Hashes from before keyed
// hashes (a plain SHA-256) still work and are rewritten with the keyed hash at their first use.

import { createHmac, hash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError } from "../config.ts";
import { DIR_MODE, FILE_MODE } from "../data-dir.ts";
import { type ApiKeyRecord, KEYED_HASH_SCHEME, type Store } from "../store/types.ts";

const alphabet = "abcdefghijklmnopqrstuvwxyz234567";

export function newApiKey(): string {
  return `tka_${[...randomBytes(32)].map((b) => alphabet[b & 31]).join("")}`;
}

/**
 * What logs and listings show of a key: its first characters, never more than a quarter of it
 * (`tka_` and 4 random characters of a generated key: 20 of its 160 bits).
 */
export function keyPrefix(key: string): string {
  return key.slice(0, Math.min(key.startsWith("tka_") ? 8 : 4, Math.floor(key.length / 4)));
}

/** The hash stored before keyed hashes (looked up once per unknown key, then rewritten). */
function legacyHash(key: string): string {
  return hash("sha256", key, "hex");
}

export interface Principal {
  keyId: string;
  projectId: string;
}

/** Known keys are remembered this long, so a revocation takes effect within it on every instance. */
const CACHE_MS = 5_000;
const CACHE_MAX = 10_000;

export interface ApiKeysOptions {
  store: Store;
  secret: Buffer;
  /** Keys from API_KEYS: accepted while configured, never stored. */
  environment?: readonly { projectId: string; key: string }[];
  newId: () => string;
  now?: () => number;
}

export class ApiKeys {
  readonly #store: Store;
  readonly #secret: Buffer;
  readonly #newId: () => string;
  readonly #now: () => number;
  readonly #environment = new Map<string, Principal>();
  /** By the presented key: a hit costs no hash at all. */
  readonly #cache = new Map<string, { principal: Principal; until: number }>();

  constructor(options: ApiKeysOptions) {
    this.#store = options.store;
    this.#secret = options.secret;
    this.#newId = options.newId;
    this.#now = options.now ?? Date.now;
    for (const { projectId, key } of options.environment ?? []) {
      const known = this.#environment.get(key);
      if (known !== undefined && known.projectId !== projectId) {
        throw new ConfigError(`api-keys: one key is given for projects ${known.projectId} and ${projectId}`);
      }
      // A stable id that says which configured key was used, derived from the keyed hash.
      const keyId = `env_${this.hash(key).slice(KEYED_HASH_SCHEME.length, KEYED_HASH_SCHEME.length + 12)}`;
      this.#environment.set(key, { keyId, projectId });
    }
  }

  /** The hash a key is stored under. */
  hash(key: string): string {
    return `${KEYED_HASH_SCHEME}${createHmac("sha256", this.#secret).update(key).digest("hex")}`;
  }

  /**
   * The principal of a key known without a lookup (configured, or looked up recently), else
   * undefined: `authenticate` then decides. For paths that must not wait (http/fast-read.ts).
   */
  known(key: string): Principal | undefined {
    const configured = this.#environment.get(key);
    if (configured !== undefined) return configured;
    const hit = this.#cache.get(key);
    return hit !== undefined && hit.until > this.#now() ? hit.principal : undefined;
  }

  /** Resolves a presented key to its project, or null when it is unknown or revoked. */
  async authenticate(key: string): Promise<Principal | null> {
    const configured = this.#environment.get(key);
    if (configured !== undefined) return configured;
    const now = this.#now();
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      if (hit.until > now) return hit.principal;
      this.#cache.delete(key);
    }
    const keyed = this.hash(key);
    let found = await this.#store.findApiKey(keyed);
    if (found === null) {
      const legacy = legacyHash(key);
      found = await this.#store.findApiKey(legacy);
      // Best effort: a failed rewrite is retried at the next use.
      if (found !== null) await this.#store.replaceApiKeyHash(found.key_id, legacy, keyed).catch(() => {});
    }
    if (found === null) return null;
    const principal = { keyId: found.key_id, projectId: found.project_id };
    if (this.#cache.size >= CACHE_MAX) this.#cache.clear();
    this.#cache.set(key, { principal, until: now + CACHE_MS });
    return principal;
  }

  /** Creates a key for a project; the key itself is in the answer only. */
  async create(projectId: string, name: string): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = newApiKey();
    const id = this.#newId();
    await this.#store.createApiKey(projectId, id, this.hash(key), name, keyPrefix(key));
    const record = (await this.#store.listApiKeys(projectId)).find((k) => k.id === id);
    if (record === undefined) throw new Error(`key ${id} was not stored`);
    return { key, record };
  }

  /**
   * Secure by default: on the first start (no key was ever stored, none is configured) one key
   * is created for the default project, written to `file` (readable by the owner only) and
   * returned, to be printed once.
   */
  async bootstrap(file: string): Promise<string | null> {
    if (this.#environment.size > 0 || (await this.#store.countApiKeys()) > 0) return null;
    const { key } = await this.create("default", "bootstrap");
    if (!existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true, mode: DIR_MODE });
    writeFileSync(file, `${key}\n`, { mode: FILE_MODE });
    chmodSync(file, FILE_MODE);
    return key;
  }
}

/** The credential a request presents: `X-API-Key`, else `Authorization: Bearer`. */
export function presentedKey(headers: {
  apiKey?: string | undefined;
  authorization?: string | undefined;
}): string | null {
  if (headers.apiKey) return headers.apiKey.trim();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "");
  return match?.[1] ?? null;
}
