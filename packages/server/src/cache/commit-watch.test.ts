import { afterEach, describe, expect, it } from "vitest";
import { IdGenerator } from "../ids.ts";
import { SequenceService } from "../service/sequences.ts";
import { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import { watchCommits } from "./commit-watch.ts";

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe("watchCommits", () => {
  it("reports the sequence when each commit starts and ends, and passes everything else through", async () => {
    const raw = new SqliteStore(":memory:");
    stores.push(raw);
    const seen: string[] = [];
    const store = watchCommits(raw, {
      commitStarted: (id) => seen.push(`start ${id}`),
      commitEnded: (id) => seen.push(`end ${id}`),
    });
    const service = new SequenceService({ store, ids: new IdGenerator(), historyLimit: 10 });
    const caller = { projectId: "p" };
    const created = await service.create(caller, { name: "A", length: 1 } as never, {});
    expect(seen).toEqual([`start ${created.id}`, `end ${created.id}`]);
    expect((await service.get(caller, created.id)).version).toBe(1);
    expect(store.engine).toBe("sqlite");
    await expect(service.update(caller, created.id, { name: "B" }, { ifMatch: '"9"' })).rejects.toThrow();
    expect(seen).toHaveLength(2);
    await service.update(caller, created.id, { name: "B" }, {});
    expect(seen).toEqual([`start ${created.id}`, `end ${created.id}`, `start ${created.id}`, `end ${created.id}`]);
  });

  it("reports the end of a commit that failed too", async () => {
    const raw = new SqliteStore(":memory:");
    stores.push(raw);
    await raw.close();
    const seen: string[] = [];
    const store = watchCommits(raw, {
      commitStarted: (id) => seen.push(`start ${id}`),
      commitEnded: (id) => seen.push(`end ${id}`),
    });
    await expect(store.commit({ sequence_id: "s" } as never)).rejects.toThrow();
    expect(seen).toEqual(["start s", "end s"]);
  });
});
