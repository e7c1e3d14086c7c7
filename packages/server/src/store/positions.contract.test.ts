// The Store contract, event positions: every project's events are numbered 1, 2, 3, ... with no
// gap, in commit order, whatever instance commits them; eventsFrom and lastEventPosition read
// them; the counter outlives pruning; PostgreSQL wakes listeners for every commit. Run against
// every engine (see contract-harness.ts).
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IdGenerator } from "../ids.ts";
import { SequenceService } from "../service/sequences.ts";
import { alice, bob, engines, rejects, until } from "./contract-harness.ts";
import { seqOfEventId } from "./event-id.ts";
import { migrations as pgMigrations } from "./postgres/migrations.ts";
import { PgStore } from "./postgres/pg-store.ts";
import { migrations as sqliteMigrations } from "./sqlite/migrations.ts";
import { EventsPrunedError, type Store, type StoredEvent, VersionConflictError } from "./types.ts";

const allEvents = (store: Store, projectId: string) => store.eventsAfter(projectId, null, 100_000);
const positions = (events: readonly StoredEvent[]) => events.map((e) => e.position);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Reads a project's whole stream with eventsFrom, in batches of `batch`. */
async function readFrom(store: Store, projectId: string, after = 0, batch = 7): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (;;) {
    const page = await store.eventsFrom(projectId, after, batch);
    events.push(...page);
    if (page.length < batch) return events;
    after = page.at(-1)?.position ?? after;
  }
}

/** Within one project, ids (global numbers) increase with the position. */
function expectIdsFollowPositions(events: readonly StoredEvent[]) {
  const numbers = events.map((e) => seqOfEventId(e.id) as number);
  expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
  expect(new Set(numbers).size).toBe(numbers.length);
}

for (const engine of engines) {
  describe(`Event positions: ${engine.name}`, () => {
    const opened: Store[] = [];
    const open = async () => {
      const store = await engine.open();
      opened.push(store);
      return store;
    };
    const serviceOn = (store: Store, now?: () => string) => {
      const events: StoredEvent[] = [];
      const service = new SequenceService({
        store,
        ids: new IdGenerator(),
        historyLimit: 100,
        publish: (event) => events.push(event),
        ...(now ? { now } : {}),
      });
      return { service, events };
    };

    beforeAll(() => engine.beforeAll(), 60_000);
    afterAll(() => engine.afterAll(), 60_000);
    beforeEach(() => engine.fresh());
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    it("numbers each project's events 1, 2, 3, ... in commit order, apart from other projects", async () => {
      const store = await open();
      const { service, events } = serviceOn(store);
      const a = await service.create(alice, { name: "A", length: 1 });
      const b = await service.create(bob, { name: "B" });
      await service.addBeat(alice, a.id, { letter: "X" });
      await service.update(bob, b.id, { name: "B2" });
      await service.update(alice, a.id, { name: "A2" });
      await service.undo(alice, a.id);
      await service.redo(alice, a.id);

      const ofAlice = await allEvents(store, alice.projectId);
      const ofBob = await allEvents(store, bob.projectId);
      expect(positions(ofAlice)).toEqual([1, 2, 3, 4, 5]);
      expect(positions(ofBob)).toEqual([1, 2]);
      expect(ofAlice.map((e) => e.sequence_version)).toEqual([1, 2, 3, 4, 5]);
      // What the commit answered is what is stored.
      expect(events.filter((e) => e.project_id === alice.projectId)).toEqual(ofAlice);
      expect(events.filter((e) => e.project_id === bob.projectId)).toEqual(ofBob);
      expectIdsFollowPositions(ofAlice);
      expect(await store.lastEventPosition(alice.projectId)).toBe(5);
      expect(await store.lastEventPosition(bob.projectId)).toBe(2);
      expect(await store.lastEventPosition("prj_nobody")).toBe(0);

      // A lost race takes no position: the next commit continues without a gap.
      const stale = service.update(alice, a.id, { name: "stale" }, { ifMatch: '"1"' });
      await expect(stale).rejects.toThrow();
      await rejects(
        store.commit({
          project_id: alice.projectId,
          sequence_id: a.id,
          expected_version: 1,
          doc: null,
          version: 2,
          updated_at: new Date().toISOString(),
          history: { kind: "set_undone", entry_id: "cmd_x", undone: true },
          change: { type: "sequence.deleted", data: {} },
        }),
        VersionConflictError,
      );
      const next = await service.update(alice, a.id, { name: "A3" });
      expect(next.version).toBe(6);
      expect(positions(await allEvents(store, alice.projectId))).toEqual(oneTo(6));
      expect(await store.lastEventPosition(alice.projectId)).toBe(6);
    });

    it("reads by position with eventsFrom, and refuses arguments that are not positions", async () => {
      const store = await open();
      const { service } = serviceOn(store);
      const a = await service.create(alice, { name: "A" });
      for (let i = 0; i < 9; i++) await service.update(alice, a.id, { name: `A${i}` });
      await service.create(bob, { name: "B" });
      const all = await allEvents(store, alice.projectId);
      expect(all).toHaveLength(10);

      expect(await store.eventsFrom(alice.projectId, 0, 3)).toEqual(all.slice(0, 3));
      expect(await store.eventsFrom(alice.projectId, 3, 100)).toEqual(all.slice(3));
      expect(await store.eventsFrom(alice.projectId, 9, 100)).toEqual(all.slice(9));
      expect(await readFrom(store, alice.projectId, 0, 3)).toEqual(all);
      // At or beyond the newest, and in a project with no events: nothing.
      expect(await store.eventsFrom(alice.projectId, 10, 100)).toEqual([]);
      expect(await store.eventsFrom(alice.projectId, 1_000_000, 100)).toEqual([]);
      expect(await store.eventsFrom("prj_nobody", 0, 100)).toEqual([]);
      expect(await store.eventsFrom("prj_nobody", 5, 100)).toEqual([]);
      expect(positions(await store.eventsFrom(bob.projectId, 0, 100))).toEqual([1]);
      for (const [after, limit] of [
        [-1, 10],
        [1.5, 10],
        [Number.NaN, 10],
        [Number.POSITIVE_INFINITY, 10],
        [2 ** 53, 10],
        [0, 0],
        [0, -1],
        [0, 2.5],
      ] as const) {
        await expect(store.eventsFrom(alice.projectId, after, limit), `${after}, ${limit}`).rejects.toBeInstanceOf(
          RangeError,
        );
      }
    });

    it("keeps counting across pruning and restarts, and reports ranges that were pruned", async () => {
      const store = await open();
      const hour = 3_600_000;
      const start = Date.parse("2031-01-01T00:00:00.000Z");
      let t = start;
      const { service } = serviceOn(store, () => new Date(t).toISOString());
      const a = await service.create(alice, { name: "A" });
      for (let i = 1; i <= 4; i++) {
        t = start + i * hour;
        await service.update(alice, a.id, { name: `A${i}` });
      }
      t = start + 5 * hour;
      const b = await service.create(bob, { name: "B" });
      const at = (hours: number) => new Date(start + hours * hour).toISOString();
      const before = await allEvents(store, alice.projectId);

      // Positions 1-3 of alice go.
      expect(await store.pruneEvents({ olderThan: at(2.5) })).toBe(3);
      for (const after of [0, 1, 2]) {
        const error = await rejects(store.eventsFrom(alice.projectId, after, 10), EventsPrunedError);
        expect(error.afterPosition).toBe(after);
      }
      expect(await store.eventsFrom(alice.projectId, 3, 10)).toEqual(before.slice(3));
      expect(await store.lastEventPosition(alice.projectId)).toBe(5);

      // Everything goes: the counters stay.
      expect(await store.pruneEvents({ olderThan: at(100) })).toBe(3);
      expect(await store.lastEventPosition(alice.projectId)).toBe(5);
      expect(await store.lastEventPosition(bob.projectId)).toBe(1);
      await rejects(store.eventsFrom(alice.projectId, 4, 10), EventsPrunedError);
      await rejects(store.eventsFrom(bob.projectId, 0, 10), EventsPrunedError);
      expect(await store.eventsFrom(alice.projectId, 5, 10)).toEqual([]);
      await store.close();

      const again = await open();
      const { service: next } = serviceOn(again, () => new Date(t).toISOString());
      await next.update(alice, a.id, { name: "A6" });
      await next.update(bob, b.id, { name: "B2" });
      expect(positions(await again.eventsFrom(alice.projectId, 5, 10))).toEqual([6]);
      expect(positions(await again.eventsFrom(bob.projectId, 1, 10))).toEqual([2]);
      await rejects(again.eventsFrom(alice.projectId, 0, 10), EventsPrunedError);
      expect(await again.lastEventPosition(alice.projectId)).toBe(6);
    });

    it("stays gapless, unique and in commit order with two instances writing at once", async () => {
      const first = await open();
      const second = await open();
      const writers = [serviceOn(first), serviceOn(second)];
      const shared = await writers[0]?.service.create(alice, { name: "Shared" });
      // A reader following the stream while it grows never meets a gap it cannot explain.
      const seen: StoredEvent[] = [];
      let done = false;
      const reader = (async () => {
        for (;;) {
          const finished = done;
          const page = await second.eventsFrom(alice.projectId, seen.at(-1)?.position ?? 0, 11);
          seen.push(...page);
          if (finished && page.length === 0) return;
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      const results = await Promise.allSettled(
        writers.flatMap(({ service }, w) =>
          [0, 1].map(async (k) => {
            const own = await service.create(alice, { name: `W${w}-${k}` });
            for (let i = 0; i < 12; i++) {
              await service.update(alice, own.id, { name: `W${w}-${k}-${i}` });
              // The shared sequence: lost races are retried by the service, or fail as conflicts.
              if (i % 3 === 0) await service.addBeat(alice, shared?.id as string, { letter: "A" }).catch(() => {});
              if (i % 4 === 0) await service.create(bob, { name: `Bob ${w}-${k}-${i}` });
            }
          }),
        ),
      );
      expect(results.every((r) => r.status === "fulfilled")).toBe(true);
      done = true;
      await reader;

      const all = await allEvents(first, alice.projectId);
      expect(positions(all)).toEqual(oneTo(all.length));
      expect(all.length).toBeGreaterThanOrEqual(1 + 4 * 13);
      expectIdsFollowPositions(all);
      expect(seen).toEqual(all);
      expect(await readFrom(first, alice.projectId)).toEqual(all);
      // Commit order: each sequence's versions rise with the position.
      const bySequence = new Map<string, number[]>();
      for (const event of all)
        bySequence.set(event.sequence_id, [...(bySequence.get(event.sequence_id) ?? []), event.sequence_version]);
      for (const versions of bySequence.values()) expect(versions).toEqual(oneTo(versions.length));
      // What each instance answered is what is stored.
      const answered = [...(writers[0]?.events ?? []), ...(writers[1]?.events ?? [])];
      const ofAlice = answered.filter((e) => e.project_id === alice.projectId).sort((x, y) => x.position - y.position);
      expect(ofAlice).toEqual(all);
      const ofBob = await allEvents(first, bob.projectId);
      expect(positions(ofBob)).toEqual(oneTo(12));
      expect(await second.lastEventPosition(alice.projectId)).toBe(all.length);
      expect(await second.lastEventPosition(bob.projectId)).toBe(12);
    }, 60_000);

    it("never deadlocks when two instances' group commits touch projects and sequences in opposite orders", async () => {
      const first = await open();
      const second = await open();
      const a = serviceOn(first).service;
      const b = serviceOn(second).service;
      const projects = ["prj_p1", "prj_p2", "prj_p3", "prj_p4"].map((projectId) => ({ projectId }));
      const shared: { caller: { projectId: string }; id: string }[] = [];
      for (const caller of projects) {
        for (let k = 0; k < 6; k++) shared.push({ caller, id: (await a.create(caller, { name: `S${k}` })).id });
      }
      for (let round = 0; round < 8; round++) {
        // Issued in one turn, so each instance writes them as one batch, the two in opposite orders.
        const results = await Promise.allSettled([
          ...shared.map((s) => a.update(s.caller, s.id, { name: `a${round}` })),
          ...[...shared].reverse().map((s) => b.update(s.caller, s.id, { name: `b${round}` })),
          ...projects.map((caller) => a.create(caller, { name: "new a" })),
          ...[...projects].reverse().map((caller) => b.create(caller, { name: "new b" })),
        ]);
        // Lost races (after the service's retries) are the only failures: never a deadlock (40P01,
        // which taking the rows in batch order instead of id order gives within a few rounds).
        for (const result of results) {
          if (result.status === "rejected") expect(result.reason).toBeInstanceOf(VersionConflictError);
        }
      }
      for (const caller of projects) {
        const events = await allEvents(first, caller.projectId);
        expect(positions(events)).toEqual(oneTo(events.length));
        expect(events.length).toBeGreaterThanOrEqual(6 + 8 * 2);
      }
    }, 60_000);

    it("numbers the events of a database from before positions, per project in event order", async () => {
      // The schema as it was before positions, with events of two projects interleaved.
      const rows = [
        ["prj_alice", "seq_a", 1],
        ["prj_bob", "seq_b", 1],
        ["prj_alice", "seq_a", 2],
        ["prj_alice", "seq_a", 3],
        ["prj_bob", "seq_b", 2],
      ] as const;
      const insert = "INSERT INTO events (project_id, sequence_id, sequence_version, type, data, occurred_at) VALUES";
      if (engine.name === "SqliteStore") {
        const db = new Database(engine.path?.() as string);
        db.exec(
          "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        );
        for (const m of sqliteMigrations.filter((m) => m.version <= 5)) {
          db.exec(m.sql);
          db.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)").run(m.version, m.name, "2031-01-01T00:00:00Z");
        }
        for (const [project, sequence, version] of rows) {
          db.prepare(`${insert} (?, ?, ?, 'sequence.updated', '{}', '2031-01-01T00:00:00Z')`).run(
            project,
            sequence,
            version,
          );
        }
        db.close();
      } else {
        const client = new pg.Client({ connectionString: engine.schemaUrl?.() });
        await client.connect();
        try {
          await client.query(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
          );
          for (const m of pgMigrations.filter((m) => m.version <= 4)) {
            await client.query(m.sql);
            await client.query("INSERT INTO schema_migrations VALUES ($1, $2, $3)", [m.version, m.name, "2031"]);
          }
          for (const [project, sequence, version] of rows) {
            await client.query(`${insert} ($1, $2, $3, 'sequence.updated', '{}', '2031-01-01T00:00:00Z')`, [
              project,
              sequence,
              version,
            ]);
          }
        } finally {
          await client.end();
        }
      }
      const store = await open();
      const ofAlice = await allEvents(store, alice.projectId);
      expect(ofAlice.map((e) => [e.position, e.sequence_version])).toEqual([
        [1, 1],
        [2, 2],
        [3, 3],
      ]);
      expect(positions(await allEvents(store, bob.projectId))).toEqual([1, 2]);
      expect(await store.lastEventPosition(alice.projectId)).toBe(3);
      const { service } = serviceOn(store);
      await service.create(alice, { name: "New" });
      expect(positions(await store.eventsFrom(alice.projectId, 3, 10))).toEqual([4]);
    });

    if (engine.name === "PgStore") {
      const pgOpen = async () => (await open()) as PgStore;
      const listenTo = async (store: PgStore) => {
        const heard: [string, number][] = [];
        let resyncs = 0;
        const errors: unknown[] = [];
        const stop = await store.listen({
          onCommitted: (projectId, position) => heard.push([projectId, position]),
          onResync: () => resyncs++,
          onError: (error) => errors.push(error),
        });
        return { heard, errors, stop, resyncs: () => resyncs };
      };
      const terminateListeners = async () => {
        const admin = new pg.Client({ connectionString: engine.schemaUrl?.() });
        await admin.connect();
        try {
          const { rows } = await admin.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`,
          );
          return rows.length;
        } finally {
          await admin.end();
        }
      };

      it("wakes listeners for every commit of every instance, own included, in commit order", async () => {
        const first = await pgOpen();
        const second = await pgOpen();
        const all = await listenTo(second);
        const a = serviceOn(first).service;
        const b = serviceOn(second).service;
        const made = await a.create(alice, { name: "Live", length: 1 });
        await Promise.all([
          ...Array.from({ length: 5 }, () => a.create(alice, { name: "A" })),
          ...Array.from({ length: 5 }, () => b.create(alice, { name: "B" })),
          ...Array.from({ length: 3 }, () => b.create(bob, { name: "Bob" })),
          b.addBeat(alice, made.id, { letter: "B" }),
        ]);
        await until(() => all.heard.length === 15);
        // Per project, in commit order: exactly 1, 2, 3, ...
        expect(all.heard.filter(([p]) => p === alice.projectId).map(([, n]) => n)).toEqual(oneTo(12));
        expect(all.heard.filter(([p]) => p === bob.projectId).map(([, n]) => n)).toEqual(oneTo(3));
        expect(all.errors).toEqual([]);

        // Stopped: hears nothing more (another listener proves the commit was announced).
        const witness = await listenTo(first);
        await all.stop();
        await a.update(alice, made.id, { name: "After stop" });
        await until(() => witness.heard.length === 1);
        expect(all.heard).toHaveLength(15);
        expect(witness.heard).toEqual([[alice.projectId, 13]]);
      });

      it("does not wake listeners of another schema on the same database", async () => {
        const here = await pgOpen();
        const url = new URL(engine.schemaUrl?.() as string);
        const admin = new pg.Client({ connectionString: url.href });
        await admin.connect();
        const other = `other_${Date.now()}`;
        await admin.query(`CREATE SCHEMA ${other}`);
        await admin.end();
        url.searchParams.set("options", `-c search_path=${other}`);
        const there = await PgStore.connect(url.href);
        opened.push(there);
        const ears = await listenTo(there);
        const hereEars = await listenTo(here);
        await serviceOn(here).service.create(alice, { name: "Here" });
        await serviceOn(there).service.create(bob, { name: "There" });
        await until(() => ears.heard.length === 1 && hereEars.heard.length === 1);
        expect(ears.heard).toEqual([[bob.projectId, 1]]);
        expect(hereEars.heard).toEqual([[alice.projectId, 1]]);
      });

      it("tells a listener to resync once its connection is back, then wakes it again", async () => {
        const store = await pgOpen();
        const ears = await listenTo(store);
        const { service } = serviceOn(store);
        const made = await service.create(alice, { name: "Before" });
        await until(() => ears.heard.length === 1);
        expect(await terminateListeners()).toBe(1);
        await until(() => ears.resyncs() === 1);
        expect(ears.errors.length).toBeGreaterThan(0);
        // What was committed while it was down is found by reading from the last position heard.
        await service.update(alice, made.id, { name: "After" });
        await until(() => ears.heard.length >= 2);
        expect(ears.heard.at(-1)).toEqual([alice.projectId, 2]);
      });
    }
  });
}
