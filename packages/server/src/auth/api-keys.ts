// API keys: `tka_` + 32 random base32 characters. Only their SHA-256 is stored; each key belongs
// to one project and sees only that project's sequences.
import { hash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Store } from "../store/types.ts";

const alphabet = "abcdefghijklmnopqrstuvwxyz234567";

export function newApiKey(): string {
  return `tka_${[...randomBytes(32)].map((b) => alphabet[b & 31]).join("")}`;
}

export function hashApiKey(key: string): string {
  return hash("sha256", key, "hex"); // one-shot: no Hash object per request
}

export interface Principal {
  keyId: string;
  projectId: string;
}

/** Known keys are remembered for a minute, so a request costs a hash, not a database read. */
const CACHE_MS = 60_000;
const CACHE_MAX = 10_000;
const cache = new WeakMap<Store, Map<string, { principal: Principal; until: number }>>();

/** Resolves a presented key to its project, or null when the key is unknown. */
export async function authenticate(store: Store, key: string): Promise<Principal | null> {
  const hash = hashApiKey(key);
  let known = cache.get(store);
  if (known === undefined) {
    known = new Map();
    cache.set(store, known);
  }
  const hit = known.get(hash);
  if (hit !== undefined && hit.until > Date.now()) return hit.principal;
  const found = await store.findApiKey(hash);
  if (found === null) return null;
  const principal = { keyId: found.key_id, projectId: found.project_id };
  if (known.size >= CACHE_MAX) known.clear();
  known.set(hash, { principal, until: Date.now() + CACHE_MS });
  return principal;
}

/** Keys configured at start (`API_KEYS=project=key,...`): added when not stored yet. */
export async function ensureApiKeys(
  store: Store,
  keys: readonly { projectId: string; key: string }[],
  newId: () => string,
): Promise<void> {
  for (const { projectId, key } of keys) {
    if ((await store.findApiKey(hashApiKey(key))) === null) {
      await store.createApiKey(projectId, newId(), hashApiKey(key), "configured");
    }
  }
}

/**
 * Secure by default: with no key at all, the first start creates one for the default project,
 * writes it to `file` (readable by the owner only) and returns it so it can be printed once.
 */
export async function bootstrapApiKey(store: Store, file: string, newId: () => string): Promise<string | null> {
  if ((await store.countApiKeys()) > 0) return null;
  const key = newApiKey();
  await store.createApiKey("default", newId(), hashApiKey(key), "bootstrap");
  if (!existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
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
