// The store contract suites' shared harness: the engines (SqliteStore always; PgStore when
// TKA_TEST_DATABASE_URL names a PostgreSQL server, and on CI a missing URL fails instead of
// skipping) and small helpers.
//
// Isolation: SQLite gets a new file per test. PostgreSQL gets one database per run of a suite
// file (random name, dropped afterwards) and one schema per test, selected with search_path; every
// store a test opens points at the same data, so "two instances" are two pools on one schema.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, it } from "vitest";
import { PgStore } from "./postgres/pg-store.ts";
import { SqliteStore } from "./sqlite/sqlite-store.ts";
import type { Store } from "./types.ts";

export interface Engine {
  name: string;
  beforeAll(): Promise<void>;
  afterAll(): Promise<void>;
  /** New, empty data for the next test. */
  fresh(): Promise<void>;
  /** Opens another store instance on the current test's data. */
  open(): Promise<Store>;
}

export function sqliteEngine(): Engine & { path(): string } {
  let path = "";
  return {
    name: "SqliteStore",
    beforeAll: async () => {},
    afterAll: async () => {},
    fresh: async () => {
      path = join(mkdtempSync(join(tmpdir(), "tka-contract-")), "tka.db");
    },
    open: async () => new SqliteStore(path),
    path: () => path,
  };
}

export function pgEngine(url: string): Engine & { schemaUrl(): string } {
  const database = `tka_test_${randomBytes(6).toString("hex")}`;
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${database}`;
  let schemaUrl = "";
  let schemas = 0;
  const admin = async <T>(target: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: "PgStore",
    beforeAll: () => admin(url, async (c) => void (await c.query(`CREATE DATABASE ${database}`))),
    afterAll: () => admin(url, async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`))),
    fresh: async () => {
      const schema = `t${++schemas}`;
      await admin(databaseUrl.href, (c) => c.query(`CREATE SCHEMA ${schema}`));
      const next = new URL(databaseUrl.href);
      next.searchParams.set("options", `-c search_path=${schema}`);
      schemaUrl = next.href;
    },
    open: () => PgStore.connect(schemaUrl),
    schemaUrl: () => schemaUrl,
  };
}

const pgUrl = process.env.TKA_TEST_DATABASE_URL;
export const engines: (Engine & { schemaUrl?(): string; path?(): string })[] = [sqliteEngine()];
if (pgUrl) engines.push(pgEngine(pgUrl));
else if (process.env.CI === "true") {
  describe("Store contract: PgStore", () => {
    it("runs on CI", () => {
      throw new Error(
        "CI=true but TKA_TEST_DATABASE_URL is not set: start PostgreSQL with tools/scripts/postgres.sh and export its URL",
      );
    });
  });
}

export const alice = { projectId: "prj_alice" };
export const bob = { projectId: "prj_bob" };

/** A clock for the service: every call is one millisecond later (or frozen, to force ties). */
export function clock(start = Date.parse("2031-01-01T00:00:00.000Z")) {
  let t = start;
  let frozen = false;
  return {
    now: () => new Date(frozen ? t : t++).toISOString(),
    freeze: (on: boolean) => {
      frozen = on;
    },
    peek: () => new Date(t).toISOString(),
  };
}

export async function rejects<T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected ${type.name}`);
}

export async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
