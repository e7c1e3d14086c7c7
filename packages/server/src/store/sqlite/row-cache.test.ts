// The row cache of a store that makes every write to its file: what it answers is what SQLite
// holds (compared with a second store on the same file, which reads SQLite), a failed commit
// leaves nothing stale behind, and its bounds hold.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SequenceService } from "../../service/sequences.ts";
import { VersionConflictError } from "../types.ts";
import { RowCache } from "./row-cache.ts";
import { SqliteStore } from "./sqlite-store.ts";

const opened: SqliteStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

function stores() {
  const path = join(mkdtempSync(join(tmpdir(), "tka-rows-")), "tka.db");
  const cached = new SqliteStore(path, { onlyWriter: true });
  const plain = new SqliteStore(path);
  opened.push(cached, plain);
  let n = 0;
  const service = new SequenceService({ store: cached, ids: { newId: (kind) => `${kind}_${++n}` }, historyLimit: 3 });
  return { cached, plain, service };
}

const alice = { projectId: "proj_alice" };

describe("SQLite row cache (onlyWriter)", () => {
  it("answers what SQLite holds after creates, patches, undo, redo, beats and deletes", async () => {
    const { cached, plain, service } = stores();
    const made = await service.create(alice, { name: "Rows", length: 2 });
    const same = async () =>
      expect(await cached.getSequence(alice.projectId, made.id)).toEqual(
        await plain.getSequence(alice.projectId, made.id),
      );
    await same();
    for (let i = 0; i < 5; i++) await service.update(alice, made.id, { metadata: { i } }); // past the history limit
    await same();
    await service.undo(alice, made.id);
    await service.undo(alice, made.id);
    await same();
    await service.redo(alice, made.id);
    await same();
    await service.addBeat(alice, made.id, { letter: "B" });
    await same();
    expect(await cached.getSequence(alice.projectId, made.id)).toMatchObject({ undo_count: 3, redo_count: 0 });
    await service.delete(alice, made.id);
    await same();
    expect(await cached.getSequence("proj_other", made.id)).toBeNull();
  });

  it("drops a sequence whose commit failed: the next read asks SQLite", async () => {
    const { cached, plain, service } = stores();
    const made = await service.create(alice, { name: "Rows", length: 1 });
    // Another writer (here: a second store on the file) changes the row behind the cache.
    const other = new SequenceService({ store: plain, ids: { newId: (k) => `${k}_x` }, historyLimit: 3 });
    await other.update(alice, made.id, { name: "Elsewhere" });
    const stale = await cached.getSequence(alice.projectId, made.id);
    expect(stale?.version).toBe(1); // what this store committed last
    await expect(
      cached.commit({
        project_id: alice.projectId,
        sequence_id: made.id,
        expected_version: 1,
        doc: stale?.doc ?? null,
        version: 2,
        updated_at: new Date().toISOString(),
        history: { kind: "set_undone", entry_id: "none", undone: true },
        change: { type: "sequence.updated", data: {} },
      }),
    ).rejects.toBeInstanceOf(VersionConflictError);
    expect(await cached.getSequence(alice.projectId, made.id)).toMatchObject({
      version: 2,
      doc: { name: "Elsewhere" },
    });
  });

  it("keeps at most its entries and document bytes, evicting the oldest", () => {
    const rows = new RowCache({ maxEntries: 2, maxBytes: 10 });
    const row = (id: string, doc: string) => ({
      id,
      project_id: "p",
      doc,
      version: 1,
      updated_at: "",
      undo_count: 0,
      redo_count: 0,
    });
    rows.set(row("a", "1234"));
    rows.set(row("b", "1234"));
    rows.set(row("c", "1234"));
    expect([rows.get("a"), rows.get("b")?.id, rows.get("c")?.id]).toEqual([undefined, "b", "c"]);
    rows.set(row("d", "123456789"));
    expect([rows.size, rows.get("d")?.id]).toEqual([1, "d"]);
    rows.set(row("e", "x".repeat(11)));
    expect([rows.size, rows.get("e")]).toEqual([1, undefined]);
  });
});
