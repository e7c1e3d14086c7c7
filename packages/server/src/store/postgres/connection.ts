// The pool's plumbing: the connection settings that bound every round trip, applying migrations
// at start and running a transaction on one connection.
import pg from "pg";
import {
  ANSWER_TIMEOUT_MESSAGE,
  BoundedClient,
  type BoundedClientConfig,
  CONNECT_TIMEOUT_MESSAGE,
  POOL_WAIT_TIMEOUT_MESSAGE,
} from "./bounded-client.ts";
import { migrations } from "./migrations.ts";

/** The longest wait for one round trip by default (the setting is `database-timeout`). */
export const DEFAULT_DATABASE_TIMEOUT_MS = 5_000;
/** How much longer than PostgreSQL's own statement timeout this side waits for an answer. */
const ANSWER_MARGIN_MS = 1_000;

/** Pool settings for bounded clients (`new BoundedClient(config)` takes them as they are). */
export type BoundedPoolConfig = pg.PoolConfig & BoundedClientConfig;

/**
 * Pool settings under which no round trip waits longer than about `timeoutMs` (docs/store.md,
 * "every round trip is bounded"): PostgreSQL cancels a statement that runs longer (SQLSTATE
 * 57014; it is rolled back, a definite failure); a server that does not answer at all (hung, or a
 * network black hole) is given up a second later on this side ("Query read timeout", measured by
 * BoundedClient so that a blocked event loop cannot fake it), and its connection destroyed, not
 * returned to the pool; so is a connection that cannot be made, or a pool with no connection
 * free, within `timeoutMs`.
 */
export function boundedPoolConfig(url: string, timeoutMs: number, max: number): BoundedPoolConfig {
  return {
    Client: BoundedClient,
    connectionString: url,
    max,
    connectionTimeoutMillis: timeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: "tka-server",
    statement_timeout: timeoutMs,
    answerTimeoutMs: timeoutMs + ANSWER_MARGIN_MS,
    // A transaction left open by a connection this side gave up on does not hold locks for long.
    idle_in_transaction_session_timeout: Math.max(10_000, 2 * timeoutMs),
    // The kernel notices a peer that is gone for good (a slow backstop; the timeouts come first).
    keepAlive: true,
  };
}

/** True when a statement got no answer in time (BoundedClient; the connection it was sent on is unusable). */
export function isAnswerTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === ANSWER_TIMEOUT_MESSAGE;
}

/** The messages when a connection could not be had in time (a free pooled one, a new one). */
const CONNECT_TIMEOUTS = new Set([POOL_WAIT_TIMEOUT_MESSAGE, CONNECT_TIMEOUT_MESSAGE]);

/** True when the database did not answer in time: no answer to a statement, or no connection. */
export function isNoAnswer(error: unknown): boolean {
  return isAnswerTimeout(error) || (error instanceof Error && CONNECT_TIMEOUTS.has(error.message));
}

/** Key of the session advisory lock held while migrating (any constant unique to this app). */
const MIGRATION_LOCK = 7_351_946_021;

/**
 * Applies the pending migrations, one transaction each, under a session advisory lock: a second
 * instance starting at the same time waits, then finds everything applied. On a connection of its
 * own without the statement and answer timeouts: a migration may rightly take long on a big
 * database, and so may waiting for another instance's migration.
 */
export async function migrate(config: BoundedPoolConfig): Promise<void> {
  const {
    statement_timeout,
    answerTimeoutMs,
    idle_in_transaction_session_timeout,
    max,
    idleTimeoutMillis,
    Client,
    ...rest
  } = config;
  const client = new pg.Client(rest);
  client.on("error", () => {}); // reported by the query that meets it
  await client.connect();
  try {
    // Session-level: held across the per-migration transactions, released below (or when the
    // connection drops).
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await client.query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
      );
      const applied = new Set(
        (await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map((r) => r.version),
      );
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await client.query("BEGIN");
        try {
          await client.query(migration.sql);
          await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
            migration.version,
            migration.name,
            new Date().toISOString(),
          ]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw error;
        }
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs `work` in one transaction on one pooled connection; rolls back when it throws. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    // A statement that got no answer is still running on the connection: a ROLLBACK would queue
    // behind it and wait another timeout. Dropping the connection rolls back just the same.
    if (isAnswerTimeout(error)) {
      broken = error as Error;
      throw error;
    }
    try {
      await client.query("ROLLBACK");
    } catch (rollbackError) {
      // The connection is unusable: drop it from the pool rather than hand it out again.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}
