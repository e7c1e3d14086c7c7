// Idempotency keys and API keys (creation, lookup, listing, revocation, the key secret's fingerprint).
// Idempotency keys are claimed, completed and released by one function call each (migration 9):
// one round trip apiece, committed without waiting for a WAL flush (see the migration for why
// that loses nothing a client was told). A claim inserts, or else locks the existing row, so of
// many instances claiming one key at once exactly one gets it.
import type pg from "pg";
import { storableText } from "../text.ts";
import {
  type ApiKeyRecord,
  type IdempotencyClaim,
  type IdempotencyLookup,
  type IdempotentResponse,
  isKeyedHash,
} from "../types.ts";
import { transaction } from "./connection.ts";

/** A claim whose request never finished (the process died) is taken over after this long. */
const ABANDONED_CLAIM_MS = 60_000;

const CLAIM = {
  name: "tka_claim_idempotency",
  text: "SELECT r_state, r_response FROM tka_claim_idempotency($1, $2, $3, $4, $5, $6)",
};
const COMPLETE = { name: "tka_complete_idempotency", text: "SELECT tka_complete_idempotency($1, $2, $3)" };
const RELEASE = { name: "tka_release_idempotency", text: "SELECT tka_release_idempotency($1, $2)" };

export async function claimIdempotencyKey(
  pool: pg.Pool,
  claim: IdempotencyClaim,
  ttlMs: number,
): Promise<IdempotencyLookup> {
  // The application clock, as in SQLite (instances are expected to run NTP; the thresholds are a
  // minute and the TTL).
  const now = Date.now();
  const { rows } = await pool.query<{ r_state: IdempotencyLookup["state"]; r_response: IdempotentResponse | null }>({
    ...CLAIM,
    values: [
      storableText(claim.project_id),
      storableText(claim.key),
      claim.fingerprint,
      now,
      now + ttlMs,
      ABANDONED_CLAIM_MS,
    ],
  });
  const row = rows[0];
  if (row?.r_state === "done" && row.r_response !== null) return { state: "done", response: row.r_response };
  if (row?.r_state === "mismatch" || row?.r_state === "in_progress" || row?.r_state === "new") {
    return { state: row.r_state };
  }
  throw new Error(`tka_claim_idempotency answered ${JSON.stringify(row)}`);
}

export async function releaseIdempotencyKey(pool: pg.Pool, projectId: string, key: string): Promise<void> {
  await pool.query({ ...RELEASE, values: [storableText(projectId), storableText(key)] });
}

/** Stores `response` (its JSON text) unless the same text is stored already. */
export async function completeIdempotencyKey(
  pool: pg.Pool,
  projectId: string,
  response: string,
  key: string,
): Promise<void> {
  await pool.query({ ...COMPLETE, values: [storableText(projectId), storableText(key), response] });
}

/** Most answers remembered: the oldest are forgotten first (then completing costs a round trip). */
const MAX_REMEMBERED = 10_000;

/**
 * The answers commits stored with their idempotency keys, until the request completes the key:
 * the HTTP layer stores every answer of a keyed request once it is sent, which for a commit is
 * usually the answer the commit stored already (same text: nothing to do).
 */
export class StoredAnswers {
  readonly #answers = new Map<string, string>();

  remember(projectId: string, key: string, response: string): void {
    if (this.#answers.size >= MAX_REMEMBERED) {
      const oldest = this.#answers.keys().next();
      if (!oldest.done) this.#answers.delete(oldest.value);
    }
    this.#answers.set(JSON.stringify([projectId, key]), response);
  }

  /** The answer remembered for the key, forgotten as it is taken. */
  take(projectId: string, key: string): string | undefined {
    const id = JSON.stringify([projectId, key]);
    const response = this.#answers.get(id);
    this.#answers.delete(id);
    return response;
  }
}

/** The key with this hash, unless it was revoked. */
export async function findApiKey(
  pool: pg.Pool,
  keyHash: string,
): Promise<{ key_id: string; project_id: string } | null> {
  const { rows } = await pool.query<{ key_id: string; project_id: string }>(
    "SELECT id AS key_id, project_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
    [storableText(keyHash)],
  );
  return rows[0] ?? null;
}

export async function createApiKey(
  pool: pg.Pool,
  projectId: string,
  keyId: string,
  keyHash: string,
  name: string,
  prefix?: string,
): Promise<void> {
  await pool.query(
    "INSERT INTO api_keys (id, project_id, key_hash, name, created_at, prefix) VALUES ($1, $2, $3, $4, $5, $6)",
    [keyId, projectId, keyHash, storableText(name), new Date().toISOString(), prefix ?? null],
  );
}

export async function countApiKeys(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM api_keys");
  return Number(rows[0]?.n ?? 0);
}

const API_KEY_COLUMNS = "id, project_id, name, prefix, created_at, revoked_at, key_hash";

interface ApiKeyRow {
  id: string;
  project_id: string;
  name: string;
  prefix: string | null;
  created_at: string;
  revoked_at: string | null;
  key_hash: string;
}

function toApiKeyRecord({ key_hash, ...row }: ApiKeyRow): ApiKeyRecord {
  return { ...row, keyed: isKeyedHash(key_hash) };
}

export async function listApiKeys(pool: pg.Pool, projectId?: string): Promise<ApiKeyRecord[]> {
  const { rows } = await pool.query<ApiKeyRow>(
    `SELECT ${API_KEY_COLUMNS} FROM api_keys ${projectId === undefined ? "" : "WHERE project_id = $1"}
     ORDER BY created_at COLLATE "C", id COLLATE "C"`,
    projectId === undefined ? [] : [projectId],
  );
  return rows.map(toApiKeyRecord);
}

export async function revokeApiKey(pool: pg.Pool, keyId: string, revokedAt: string): Promise<ApiKeyRecord | null> {
  const { rows } = await pool.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING ${API_KEY_COLUMNS}`,
    [storableText(keyId), revokedAt],
  );
  return rows[0] === undefined ? null : toApiKeyRecord(rows[0]);
}

export async function replaceApiKeyHash(pool: pg.Pool, keyId: string, fromHash: string, toHash: string): Promise<void> {
  await pool.query("UPDATE api_keys SET key_hash = $3 WHERE id = $1 AND key_hash = $2", [keyId, fromHash, toHash]);
}

export async function claimKeySecretFingerprint(pool: pg.Pool, fingerprint: string): Promise<string> {
  await pool.query("INSERT INTO key_secret (id, fingerprint) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", [
    fingerprint,
  ]);
  const { rows } = await pool.query<{ fingerprint: string }>("SELECT fingerprint FROM key_secret");
  return rows[0]?.fingerprint ?? fingerprint;
}

export async function replaceKeySecretFingerprint(
  pool: pg.Pool,
  fingerprint: string,
  revokedAt: string,
): Promise<number> {
  return transaction(pool, async (client) => {
    await client.query(
      `INSERT INTO key_secret (id, fingerprint) VALUES (1, $1)
       ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint`,
      [fingerprint],
    );
    const revoked = await client.query("UPDATE api_keys SET revoked_at = $1 WHERE revoked_at IS NULL", [revokedAt]);
    return revoked.rowCount ?? 0;
  });
}
