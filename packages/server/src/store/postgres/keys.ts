// Idempotency keys and API keys (creation, lookup, listing, revocation, the key secret's fingerprint).
// Idempotency claims: INSERT ... ON CONFLICT DO NOTHING, else the existing row under FOR UPDATE,
// in one transaction, so of many instances claiming one key at once exactly one gets it.
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

const ABANDONED_CLAIM_MS = 60_000;

export async function claimIdempotencyKey(
  pool: pg.Pool,
  claim: IdempotencyClaim,
  ttlMs: number,
): Promise<IdempotencyLookup> {
  const project = storableText(claim.project_id);
  const key = storableText(claim.key);
  return transaction(pool, async (client): Promise<IdempotencyLookup> => {
    // The application clock, as in SQLite (instances are expected to run NTP; the thresholds
    // are a minute and the TTL).
    const now = Date.now();
    for (;;) {
      const inserted = await client.query(
        `INSERT INTO idempotency (project_id, key, fingerprint, response, created_at, expires_at)
         VALUES ($1, $2, $3, NULL, $4, $5) ON CONFLICT (project_id, key) DO NOTHING`,
        [project, key, claim.fingerprint, now, now + ttlMs],
      );
      if (inserted.rowCount === 1) return { state: "new" };
      const { rows } = await client.query<{
        fingerprint: string;
        response: IdempotentResponse | null;
        created_at: string;
        expires_at: string;
      }>(
        `SELECT fingerprint, response, created_at, expires_at FROM idempotency
         WHERE project_id = $1 AND key = $2 FOR UPDATE`,
        [project, key],
      );
      const row = rows[0];
      if (row === undefined) continue; // released between the two statements: claim again
      if (Number(row.expires_at) > now) {
        if (row.fingerprint !== claim.fingerprint) return { state: "mismatch" };
        if (row.response !== null) return { state: "done", response: row.response };
        // A claim whose request never finished (the process died) is abandoned after a minute.
        if (now - Number(row.created_at) < ABANDONED_CLAIM_MS) return { state: "in_progress" };
      }
      await client.query(
        `UPDATE idempotency SET fingerprint = $3, response = NULL, created_at = $4, expires_at = $5
         WHERE project_id = $1 AND key = $2`,
        [project, key, claim.fingerprint, now, now + ttlMs],
      );
      return { state: "new" };
    }
  });
}

export async function releaseIdempotencyKey(pool: pg.Pool, projectId: string, key: string): Promise<void> {
  await pool.query("DELETE FROM idempotency WHERE project_id = $1 AND key = $2", [
    storableText(projectId),
    storableText(key),
  ]);
}

export async function completeIdempotencyKey(
  pool: pg.Pool,
  projectId: string,
  key: string,
  response: IdempotentResponse,
): Promise<void> {
  await pool.query("UPDATE idempotency SET response = $1 WHERE project_id = $2 AND key = $3", [
    JSON.stringify(response),
    storableText(projectId),
    storableText(key),
  ]);
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
