import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { prepareDataDir, restrictSqliteFiles } from "./data-dir.ts";
import { IdGenerator } from "./ids.ts";
import { SequenceService } from "./service/sequences.ts";
import { SqliteStore } from "./store/sqlite/sqlite-store.ts";

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("data files", () => {
  it("creates the data directory for this user only, and leaves an existing one's mode alone", () => {
    const root = mkdtempSync(join(tmpdir(), "tka-dir-"));
    prepareDataDir(join(root, "a", "data"));
    expect(modeOf(join(root, "a", "data"))).toBe(0o700);
    prepareDataDir(root);
    expect(modeOf(root)).toBe(0o700); // mkdtemp's own mode
  });

  it("creates the SQLite database, its WAL and shared memory 0600, and narrows older files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tka-dir-"));
    const path = join(dir, "db", "tka.db");
    restrictSqliteFiles(path);
    const store = new SqliteStore(path);
    const service = new SequenceService({ store, ids: new IdGenerator(), historyLimit: 10 });
    await service.create({ projectId: "p" }, { name: "written" });
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(modeOf(file), file).toBe(0o600);
    expect(modeOf(join(dir, "db"))).toBe(0o700);
    await store.close();

    const old = join(dir, "old.db");
    writeFileSync(old, "", { mode: 0o644 });
    writeFileSync(`${old}-wal`, "", { mode: 0o644 });
    restrictSqliteFiles(old);
    expect(modeOf(old)).toBe(0o600);
    expect(modeOf(`${old}-wal`)).toBe(0o600);
  });
});
