// The Store contract: one suite, run against every implementation, so SQLite and PostgreSQL are
// proven to behave the same. SqliteStore always runs; PgStore runs when TKA_TEST_DATABASE_URL
// names a PostgreSQL server (tools/scripts/postgres.sh starts a throwaway one and prints it),
// and on CI (CI=true) a missing URL fails the PostgreSQL half instead of skipping it (see
// contract-harness.ts). Event positions have their own suite (positions.contract.test.ts).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type Command, DomainError, type SequenceDoc } from "../domain/index.ts";
import { IdGenerator } from "../ids.ts";
import { ServiceError } from "../service/errors.ts";
import { SequenceService } from "../service/sequences.ts";
import { alice, bob, clock, engines, rejects } from "./contract-harness.ts";
import { seqOfEventId } from "./event-id.ts";
import { migrations as pgMigrations } from "./postgres/migrations.ts";
import { type Commit, EventsPrunedError, type Store, type StoredEvent, VersionConflictError } from "./types.ts";

async function allEvents(store: Store, projectId: string): Promise<StoredEvent[]> {
  return store.eventsAfter(projectId, null, 100_000);
}

async function allHistory(store: Store, sequenceId: string) {
  const entries = [];
  let before: number | undefined;
  for (;;) {
    const page = await store.listHistory(sequenceId, { limit: 4, ...(before === undefined ? {} : { before }) });
    entries.push(...page.items);
    if (!page.has_more) return entries;
    before = page.items.at(-1)?.seq;
  }
}

/** The counters on the sequence row agree with the history itself, and so do next undo/redo. */
async function expectConsistentHistory(store: Store, sequenceId: string) {
  const entries = await allHistory(store, sequenceId); // newest first
  const head = await store.historyHead(sequenceId);
  expect(await store.historyState(sequenceId)).toEqual(head.state);
  const applied = entries.filter((e) => !e.undone);
  const undone = entries.filter((e) => e.undone);
  expect(head.state.undo_count).toBe(applied.length);
  expect(head.state.redo_count).toBe(undone.length);
  // Applied entries come before undone ones: undo acts on the newest applied, redo on the oldest undone.
  expect(head.next_undo?.id ?? null).toBe(applied[0]?.id ?? null);
  expect(head.next_redo?.id ?? null).toBe(undone.at(-1)?.id ?? null);
  expect(head.undo_after_undo).toBe(applied[1]?.description ?? null);
  expect(head.redo_after_redo).toBe(undone.at(-2)?.description ?? null);
  for (const entry of undone) for (const done of applied) expect(done.seq).toBeLessThan(entry.seq);
  return { entries, head };
}

for (const engine of engines) {
  describe(`Store contract: ${engine.name}`, () => {
    const opened: Store[] = [];
    const open = async () => {
      const store = await engine.open();
      opened.push(store);
      return store;
    };
    const serviceOn = (store: Store, options: { historyLimit?: number; now?: () => string } = {}) => {
      const events: StoredEvent[] = [];
      const service = new SequenceService({
        store,
        ids: new IdGenerator(),
        historyLimit: options.historyLimit ?? 100,
        publish: (event) => events.push(event),
        ...(options.now ? { now: options.now } : {}),
      });
      return { service, events };
    };

    beforeAll(() => engine.beforeAll(), 60_000);
    afterAll(() => engine.afterAll(), 60_000);
    beforeEach(() => engine.fresh());
    afterEach(async () => {
      vi.restoreAllMocks();
      for (const store of opened.splice(0)) await store.close();
    });

    it("names its engine and answers ping", async () => {
      const store = await open();
      expect(store.engine).toBe(engine.name === "PgStore" ? "postgresql" : "sqlite");
      await store.ping();
    });

    it("creates, reads, and lists newest first across pages, with filters, only in the caller's project", async () => {
      const store = await open();
      const time = clock();
      const { service } = serviceOn(store, { now: time.now });
      const made = [];
      for (let i = 0; i < 5; i++) {
        made.push(
          await service.create(alice, { name: `Seq ${i}`, beats: [{ letter: "A" }, { letter: `${"BCDEF"[i]}` }] }),
        );
      }
      // Created in the same instant: the id breaks the tie, and the cursor must honour it.
      time.freeze(true);
      for (let i = 5; i < 9; i++) made.push(await service.create(alice, { name: `Tie ${i}`, length: i }));
      time.freeze(false);
      await service.create(bob, { name: "Bob's", beats: [{ letter: "A" }] });

      expect(await service.get(alice, made[0]?.id as string)).toEqual(made[0]);
      expect(await store.getSequence(bob.projectId, made[0]?.id as string)).toBeNull();
      expect(await store.getSequence(alice.projectId, "seq_missing")).toBeNull();

      const expected = [...made]
        .sort((a, b) => (a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1))
        .map((s) => s.id);
      for (const limit of [1, 2, 3, 9, 10]) {
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await service.list(alice, {}, { limit, cursor });
          ids.push(...page.data.map((s) => s.id));
          cursor = page.next_cursor ?? undefined;
          expect(page.has_more).toBe(cursor !== undefined);
        } while (cursor);
        expect(ids).toEqual(expected);
      }

      const names = async (filter: Parameters<SequenceService["list"]>[1]) =>
        (await service.list(alice, filter, { limit: 50 })).data.map((s) => s.name);
      expect(await names({ name_contains: "SEQ" })).toEqual(["Seq 4", "Seq 3", "Seq 2", "Seq 1", "Seq 0"]);
      expect(await names({ name_contains: "q 3" })).toEqual(["Seq 3"]);
      expect(await names({ name_contains: "%" })).toEqual([]);
      expect(await names({ word: "ac" })).toEqual(["Seq 1"]);
      expect(await names({ min_length: 6, max_length: 7 })).toEqual(["Tie 7", "Tie 6"]);
      const since = time.peek();
      await service.update(alice, made[2]?.id as string, { name: "Seq 2 renamed" });
      expect(await names({ updated_since: since })).toEqual(["Seq 2 renamed"]);
      expect(await names({ updated_since: "2099-01-01T00:00:00Z" })).toEqual([]);
      expect((await service.list(bob, {}, { limit: 50 })).data.map((s) => s.name)).toEqual(["Bob's"]);

      // A deleted sequence is neither read nor listed.
      await service.delete(alice, made[0]?.id as string);
      expect((await rejects(service.get(alice, made[0]?.id as string), ServiceError)).code).toBe("NOT_FOUND");
      expect((await service.list(alice, {}, { limit: 50 })).data).toHaveLength(8);
    });

    it("returns documents exactly as written: key order, nesting, numbers, unicode", async () => {
      const store = await open();
      const { service } = serviceOn(store);
      const metadata = { zeta: 1, alpha: { y: [3, 1.5, -2], b: null, a: "é ✓ 🎵" }, mid: true, big: 2 ** 53 - 1 };
      const made = await service.create(alice, { name: "Flöw ✓", metadata, beats: [{ letter: "A" }] });
      const stored = await store.getSequence(alice.projectId, made.id);
      expect(JSON.stringify(stored?.doc?.metadata)).toBe(JSON.stringify(metadata));
      expect(stored?.doc?.name).toBe("Flöw ✓");
      expect(await service.get(alice, made.id)).toEqual(made);
      const [event] = await allEvents(store, alice.projectId);
      const data = (event?.data ?? {}) as { sequence?: { metadata?: unknown } };
      expect(JSON.stringify(data.sequence?.metadata)).toBe(JSON.stringify(metadata));
    });

    it("refuses a commit whose expected version moved on, and writes nothing of it", async () => {
      const store = await open();
      const { service } = serviceOn(store);
      const made = await service.create(alice, { name: "A" });
      const stored = await store.getSequence(alice.projectId, made.id);
      const doc = stored?.doc as SequenceDoc;
      const entry = (id = `cmd_${randomBytes(8).toString("hex")}`) => ({
        id,
        command: { kind: "sequence.update", from: { name: "A" }, to: { name: "B" } } satisfies Command,
        description: 'Rename to "B"',
        created_at: new Date().toISOString(),
        undone: false,
      });
      const commit = (expected: number, overrides: Partial<Commit> = {}): Commit => ({
        project_id: alice.projectId,
        sequence_id: made.id,
        expected_version: expected,
        doc: { ...doc, name: "B" },
        version: expected + 1,
        updated_at: new Date().toISOString(),
        history: { kind: "append", entry: entry(), limit: 100 },
        change: { type: "sequence.updated", data: { name: "B" } },
        ...overrides,
      });
      const before = {
        sequence: await store.getSequence(alice.projectId, made.id),
        events: await allEvents(store, alice.projectId),
        history: await allHistory(store, made.id),
      };
      const snapshot = async () => ({
        sequence: await store.getSequence(alice.projectId, made.id),
        events: await allEvents(store, alice.projectId),
        history: await allHistory(store, made.id),
      });
      // "Create" an existing sequence, commit on a stale or a future version, or on a missing one.
      await rejects(store.commit(commit(0)), VersionConflictError);
      await rejects(store.commit(commit(2)), VersionConflictError);
      await rejects(store.commit(commit(1, { sequence_id: "seq_missing" })), VersionConflictError);
      expect(await snapshot()).toEqual(before);
      // A failure after the sequence row is written (a history entry id already taken) rolls the
      // whole commit back.
      const taken = before.history[0]?.id as string;
      const fault = await store
        .commit(commit(1, { history: { kind: "append", entry: entry(taken), limit: 100 } }))
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(fault).toBeInstanceOf(Error);
      expect(fault).not.toBeInstanceOf(VersionConflictError);
      expect(await snapshot()).toEqual(before);

      // Two writers on one version: exactly one wins.
      const other = await open();
      const results = await Promise.allSettled([store.commit(commit(1)), other.commit(commit(1))]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const failed = results.find((r) => r.status === "rejected");
      expect(failed?.status === "rejected" && failed.reason).toBeInstanceOf(VersionConflictError);
      expect((await store.getSequence(alice.projectId, made.id))?.version).toBe(2);
      expect(await allEvents(store, alice.projectId)).toHaveLength(2);
      // And two creators of one new sequence: one wins, the other is told of the conflict.
      const create = () =>
        commit(0, {
          sequence_id: "seq_new",
          doc: { ...doc, id: "seq_new" },
          history: { kind: "append", entry: entry(), limit: 100 },
        });
      const creates = await Promise.allSettled([store.commit(create()), other.commit(create())]);
      expect(creates.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const lost = creates.find((r) => r.status === "rejected");
      expect(lost?.status === "rejected" && lost.reason).toBeInstanceOf(VersionConflictError);
      await expectConsistentHistory(store, "seq_new");
    });

    it("appending clears redo, trims to the limit, and keeps the counters equal to the history", async () => {
      const store = await open();
      const { service } = serviceOn(store, { historyLimit: 4 });
      const made = await service.create(alice, { name: "N" });
      expect(made.history).toMatchObject({ undo_count: 1, redo_count: 0, can_undo: true, can_redo: false });
      for (let i = 0; i < 6; i++) {
        const updated = await service.update(alice, made.id, { name: `N${i}` });
        expect(updated.history.undo_count).toBe(Math.min(i + 2, 4));
        await expectConsistentHistory(store, made.id);
      }
      let { entries } = await expectConsistentHistory(store, made.id);
      expect(entries.map((e) => e.description)).toEqual([
        'Rename to "N5"',
        'Rename to "N4"',
        'Rename to "N3"',
        'Rename to "N2"',
      ]);
      const undone = await service.undo(alice, made.id);
      await service.undo(alice, made.id);
      expect(undone.history).toMatchObject({ undo_count: 3, redo_count: 1 });
      const head = await expectConsistentHistory(store, made.id);
      expect(head.head.state).toMatchObject({
        undo_count: 2,
        redo_count: 2,
        undo_description: 'Rename to "N3"',
        redo_description: 'Rename to "N4"',
      });
      expect((await service.get(alice, made.id)).name).toBe("N3");
      // A new command drops both undone entries, then the limit trims the oldest.
      const renamed = await service.update(alice, made.id, { name: "X" });
      expect(renamed.history).toMatchObject({ undo_count: 3, redo_count: 0, can_redo: false, redo_description: null });
      ({ entries } = await expectConsistentHistory(store, made.id));
      expect(entries.map((e) => e.description)).toEqual(['Rename to "X"', 'Rename to "N3"', 'Rename to "N2"']);
      await service.update(alice, made.id, { name: "Y" });
      await service.update(alice, made.id, { name: "Z" });
      ({ entries } = await expectConsistentHistory(store, made.id));
      expect(entries.map((e) => e.description)).toEqual([
        'Rename to "Z"',
        'Rename to "Y"',
        'Rename to "X"',
        'Rename to "N3"',
      ]);
      // History pages: newest first, `before` is exclusive.
      const page = await store.listHistory(made.id, { limit: 2 });
      expect(page.has_more).toBe(true);
      const rest = await store.listHistory(made.id, { limit: 5, before: page.items.at(-1)?.seq as number });
      expect([...page.items, ...rest.items]).toEqual(entries);
      expect(rest.has_more).toBe(false);
      const empty = {
        can_undo: false,
        can_redo: false,
        undo_description: null,
        redo_description: null,
        undo_count: 0,
        redo_count: 0,
      };
      expect(await store.historyHead("seq_missing")).toEqual({
        next_undo: null,
        next_redo: null,
        undo_after_undo: null,
        redo_after_redo: null,
        state: empty,
      });
      expect(await store.historyState("seq_missing")).toEqual(empty);
    });

    it("answers the history state the store holds after every change", async () => {
      const store = await open();
      const { service } = serviceOn(store, { historyLimit: 3 });
      const made = await service.create(alice, { name: "S" });
      expect(made.history).toEqual(await store.historyState(made.id));
      // A fixed walk mixing new commands, undos and redos, across the history limit.
      const walk = "uuuuzzrzzzrrruzrzuzzzuurrrzzzzu";
      for (const [i, step] of [...walk].entries()) {
        const state = await store.historyState(made.id);
        let answered: unknown;
        if (step === "u") answered = (await service.update(alice, made.id, { name: `S${i}` })).history;
        else if (step === "z" && state.can_undo) answered = (await service.undo(alice, made.id)).history;
        else if (step === "r" && state.can_redo) answered = (await service.redo(alice, made.id)).history;
        else continue;
        expect(answered, `step ${i} (${step})`).toEqual(await store.historyState(made.id));
      }
      await expectConsistentHistory(store, made.id);
    });

    it("undoes and redoes across a deletion", async () => {
      const store = await open();
      const { service } = serviceOn(store);
      const made = await service.create(alice, { name: "Flow", beats: [{ letter: "A" }] });
      const added = await service.addBeat(alice, made.id, { letter: "B" });
      const deletion = await service.delete(alice, made.id);
      expect(deletion).toMatchObject({ deleted: true, version: 3, history: { undo_count: 3 } });
      expect((await store.getSequence(alice.projectId, made.id))?.doc).toBeNull();
      expect((await rejects(service.get(alice, made.id), ServiceError)).code).toBe("NOT_FOUND");
      expect((await service.list(alice, {}, { limit: 10 })).data).toEqual([]);

      const restored = await service.undo(alice, made.id);
      expect(restored.sequence).toMatchObject({ word: "AB", version: 4 });
      expect(restored.sequence?.beats).toEqual(added.beats);
      expect((await service.list(alice, {}, { limit: 10 })).data.map((s) => s.id)).toEqual([made.id]);
      expect((await service.undo(alice, made.id)).sequence?.word).toBe("A");
      const gone = await service.undo(alice, made.id);
      expect(gone.sequence).toBeNull();
      expect(gone.history).toMatchObject({ undo_count: 0, redo_count: 3, can_undo: false });
      expect((await rejects(service.undo(alice, made.id), DomainError)).code).toBe("NOTHING_TO_UNDO");
      await expectConsistentHistory(store, made.id);

      expect((await service.redo(alice, made.id)).sequence?.word).toBe("A");
      expect((await service.redo(alice, made.id)).sequence?.beats).toEqual(added.beats);
      const again = await service.redo(alice, made.id);
      expect(again).toMatchObject({ sequence: null, history: { undo_count: 3, redo_count: 0 } });
      expect((await rejects(service.redo(alice, made.id), DomainError)).code).toBe("NOTHING_TO_REDO");
      expect((await store.getSequence(alice.projectId, made.id))?.version).toBe(9);
      await expectConsistentHistory(store, made.id);
    });

    it("records events in commit order with increasing ids, and pages them with eventsAfter", async () => {
      const store = await open();
      const { service, events } = serviceOn(store);
      const a = await service.create(alice, { name: "A", length: 1 });
      await service.create(bob, { name: "Bob" });
      await service.addBeat(alice, a.id, { letter: "X" });
      await service.update(alice, a.id, { name: "A2" });
      await service.undo(alice, a.id);
      await service.redo(alice, a.id);
      await service.delete(alice, a.id);

      const stored = await allEvents(store, alice.projectId);
      expect(stored).toEqual(events.filter((e) => e.project_id === alice.projectId));
      expect(stored.map((e) => e.type)).toEqual([
        "sequence.created",
        "beat.added",
        "sequence.updated",
        "command.undone",
        "command.redone",
        "sequence.deleted",
      ]);
      expect(stored.map((e) => e.sequence_version)).toEqual([1, 2, 3, 4, 5, 6]);
      for (const event of stored) expect(event.id).toMatch(/^evt_\d{16}$/);
      const numbers = events.map((e) => seqOfEventId(e.id) as number);
      expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
      expect(new Set(numbers).size).toBe(numbers.length);
      // The event carries the history state the transaction saw.
      expect(stored[0]?.data).toMatchObject({ sequence: { history: { undo_count: 1 } } });

      const paged: StoredEvent[] = [];
      let after: string | null = null;
      for (;;) {
        const page: StoredEvent[] = await store.eventsAfter(alice.projectId, after, 4);
        if (page.length === 0) break;
        paged.push(...page);
        after = page.at(-1)?.id ?? null;
      }
      expect(paged).toEqual(stored);
      expect((await allEvents(store, bob.projectId)).map((e) => e.type)).toEqual(["sequence.created"]);
      expect(await store.eventsAfter(alice.projectId, stored.at(-1)?.id ?? null, 10)).toEqual([]);
      expect(await store.eventsAfter(alice.projectId, "not-an-event-id", 10)).toEqual(stored);
    });

    it("a reader following eventsAfter while two instances write never misses an event", async () => {
      const first = await open();
      const second = await open();
      const writers = [serviceOn(first), serviceOn(second)];
      const seen: StoredEvent[] = [];
      let done = false;
      const reader = (async () => {
        let after: string | null = null;
        for (;;) {
          const finished = done;
          const page: StoredEvent[] = await first.eventsAfter(alice.projectId, after, 1000);
          seen.push(...page);
          after = page.at(-1)?.id ?? after;
          if (finished && page.length === 0) return;
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      await Promise.all(
        writers.map(async ({ service }, w) => {
          for (let i = 0; i < 15; i++) {
            const made = await service.create(alice, { name: `W${w}-${i}`, length: 1 });
            await service.addBeat(alice, made.id, { letter: "A" });
          }
        }),
      );
      done = true;
      await reader;
      const all = await allEvents(first, alice.projectId);
      expect(all).toHaveLength(60);
      expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
      const published = [...(writers[0]?.events ?? []), ...(writers[1]?.events ?? [])];
      expect(published.map((e) => e.id).sort()).toEqual(all.map((e) => e.id));
    });

    it("prunes events by age, oldest first, and refuses to resume at or below what it pruned", async () => {
      const store = await open();
      const hour = 3_600_000;
      const start = Date.parse("2031-01-01T00:00:00.000Z");
      let t = start;
      const { service } = serviceOn(store, { now: () => new Date(t).toISOString() });
      // Events an hour apart, in two projects: hours 0-5 for alice, hour 6 for bob, hour 7 for alice.
      const a = await service.create(alice, { name: "A" });
      for (let i = 1; i <= 5; i++) {
        t = start + i * hour;
        await service.update(alice, a.id, { name: `A${i}` });
      }
      t = start + 6 * hour;
      await service.create(bob, { name: "B" });
      t = start + 7 * hour;
      await service.update(alice, a.id, { name: "A7" });
      const before = await allEvents(store, alice.projectId);
      const at = (hours: number) => new Date(start + hours * hour).toISOString();

      // Nothing is older than hour 0; then the events of hours 0-2 go.
      expect(await store.pruneEvents({ olderThan: at(0) })).toBe(0);
      expect(await store.pruneEvents({ olderThan: at(2.5) })).toBe(3);
      expect(await store.pruneEvents({ olderThan: at(2.5) })).toBe(0);
      const kept = await allEvents(store, alice.projectId);
      expect(kept).toEqual(before.slice(3));
      // Resuming from a pruned id (the last pruned included) is refused; from a kept one it works.
      for (const pruned of before.slice(0, 3)) {
        await expect(store.eventsAfter(alice.projectId, pruned.id, 10)).rejects.toBeInstanceOf(EventsPrunedError);
      }
      expect(await store.eventsAfter(alice.projectId, before[3]?.id as string, 10)).toEqual(before.slice(4));
      // The cutoff is in event order across projects: bob's event (hour 6) goes with alice's older ones.
      expect(await store.pruneEvents({ olderThan: at(6.5) })).toBe(4);
      expect(await allEvents(store, bob.projectId)).toEqual([]);
      expect((await allEvents(store, alice.projectId)).map((e) => e.data.sequence)).toMatchObject([{ name: "A7" }]);
      await expect(store.eventsAfter(alice.projectId, before[4]?.id as string, 10)).rejects.toBeInstanceOf(
        EventsPrunedError,
      );
      // What was pruned stays refused across a restart, even once every event is gone.
      expect(await store.pruneEvents({ olderThan: at(100) })).toBe(1);
      await store.close();
      const again = await open();
      await expect(again.eventsAfter(alice.projectId, before.at(-1)?.id as string, 10)).rejects.toBeInstanceOf(
        EventsPrunedError,
      );
      expect(await again.eventsAfter(alice.projectId, null, 10)).toEqual([]);
      const { service: next } = serviceOn(again);
      await next.update(alice, a.id, { name: "A8" });
      const [latest] = await allEvents(again, alice.projectId);
      expect(await again.eventsAfter(alice.projectId, latest?.id as string, 10)).toEqual([]);
    });

    it("prunes beyond a count only the events older than the count's floor, in chunks", async () => {
      const store = await open();
      const minute = 60_000;
      const start = Date.parse("2031-01-01T00:00:00.000Z");
      let t = start;
      const { service } = serviceOn(store, { now: () => new Date(t).toISOString() });
      // 1,200 old events (more than one deletion chunk), then 5 recent ones.
      const made = await Promise.all(
        Array.from({ length: 40 }, (_, i) => service.create(alice, { name: `S${i}`, length: 1 })),
      );
      for (let round = 1; round < 30; round++) {
        await Promise.all(made.map((m) => service.update(alice, m.id, { name: `${m.name}-${round}` })));
      }
      t = start + 60 * minute;
      for (let i = 0; i < 5; i++) await service.update(alice, made[0]?.id as string, { name: `recent ${i}` });
      const all = await allEvents(store, alice.projectId);
      expect(all).toHaveLength(1205);
      const at = (minutes: number) => new Date(start + minutes * minute).toISOString();

      // Keep 100, but the floor spares everything from minute 60: only the old ones beyond 100 go.
      expect(await store.pruneEvents({ olderThan: at(-1), beyondCount: { count: 100, before: at(30) } })).toBe(1105);
      expect(await allEvents(store, alice.projectId)).toEqual(all.slice(1105));
      // Keep 2: the floor (minute 30) now protects the 5 recent ones.
      expect(await store.pruneEvents({ olderThan: at(-1), beyondCount: { count: 2, before: at(30) } })).toBe(95);
      expect(await allEvents(store, alice.projectId)).toEqual(all.slice(1200));
      // With the floor after them, the count decides.
      expect(await store.pruneEvents({ olderThan: at(-1), beyondCount: { count: 2, before: at(61) } })).toBe(3);
      expect(await allEvents(store, alice.projectId)).toEqual(all.slice(1203));
      await expect(store.eventsAfter(alice.projectId, all[1202]?.id as string, 10)).rejects.toBeInstanceOf(
        EventsPrunedError,
      );
      expect(await store.eventsAfter(alice.projectId, all[1203]?.id as string, 10)).toEqual(all.slice(1204));
    }, 60_000);

    it("answers idempotency claims: new, in progress, mismatch, done, released, completed, expired", async () => {
      const store = await open();
      const claim = { project_id: alice.projectId, key: "k1", fingerprint: "f1" };
      expect(await store.claimIdempotencyKey(claim, 60_000)).toEqual({ state: "new" });
      expect(await store.claimIdempotencyKey(claim, 60_000)).toEqual({ state: "in_progress" });
      expect(await store.claimIdempotencyKey({ ...claim, fingerprint: "f2" }, 60_000)).toEqual({ state: "mismatch" });
      // Keys are per project.
      expect(await store.claimIdempotencyKey({ ...claim, project_id: bob.projectId }, 60_000)).toEqual({
        state: "new",
      });
      const response = { status: 422, headers: { "content-type": "application/json" }, body: '{"b":1,"a":2}' };
      await store.completeIdempotencyKey(alice.projectId, "k1", response);
      expect(await store.claimIdempotencyKey(claim, 60_000)).toEqual({ state: "done", response });
      expect(await store.claimIdempotencyKey({ ...claim, fingerprint: "f2" }, 60_000)).toEqual({ state: "mismatch" });
      // Completing again keeps the latest answer (the same one again changes nothing).
      const latest = { ...response, status: 409 };
      await store.completeIdempotencyKey(alice.projectId, "k1", latest);
      await store.completeIdempotencyKey(alice.projectId, "k1", latest);
      expect(await store.claimIdempotencyKey(claim, 60_000)).toEqual({ state: "done", response: latest });
      await store.completeIdempotencyKey(alice.projectId, "k1", response);
      // A released claim (the request failed before committing) may run again.
      expect(await store.claimIdempotencyKey({ ...claim, key: "k2" }, 60_000)).toEqual({ state: "new" });
      await store.releaseIdempotencyKey(alice.projectId, "k2");
      expect(await store.claimIdempotencyKey({ ...claim, key: "k2" }, 60_000)).toEqual({ state: "new" });
      // An expired key is forgotten, whatever it stored.
      expect(await store.claimIdempotencyKey({ ...claim, key: "k3" }, 1)).toEqual({ state: "new" });
      await store.completeIdempotencyKey(alice.projectId, "k3", response);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await store.claimIdempotencyKey({ ...claim, key: "k3", fingerprint: "other" }, 60_000)).toEqual({
        state: "new",
      });
      // Many instances claiming one key at once: exactly one gets it.
      const others = [store, await open(), await open()];
      const racing = await Promise.all(
        others.flatMap((s) => [1, 2, 3].map(() => s.claimIdempotencyKey({ ...claim, key: "race" }, 60_000))),
      );
      expect(racing.filter((r) => r.state === "new")).toHaveLength(1);
      expect(racing.filter((r) => r.state === "in_progress")).toHaveLength(8);
    });

    // Time is injected through the clock both stores read (Date.now): the interface has no clock.
    it("treats a claim left unfinished for 60 s as abandoned", async () => {
      const store = await open();
      const claim = { project_id: alice.projectId, key: "k", fingerprint: "f" };
      const start = Date.now();
      const now = vi.spyOn(Date, "now");
      now.mockReturnValue(start);
      expect(await store.claimIdempotencyKey(claim, 3_600_000)).toEqual({ state: "new" });
      now.mockReturnValue(start + 59_000);
      expect(await store.claimIdempotencyKey(claim, 3_600_000)).toEqual({ state: "in_progress" });
      now.mockReturnValue(start + 60_001);
      expect(await store.claimIdempotencyKey(claim, 3_600_000)).toEqual({ state: "new" });
      // The takeover restarted the clock of the claim.
      now.mockReturnValue(start + 100_000);
      expect(await store.claimIdempotencyKey(claim, 3_600_000)).toEqual({ state: "in_progress" });
      // A finished one is never abandoned, only expired.
      await store.completeIdempotencyKey(alice.projectId, "k", { status: 200, headers: {}, body: "" });
      now.mockReturnValue(start + 1_000_000);
      expect((await store.claimIdempotencyKey(claim, 3_600_000)).state).toBe("done");
      now.mockReturnValue(start + 60_001 + 3_600_000);
      expect((await store.claimIdempotencyKey(claim, 3_600_000)).state).toBe("new");
    });

    it("stores the idempotent answer in the commit's transaction, and only if it commits", async () => {
      const store = await open();
      const { service } = serviceOn(store);
      const claim = { project_id: alice.projectId, key: "create-1", fingerprint: "f1" };
      const respond = (body: unknown) => ({ status: 201, headers: { etag: '"1"' }, body: JSON.stringify(body) });
      expect(await store.claimIdempotencyKey(claim, 60_000)).toEqual({ state: "new" });
      const made = await service.create(alice, { name: "Once" }, { idempotency: { ...claim, respond } });
      const replay = await store.claimIdempotencyKey(claim, 60_000);
      expect(replay.state).toBe("done");
      if (replay.state === "done") {
        expect(replay.response.headers).toEqual({ etag: '"1"' });
        expect(JSON.parse(replay.response.body)).toEqual(made);
      }
      // A mutation that loses its version check stores nothing for its key.
      const second = { ...claim, key: "update-1" };
      await store.claimIdempotencyKey(second, 60_000);
      await rejects(
        service.update(alice, made.id, { name: "Twice" }, { ifMatch: '"7"', idempotency: { ...second, respond } }),
        ServiceError,
      );
      expect(await store.claimIdempotencyKey(second, 60_000)).toEqual({ state: "in_progress" });
    });

    it("stores and finds API keys", async () => {
      const store = await open();
      expect(await store.countApiKeys()).toBe(0);
      await store.createApiKey(alice.projectId, "key_1", "hash-1", "ci");
      await store.createApiKey(bob.projectId, "key_2", "hash-2", "laptop");
      expect(await store.findApiKey("hash-1")).toEqual({ key_id: "key_1", project_id: alice.projectId });
      expect(await store.findApiKey("hash-2")).toEqual({ key_id: "key_2", project_id: bob.projectId });
      expect(await store.findApiKey("hash-3")).toBeNull();
      expect(await store.countApiKeys()).toBe(2);
      await expect(store.createApiKey(bob.projectId, "key_3", "hash-1", "dup")).rejects.toThrow();
      await expect(store.createApiKey(bob.projectId, "key_1", "hash-9", "dup")).rejects.toThrow();
      expect(await store.countApiKeys()).toBe(2);
    });

    it("keeps everything across close and reopen", async () => {
      const first = await open();
      const { service } = serviceOn(first);
      const made = await service.create(alice, { name: "Durable", length: 2 });
      await service.addBeat(alice, made.id, { letter: "D" });
      await service.update(alice, made.id, { name: "Durable 2" });
      await service.undo(alice, made.id);
      await first.createApiKey(alice.projectId, "key_1", "hash-1", "ci");
      const claim = { project_id: alice.projectId, key: "k", fingerprint: "f" };
      await first.claimIdempotencyKey(claim, 60_000);
      await first.completeIdempotencyKey(alice.projectId, "k", { status: 200, headers: {}, body: "ok" });
      const before = {
        sequence: await first.getSequence(alice.projectId, made.id),
        history: await allHistory(first, made.id),
        head: await first.historyHead(made.id),
        events: await allEvents(first, alice.projectId),
      };
      await first.close();

      const second = await open();
      expect({
        sequence: await second.getSequence(alice.projectId, made.id),
        history: await allHistory(second, made.id),
        head: await second.historyHead(made.id),
        events: await allEvents(second, alice.projectId),
      }).toEqual(before);
      expect(await second.findApiKey("hash-1")).toEqual({ key_id: "key_1", project_id: alice.projectId });
      expect((await second.claimIdempotencyKey(claim, 60_000)).state).toBe("done");
      const { service: again } = serviceOn(second);
      expect((await again.redo(alice, made.id)).sequence?.name).toBe("Durable 2");
      const events = await allEvents(second, alice.projectId);
      expect(events).toHaveLength(5);
      expect(seqOfEventId(events.at(-1)?.id as string)).toBeGreaterThan(
        seqOfEventId(before.events.at(-1)?.id as string) as number,
      );
    });

    it("two instances writing one sequence concurrently lose no update", async () => {
      const first = await open();
      const second = await open();
      const a = serviceOn(first);
      const b = serviceOn(second);
      const made = await a.service.create(alice, { name: "Contended", length: 1 });
      const writes = 12;
      const results = await Promise.allSettled(
        Array.from({ length: writes * 2 }, (_, i) =>
          (i % 2 === 0 ? a : b).service.addBeat(alice, made.id, { letter: "B", metadata: { i } }),
        ),
      );
      // A write either committed, or failed (after the service's retries) with a version conflict.
      const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
      for (const failure of failures) expect(failure).toBeInstanceOf(VersionConflictError);
      const committed = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
      expect(committed.length).toBeGreaterThan(writes); // most of them commit
      const after = await a.service.get(alice, made.id);
      expect(after.version).toBe(1 + committed.length);
      expect(after.length).toBe(1 + committed.length);
      expect(after.beats.flatMap((beat) => (beat.metadata as { i?: number }).i ?? []).sort((x, y) => x - y)).toEqual(
        committed,
      );
      const events = await allEvents(first, alice.projectId);
      expect(events.map((e) => e.sequence_version)).toEqual(
        Array.from({ length: 1 + committed.length }, (_, i) => i + 1),
      );
      const { head } = await expectConsistentHistory(first, made.id);
      expect(head.state.undo_count).toBe(1 + committed.length);
      if (failures.length > 0) {
        console.warn(`${engine.name}: ${failures.length} of ${writes * 2} writes gave up after the service's retries`);
      }
    });

    if (engine.name === "PgStore") {
      it("applies each migration once when instances start together", async () => {
        await Promise.all([open(), open(), open(), open()]);
        const client = new pg.Client({ connectionString: engine.schemaUrl?.() });
        await client.connect();
        try {
          const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY 1");
          expect(rows.map((r) => r.version)).toEqual(pgMigrations.map((m) => m.version));
        } finally {
          await client.end();
        }
        // And a later start finds nothing to do.
        await (await open()).ping();
      });
    }
  });
}
