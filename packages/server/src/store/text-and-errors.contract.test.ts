// The Store contract, unusual text and database errors, on every engine (see contract-harness.ts):
// - U+0000 and lone surrogates never become a database error: documents, commands and events
//   keep them exactly; the text column the name filter searches holds U+FFFD instead,
//   identically on both stores (see text.ts);
// - an error the database raises reaches the caller with its code (PostgreSQL's SQLSTATE,
//   SQLite's result code), whichever path it took (the group commit included), so faults can be
//   told from errors a request caused.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Command, SequenceDoc } from "../domain/index.ts";
import { IdGenerator } from "../ids.ts";
import { isDatabaseFault } from "../resilience/database-faults.ts";
import { SequenceService } from "../service/sequences.ts";
import { alice, engines } from "./contract-harness.ts";
import { type Commit, type Store, VersionConflictError } from "./types.ts";

const NUL = "\u0000";
const LONE = "\ud800";
const REPLACED = "\ufffd";

/** The error a promise rejects with (fails when it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error & { code?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: unknown };
  }
  throw new Error("expected a rejection");
}

for (const engine of engines) {
  describe(`Text and errors: ${engine.name}`, () => {
    const opened: Store[] = [];
    const open = async () => {
      const store = await engine.open();
      opened.push(store);
      return store;
    };
    const serviceOn = (store: Store) => new SequenceService({ store, ids: new IdGenerator(), historyLimit: 100 });

    beforeAll(() => engine.beforeAll(), 60_000);
    afterAll(() => engine.afterAll(), 60_000);
    beforeEach(() => engine.fresh());
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    it("keeps U+0000 and lone surrogates in documents and events, and U+FFFD in text columns", async () => {
      const store = await open();
      const service = serviceOn(store);
      const name = `a${NUL}b${LONE}c`;
      const metadata = { [`k${NUL}`]: `v${NUL}${LONE}`, list: [NUL, "\udc00x"] };
      const made = await service.create(alice, { name, metadata, beats: [{ letter: "A" }] });
      expect(made.name).toBe(name);
      const stored = await store.getSequence(alice.projectId, made.id);
      expect(stored?.doc?.name).toBe(name);
      expect(JSON.stringify(stored?.doc?.metadata)).toBe(JSON.stringify(metadata));
      const [created] = await store.eventsFrom(alice.projectId, 0, 10);
      expect((created?.data as { sequence?: { name?: string } } | undefined)?.sequence?.name).toBe(name);

      // Renamed (the description quotes the name), undone (the stored command is read back), redone.
      const renamed = `x${NUL}y`;
      await service.update(alice, made.id, { name: renamed });
      const history = await store.listHistory(made.id, { limit: 10 });
      // Descriptions quote names as JSON strings (the domain's choice), so they hold no raw U+0000.
      const descriptions = [`Rename to ${JSON.stringify(renamed)}`, `Create sequence ${JSON.stringify(name)}`];
      expect(history.items.map((e) => e.description)).toEqual(descriptions);
      const command = history.items[0]?.command as Extract<Command, { kind: "sequence.update" }> | undefined;
      expect(command?.to.name).toBe(renamed);
      expect((await service.undo(alice, made.id)).sequence?.name).toBe(name);
      expect((await store.historyState(made.id)).redo_description).toBe(descriptions[0]);
      expect((await service.redo(alice, made.id)).sequence?.name).toBe(renamed);

      // The name filter compares the same stand-in on both sides.
      const names = async (contains: string) =>
        (await service.list(alice, { name_contains: contains }, { limit: 10 })).data.map((s) => s.id);
      expect(await names(`x${NUL}`)).toEqual([made.id]);
      expect(await names(`x${REPLACED}y`)).toEqual([made.id]);
      expect(await names(`q${NUL}`)).toEqual([]);
      // (So either one in a filter matches a name that held either: both read U+FFFD there.)
      expect(await names(`x${LONE}y`)).toEqual([made.id]);
      expect(await names(`${LONE}q`)).toEqual([]);

      // Identifiers and keys holding them find nothing, or claim like any other key.
      expect(await store.getSequence(alice.projectId, `seq${NUL}`)).toBeNull();
      expect((await store.historyState(`seq${NUL}`)).undo_count).toBe(0);
      expect((await store.listHistory(`seq${NUL}`, { limit: 5 })).items).toEqual([]);
      const claim = { project_id: alice.projectId, key: `k${NUL}${LONE}`, fingerprint: "f" };
      expect(await store.claimIdempotencyKey(claim, 60_000)).toEqual({ state: "new" });
      await store.completeIdempotencyKey(alice.projectId, claim.key, { status: 200, headers: {}, body: `"${NUL}"` });
      expect(await store.claimIdempotencyKey(claim, 60_000)).toEqual({
        state: "done",
        response: { status: 200, headers: {}, body: `"${NUL}"` },
      });
      await store.releaseIdempotencyKey(alice.projectId, claim.key);
      expect(await store.claimIdempotencyKey(claim, 60_000)).toEqual({ state: "new" });
    });

    it("commits a batch holding such text alongside ordinary commits, all of them", async () => {
      const store = await open();
      const service = serviceOn(store);
      const names = Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0 ? `n${NUL}${i}` : i % 3 === 1 ? `s${LONE}${i}` : `plain ${i}`,
      );
      const made = await Promise.all(names.map((name) => service.create(alice, { name })));
      expect(made.map((s) => s.name)).toEqual(names);
      for (const sequence of made) expect((await service.get(alice, sequence.id)).name).toBe(sequence.name);
    });

    it("reports a database error with its code (not a fault), on the commit path and elsewhere", async () => {
      const store = await open();
      const service = serviceOn(store);
      const made = await service.create(alice, { name: "A" });
      const doc = (await store.getSequence(alice.projectId, made.id))?.doc as SequenceDoc;
      const taken = (await store.listHistory(made.id, { limit: 1 })).items[0]?.id as string;
      const commit: Commit = {
        project_id: alice.projectId,
        sequence_id: made.id,
        expected_version: 1,
        doc: { ...doc, name: "B" },
        version: 2,
        updated_at: new Date().toISOString(),
        // A history entry id already taken: a unique violation after the sequence row was written.
        history: {
          kind: "append",
          entry: {
            id: taken,
            command: { kind: "sequence.update", from: { name: "A" }, to: { name: "B" } },
            description: 'Rename to "B"',
            created_at: new Date().toISOString(),
            undone: false,
          },
          limit: 100,
        },
        change: { type: "sequence.updated", data: {} },
      };
      const unique = engine.name === "PgStore" ? "23505" : "SQLITE_CONSTRAINT_UNIQUE";
      // Alone, and in one group commit with others that succeed or lose a race.
      expect((await failure(store.commit(commit))).code).toBe(unique);
      const other = await service.create(alice, { name: "Other" });
      const results = await Promise.allSettled([
        store.commit(commit),
        store.commit({ ...commit, expected_version: 7, version: 8 }),
        service.update(alice, other.id, { name: "Other 2" }),
      ]);
      expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "fulfilled"]);
      const inBatch = (results[0] as PromiseRejectedResult).reason as { code?: unknown };
      expect(inBatch.code).toBe(unique);
      // Caused by the request, so never counted as a fault of the database.
      expect(isDatabaseFault(inBatch)).toBe(false);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflictError);
      expect((await store.getSequence(alice.projectId, made.id))?.version).toBe(1);

      const key = `hash-${randomBytes(4).toString("hex")}`;
      await store.createApiKey(alice.projectId, "key_1", key, "first");
      const duplicate = await failure(store.createApiKey(alice.projectId, "key_2", key, "second"));
      expect(duplicate.code).toBe(unique);
      expect(isDatabaseFault(duplicate)).toBe(false);
    });
  });
}
