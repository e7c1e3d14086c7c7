import { describe, expect, it } from "vitest";
import { type Commit, VersionConflictError } from "../types.ts";
import { SqliteStore } from "./sqlite-store.ts";

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

describe("SQLite group commit", () => {
  it("commits concurrent mutations together; a failing one does not undo the others", async () => {
    const store = new SqliteStore(":memory:");
    const results = await Promise.allSettled([create("a"), create("b", 7), create("c")].map((c) => store.commit(c)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflictError);
    expect(await store.getSequence("p", "a")).not.toBeNull();
    expect(await store.getSequence("p", "b")).toBeNull();
    expect(await store.getSequence("p", "c")).not.toBeNull();
    const events = await store.eventsAfter("p", null, 10);
    expect(events.map((e) => e.sequence_id)).toEqual(["a", "c"]);
    await store.close();
  });
});
