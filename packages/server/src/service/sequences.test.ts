import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DomainError } from "../domain/index.ts";
import { IdGenerator } from "../ids.ts";
import { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { StoredEvent } from "../store/types.ts";
import { ServiceError } from "./errors.ts";
import { SequenceService } from "./sequences.ts";

const alice = { projectId: "prj_alice" };
const bob = { projectId: "prj_bob" };
const stores: SqliteStore[] = [];

function setup(path = join(mkdtempSync(join(tmpdir(), "tka-svc-")), "tka.db"), historyLimit = 100) {
  const store = new SqliteStore(path);
  stores.push(store);
  const events: StoredEvent[] = [];
  const service = new SequenceService({
    store,
    ids: new IdGenerator(),
    historyLimit,
    publish: (e) => events.push(e),
  });
  return { service, store, events, path };
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function rejects<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected ${type.name}`);
}

describe("SequenceService on SQLite", () => {
  it("creates by length and by beats, derives the word, and answers the history state", async () => {
    const { service } = setup();
    const blank = await service.create(alice, { name: "Blank", length: 4 });
    expect(blank).toMatchObject({ length: 4, word: "", version: 1, total_duration: 4 });
    const flow = await service.create(alice, {
      name: "Flow",
      beats: [{ letter: "a" }, { is_blank: true, letter: "x" }, { letter: "c", duration: 0.5 }],
    });
    expect(flow).toMatchObject({ word: "AC", length: 3, total_duration: 2.5 });
    expect(flow.history).toEqual({
      can_undo: true,
      can_redo: false,
      undo_description: 'Create sequence "Flow"',
      redo_description: null,
      undo_count: 1,
      redo_count: 0,
    });
    expect(await service.get(alice, flow.id)).toEqual(flow);
  });

  it("lists newest first across pages, with filters, and only the caller's project", async () => {
    const { service } = setup();
    for (let i = 0; i < 5; i++) await service.create(alice, { name: `Seq ${i}`, length: i + 1 });
    await service.create(bob, { name: "Bob's" });
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.list(alice, {}, { limit: 2, cursor });
      names.push(...page.data.map((s) => s.name));
      cursor = page.next_cursor ?? undefined;
      expect(page.has_more).toBe(cursor !== undefined);
    } while (cursor);
    expect(names).toEqual(["Seq 4", "Seq 3", "Seq 2", "Seq 1", "Seq 0"]);
    const filtered = await service.list(alice, { min_length: 2, max_length: 3, name_contains: "SEQ" }, { limit: 10 });
    expect(filtered.data.map((s) => s.name)).toEqual(["Seq 2", "Seq 1"]);
    await rejects(service.list(alice, {}, { limit: 2, cursor: "garbage" }), ServiceError);
  });

  it("never shows a sequence to another project", async () => {
    const { service } = setup();
    const seq = await service.create(alice, { name: "Mine" });
    expect((await rejects(service.get(bob, seq.id), ServiceError)).code).toBe("NOT_FOUND");
    expect((await rejects(service.update(bob, seq.id, { name: "x" }), ServiceError)).code).toBe("NOT_FOUND");
    expect((await rejects(service.undo(bob, seq.id), ServiceError)).code).toBe("NOT_FOUND");
  });

  it("edits beats, undoes and redoes every kind of mutation, deletion included", async () => {
    const { service, events } = setup();
    const s0 = await service.create(alice, { name: "Flow", beats: [{ letter: "A" }, { letter: "B" }] });
    const [a, b] = s0.beats;
    const steps = [
      () => service.addBeat(alice, s0.id, { letter: "C" }),
      () => service.addBeat(alice, s0.id, { letter: "Z", position: 0 }),
      () => service.updateBeat(alice, s0.id, a?.id as string, { letter: "q", duration: 2 }),
      () => service.moveBeat(alice, s0.id, b?.id as string, 0),
      () => service.removeBeat(alice, s0.id, a?.id as string),
      () => service.replaceBeats(alice, s0.id, [{ letter: "K" }]),
      () => service.update(alice, s0.id, { name: "Renamed", metadata: { tempo: 96 } }),
    ];
    const states = [s0];
    for (const step of steps) states.push(await step());
    expect(states.map((s) => s.word)).toEqual(["AB", "ABC", "ZABC", "ZQBC", "BZQC", "BZC", "K", "K"]);
    expect(states.at(-1)?.history.undo_description).toBe("Update name and metadata");

    const deletion = await service.delete(alice, s0.id);
    expect(deletion).toMatchObject({
      deleted: true,
      version: 9,
      history: { undo_description: 'Delete sequence "Renamed"' },
    });
    expect((await rejects(service.get(alice, s0.id), ServiceError)).code).toBe("NOT_FOUND");

    const restored = await service.undo(alice, s0.id);
    expect(restored.entry).toMatchObject({ command: "sequence.delete", undone: true });
    expect(restored.sequence?.name).toBe("Renamed");
    for (let i = states.length - 1; i >= 1; i--) {
      const back = await service.undo(alice, s0.id);
      expect(back.sequence?.word).toBe(states[i - 1]?.word);
      expect(back.sequence?.beats).toEqual(states[i - 1]?.beats);
    }
    const gone = await service.undo(alice, s0.id);
    expect(gone.sequence).toBeNull();
    expect((await rejects(service.undo(alice, s0.id), DomainError)).code).toBe("NOTHING_TO_UNDO");
    let last = gone;
    for (let i = 0; i < states.length; i++) last = await service.redo(alice, s0.id);
    expect(last.sequence?.beats).toEqual(states.at(-1)?.beats);
    expect(last.history).toMatchObject({ can_redo: true, redo_description: 'Delete sequence "Renamed"' });
    expect(events.map((e) => e.type).slice(0, 9)).toEqual([
      "sequence.created",
      "beat.added",
      "beat.added",
      "beat.updated",
      "beat.moved",
      "beat.removed",
      "sequence.updated",
      "sequence.updated",
      "sequence.deleted",
    ]);
    expect(events.at(-1)).toMatchObject({ type: "command.redone", sequence_version: last.sequence?.version });
  });

  it("a new command clears redo; a patch that changes nothing records nothing", async () => {
    const { service } = setup();
    const seq = await service.create(alice, { name: "A" });
    await service.update(alice, seq.id, { name: "B" });
    await service.undo(alice, seq.id);
    const same = await service.update(alice, seq.id, { name: "A" });
    expect(same.version).toBe(3);
    const renamed = await service.update(alice, seq.id, { name: "C" });
    expect(renamed.history).toMatchObject({ can_redo: false, undo_count: 2 });
    expect(renamed.version).toBe(4);
  });

  it("refuses a stale If-Match with VERSION_MISMATCH and the current version", async () => {
    const { service } = setup();
    const seq = await service.create(alice, { name: "A" });
    await service.update(alice, seq.id, { name: "B" }, { ifMatch: '"1"' });
    const error = await rejects(service.update(alice, seq.id, { name: "C" }, { ifMatch: '"1"' }), ServiceError);
    expect(error).toMatchObject({ code: "VERSION_MISMATCH", currentVersion: 2 });
    expect((await service.get(alice, seq.id)).name).toBe("B");
    await service.update(alice, seq.id, { name: "C" }, { ifMatch: "*" });
  });

  it("serialises concurrent writers without losing an update", async () => {
    const { service } = setup();
    const seq = await service.create(alice, { name: "A", length: 1 });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => service.addBeat(alice, seq.id, { letter: "B", metadata: { i } })),
    );
    const after = await service.get(alice, seq.id);
    expect(after.length).toBe(21);
    expect(after.version).toBe(21);
  });

  it("keeps the history bounded and lists it newest first across pages", async () => {
    const { service } = setup(undefined, 5);
    const seq = await service.create(alice, { name: "A" });
    for (let i = 0; i < 8; i++) await service.update(alice, seq.id, { name: `N${i}` });
    const first = await service.listHistory(alice, seq.id, { limit: 3 });
    expect(first.data.map((e) => e.description)).toEqual(['Rename to "N7"', 'Rename to "N6"', 'Rename to "N5"']);
    const second = await service.listHistory(alice, seq.id, { limit: 3, cursor: first.next_cursor ?? "" });
    expect(second.data.map((e) => e.description)).toEqual(['Rename to "N4"', 'Rename to "N3"']);
    expect(second).toMatchObject({ has_more: false, next_cursor: null, state: { undo_count: 5 } });
  });

  it("keeps every acknowledged change and the history across a restart", async () => {
    const first = setup();
    const seq = await first.service.create(alice, { name: "Durable", length: 2 });
    await first.service.addBeat(alice, seq.id, { letter: "D" });
    await first.store.close();
    const second = setup(first.path);
    expect((await second.service.get(alice, seq.id)).word).toBe("D");
    const undone = await second.service.undo(alice, seq.id);
    expect(undone.sequence?.length).toBe(2);
    expect((await second.store.eventsAfter(alice.projectId, null, 10)).map((e) => e.type)).toEqual([
      "sequence.created",
      "beat.added",
      "command.undone",
    ]);
  });

  it("stores the idempotent answer in the same transaction as the change", async () => {
    const { service, store } = setup();
    const claim = { project_id: alice.projectId, key: "k1", fingerprint: "f1" };
    expect(await store.claimIdempotencyKey(claim, 60_000)).toEqual({ state: "new" });
    expect(await store.claimIdempotencyKey(claim, 60_000)).toEqual({ state: "in_progress" });
    expect(await store.claimIdempotencyKey({ ...claim, fingerprint: "f2" }, 60_000)).toEqual({ state: "mismatch" });
    const seq = await service.create(
      alice,
      { name: "Once" },
      { idempotency: { ...claim, respond: (body) => ({ status: 201, headers: {}, body: JSON.stringify(body) }) } },
    );
    const replay = await store.claimIdempotencyKey(claim, 60_000);
    expect(replay.state).toBe("done");
    if (replay.state === "done") expect(JSON.parse(replay.response.body)).toEqual(seq);
  });
});
