import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type Commit, StoreUnavailableError, VersionConflictError } from "../types.ts";
import { commitRows } from "./commit-rows.ts";
import { SqliteStore } from "./sqlite-store.ts";
import { ThreadWriter } from "./thread-writer.ts";

function create(id: string, expected = 0): Commit {
  const doc = { id, name: id, start_position: null, metadata: {}, beats: [], created_at: "2026-11-22T12:00:00.000Z" };
  const entry = {
    id: `cmd_${id}`,
    command: { kind: "sequence.create" as const, sequence: doc },
    description: "Create",
    created_at: doc.created_at,
    undone: false,
  };
  return {
    project_id: "p",
    sequence_id: id,
    expected_version: expected,
    doc,
    version: expected + 1,
    updated_at: doc.created_at,
    history: { kind: "append", entry, limit: 100 },
    change: { type: "sequence.created", data: {} },
  };
}

const file = () => join(mkdtempSync(join(tmpdir(), "tka-group-")), "tka.db");
const opened: SqliteStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});
function open(path: string): SqliteStore {
  const store = new SqliteStore(path);
  opened.push(store);
  return store;
}

// In memory the writes run on this thread; on a file, on the writer thread.
describe.each([
  ["in memory", () => ":memory:"],
  ["on a file", file],
])("SQLite group commit %s", (_, path) => {
  it("commits concurrent mutations together; a failing one does not undo the others", async () => {
    const store = open(path());
    const results = await Promise.allSettled([create("a"), create("b", 7), create("c")].map((c) => store.commit(c)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflictError);
    expect(await store.getSequence("p", "a")).not.toBeNull();
    expect(await store.getSequence("p", "b")).toBeNull();
    expect(await store.getSequence("p", "c")).not.toBeNull();
    const events = await store.eventsAfter("p", null, 10);
    expect(events.map((e) => e.sequence_id)).toEqual(["a", "c"]);
  });

  it("a commit failing after its first write is undone alone: the batch is written again, isolated", async () => {
    const store = open(path());
    // b's history entry reuses a's id: b fails at its second statement, after its sequence row.
    const clash = create("b");
    const taken = create("a").history;
    if (clash.history.kind === "append" && taken.kind === "append") clash.history.entry = { ...taken.entry };
    const results = await Promise.allSettled([create("a"), clash, create("c")].map((c) => store.commit(c)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(Database.SqliteError);
    expect(await store.getSequence("p", "b")).toBeNull();
    expect(await store.getSequence("p", "a")).toMatchObject({ version: 1, undo_count: 1, redo_count: 0 });
    const events = await store.eventsFrom("p", 0, 10);
    expect(events.map((e) => [e.sequence_id, e.position])).toEqual([
      ["a", 1],
      ["c", 2],
    ]);
  });

  it("keeps the order of writes, and reports a database error as a SqliteError", async () => {
    const store = open(path());
    const claim = { project_id: "p", key: "k", fingerprint: "f" };
    const [created, claimed, duplicate] = await Promise.allSettled([
      store.commit(create("a")),
      store.claimIdempotencyKey(claim, 60_000),
      store.commit(create("a")),
    ]);
    expect(created.status).toBe("fulfilled");
    expect(claimed).toEqual({ status: "fulfilled", value: { state: "new" } });
    expect((duplicate as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflictError);
    await store.createApiKey("p", "key_1", "hash", "a");
    await expect(store.createApiKey("p", "key_2", "hash", "b")).rejects.toBeInstanceOf(Database.SqliteError);
  });
});

describe("SQLite writer thread", () => {
  it("close waits for the writes already asked for", async () => {
    const path = file();
    const store = new SqliteStore(path);
    const writes = Array.from({ length: 20 }, (_, i) => store.commit(create(`s${i}`)));
    await store.close();
    expect((await Promise.allSettled(writes)).every((r) => r.status === "fulfilled")).toBe(true);
    const again = open(path);
    expect(await again.eventsAfter("p", null, 100)).toHaveLength(20);
  });
});

describe("SQLite writer thread replacement", () => {
  async function migrated(): Promise<string> {
    const path = file();
    await new SqliteStore(path).close(); // creates and migrates the database
    return path;
  }

  it("a writer thread that dies is replaced: what it owed fails, later writes work", async () => {
    const path = await migrated();
    const writer = new ThreadWriter(path);
    await writer.commit(commitRows(create("before")));
    const owed = writer.commit(commitRows(create("owed")));
    await writer.crashThreadForTest();
    await expect(owed).rejects.toThrow(/writer thread stopped/);
    await writer.commit(commitRows(create("after")));
    await writer.close();
    const ids = (await open(path).eventsAfter("p", null, 10)).map((e) => e.sequence_id);
    expect(ids).toEqual(["before", "after"]);
  });

  it("gives up on a thread that keeps dying: later writes fail", async () => {
    const writer = new ThreadWriter(await migrated());
    for (let i = 0; i < 4; i++) await writer.crashThreadForTest();
    await expect(writer.commit(commitRows(create("late")))).rejects.toThrow(/writer thread stopped/);
    expect(writer.failure).toBeInstanceOf(StoreUnavailableError); // the store's ping fails with it
    await writer.close();
  });
});
