import { afterEach, describe, expect, it } from "vitest";
import { IdGenerator } from "../ids.ts";
import { SequenceService } from "../service/sequences.ts";
import type { Store, StoredEvent } from "../store/types.ts";
import type { Delivery } from "./delivery.ts";
import { EventDispatcher, type FanOutReport, fanOutTimes, type StreamSubscriber } from "./dispatcher.ts";
import { eventTestbed } from "./testing.ts";

const caller = { projectId: "p" };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function testbed() {
  const bed = eventTestbed();
  cleanups.push(() => bed.dispatcher.close());
  cleanups.push(() => bed.store.close());
  return bed;
}

/** A subscriber that records deliveries after its cursor, checking each continues the last. */
function follower(cursor: number) {
  const got: Delivery[] = [];
  const waiters: (() => void)[] = [];
  let lost = 0;
  const subscriber: StreamSubscriber = {
    get cursor() {
      return cursor;
    },
    receive(batch) {
      for (const d of batch.deliveries) {
        if (d.position <= cursor) continue;
        expect(d.position).toBe(cursor + 1);
        cursor = d.position;
        got.push(d);
      }
      for (const w of waiters.splice(0)) w();
    },
    lost() {
      lost++;
      for (const w of waiters.splice(0)) w();
    },
  };
  return {
    subscriber,
    got,
    lost: () => lost,
    async until(n: number) {
      while (got.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

const names = (ds: Delivery[]) => ds.map((d) => (d.event.data.sequence as { name: string } | undefined)?.name);

describe("EventDispatcher", () => {
  it("delivers off the write path: a commit is acknowledged before any subscriber sees it", async () => {
    const { dispatcher, service } = testbed();
    const stream = await dispatcher.follow("p");
    const f = follower(stream.delivered);
    stream.add(f.subscriber);
    await service.create(caller, { name: "A" });
    // The mutation has answered; delivery waits for the next macrotask.
    expect(f.got).toHaveLength(0);
    await f.until(1);
    expect(names(f.got)).toEqual(["A"]);
  });

  it("delivers out-of-order publishes in position order, and drops duplicates", async () => {
    const { dispatcher, elsewhere, store } = testbed();
    const stream = await dispatcher.follow("p");
    const f = follower(stream.delivered);
    stream.add(f.subscriber);
    const seq = await elsewhere.create(caller, { name: "A" });
    await elsewhere.update(caller, seq.id, { name: "B" });
    await elsewhere.update(caller, seq.id, { name: "C" });
    const [a, b, c] = await store.eventsFrom("p", 0, 10);
    dispatcher.publish(c as StoredEvent);
    dispatcher.publish(a as StoredEvent);
    dispatcher.publish(b as StoredEvent);
    dispatcher.publish(a as StoredEvent);
    await f.until(3);
    dispatcher.publish(b as StoredEvent);
    await new Promise((resolve) => setImmediate(resolve));
    expect(names(f.got)).toEqual(["A", "B", "C"]);
  });

  it("fills a gap from the log: a missing publish, or another instance's commits on a wake-up", async () => {
    const { dispatcher, service, elsewhere } = testbed();
    const stream = await dispatcher.follow("p");
    const f = follower(stream.delivered);
    stream.add(f.subscriber);
    const seq = await elsewhere.create(caller, { name: "A" }); // never published here
    await service.update(caller, seq.id, { name: "B" }); // published: position 2, after a gap
    await f.until(2);
    expect(names(f.got)).toEqual(["A", "B"]);
    await elsewhere.update(caller, seq.id, { name: "C" });
    await elsewhere.update(caller, seq.id, { name: "D" });
    dispatcher.wake("p", 4);
    await f.until(4);
    expect(names(f.got)).toEqual(["A", "B", "C", "D"]);
    await elsewhere.update(caller, seq.id, { name: "E" });
    dispatcher.resync();
    await f.until(5);
    expect(f.got.map((d) => d.position)).toEqual([1, 2, 3, 4, 5]);
  });

  it("serialises each event once for all subscribers", async () => {
    const { dispatcher, service } = testbed();
    const stream = await dispatcher.follow("p");
    const followers = Array.from({ length: 3 }, () => follower(stream.delivered));
    for (const f of followers) stream.add(f.subscriber);
    await service.create(caller, { name: "A" });
    await Promise.all(followers.map((f) => f.until(1)));
    const [first, ...others] = followers.map((f) => f.got[0] as Delivery);
    for (const other of others) {
      expect(other).toBe(first);
      expect(other.wsMessage).toBe(first?.wsMessage);
      expect(other.sseMessage).toBe(first?.sseMessage);
    }
    expect(JSON.parse(first?.wsMessage.toString() ?? "")).toMatchObject({
      type: "event",
      event: { type: "sequence.created", position: 1 },
    });
    expect(first?.sseMessage.toString()).toMatch(/^event: sequence\.created\nid: evt_\d{16}\ndata: \{.*\}\n\n$/);
  });

  it("reports where each fanned-out event's time went (metrics, debug logs, the benchmark)", async () => {
    const { store } = testbed();
    const reports: FanOutReport[] = [];
    const dispatcher = new EventDispatcher(store, { onFanOut: (r) => reports.push(r) });
    cleanups.push(() => dispatcher.close());
    const publishing = new SequenceService({
      store,
      ids: new IdGenerator(),
      historyLimit: 100,
      publish: (e) => dispatcher.publish(e),
    });
    const stream = await dispatcher.follow("p");
    const f = follower(stream.delivered);
    stream.add(f.subscriber);
    const seq = await publishing.create(caller, { name: "A" });
    await publishing.update(caller, seq.id, { name: "B" });
    await f.until(2);
    while (reports.length < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(reports.map((r) => r.position)).toEqual([1, 2]);
    for (const r of reports) {
      expect(r).toMatchObject({ projectId: "p", subscribers: 1 });
      expect(r.queuedAt).toBeLessThanOrEqual(r.startedAt);
      expect(r.startedAt).toBeLessThanOrEqual(r.finishedAt);
      expect(r.turns).toBeGreaterThanOrEqual(1);
    }
    expect(fanOutTimes(reports[0] as FanOutReport)).toMatchObject({ project: "p", position: 1 });
    expect(stream.window).toHaveLength(0); // every subscriber has everything: nothing kept
  });

  it("hands an event that comes during a pass to the subscribers not yet visited together with the one before", async () => {
    const { dispatcher, store, elsewhere } = testbed();
    const seq = await elsewhere.create(caller, { name: "A" });
    await elsewhere.update(caller, seq.id, { name: "B" });
    const [a, b] = (await store.eventsFrom("p", 0, 10)) as [StoredEvent, StoredEvent];
    const stream = await dispatcher.follow("p");
    // Positioned after both; pretend they are new by starting the stream two events back.
    stream.delivered = 0;
    stream.finished = 0;
    const batches: number[][][] = [];
    const followers = Array.from({ length: 12 }, (_, i) => {
      const f = follower(0);
      batches.push([]);
      const receive = f.subscriber.receive.bind(f.subscriber);
      f.subscriber.receive = (batch) => {
        batches[i]?.push(batch.deliveries.map((d) => d.position));
        receive(batch);
        // Each takes 0.4 ms, so the pass spans several 1 ms slices; B commits during the first.
        const until = performance.now() + 0.4;
        while (performance.now() < until) {}
        if (i === 0) dispatcher.publish(b);
      };
      stream.add(f.subscriber);
      return f;
    });
    dispatcher.publish(a);
    await Promise.all(followers.map((f) => f.until(2)));
    // The first slice's subscribers got A alone, then B in the next pass; the later ones A and B at once.
    expect(batches[0]).toEqual([[1], [2]]);
    expect(batches[11]).toEqual([[1, 2]]);
    for (const got of batches) expect(got.flat()).toEqual([1, 2]);
  });

  it("gives subscribers their batches as views of one buffer per transport, byte for byte the events' frames", async () => {
    const { dispatcher, store, elsewhere } = testbed();
    const seq = await elsewhere.create(caller, { name: "A" });
    for (const name of ["B", "C", "D"]) await elsewhere.update(caller, seq.id, { name });
    const events = await store.eventsFrom("p", 0, 10);
    const stream = await dispatcher.follow("p");
    stream.delivered = 0;
    stream.finished = 0;
    const seen: { first: number; ws: Buffer[]; sse: Buffer[]; expected: Delivery[] }[] = [];
    for (const cursor of [0, 2]) {
      const f = follower(cursor);
      const receive = f.subscriber.receive.bind(f.subscriber);
      f.subscriber.receive = (batch) => {
        seen.push({
          first: batch.first,
          ws: batch.wsFrames ?? [],
          sse: batch.sseMessages ?? [],
          expected: [...batch.deliveries],
        });
        receive(batch);
      };
      stream.add(f.subscriber);
    }
    for (const event of events) dispatcher.publish(event);
    while (seen.length < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(seen.map((s) => s.first)).toEqual([1, 3]);
    for (const s of seen) {
      expect(s.ws).toHaveLength(1);
      expect(Buffer.concat(s.ws)).toEqual(Buffer.concat(s.expected.map((d) => d.wsFrame)));
      expect(Buffer.concat(s.sse)).toEqual(Buffer.concat(s.expected.map((d) => d.sseMessage)));
    }
    // The second subscriber's batch is a view into the same buffer as the first one's.
    expect(seen[1]?.ws[0]?.buffer).toBe(seen[0]?.ws[0]?.buffer);
  });

  it("retries failed log reads with backoff and reports them for health, then recovers", async () => {
    const { store, elsewhere } = testbed();
    let failing = true;
    // The dispatcher reads only these two.
    const flaky = {
      eventsFrom: (...args: Parameters<Store["eventsFrom"]>) =>
        failing ? Promise.reject(new Error("database unavailable")) : store.eventsFrom(...args),
      lastEventPosition: (projectId: string) => store.lastEventPosition(projectId),
    } as Store;
    const errors: unknown[] = [];
    const dispatcher = new EventDispatcher(flaky, { onError: (e) => errors.push(e) });
    cleanups.push(() => dispatcher.close());
    const stream = await dispatcher.follow("p");
    const f = follower(stream.delivered);
    stream.add(f.subscriber);
    await elsewhere.create(caller, { name: "A" });
    dispatcher.wake("p", 1);
    while (errors.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(dispatcher.failingProjects).toBe(1);
    failing = false;
    await f.until(1);
    expect(dispatcher.failingProjects).toBe(0);
  });

  it("tells followers a stream was lost when the events it needed were pruned", async () => {
    const { dispatcher, store, elsewhere } = testbed();
    const stream = await dispatcher.follow("p");
    const f = follower(stream.delivered);
    stream.add(f.subscriber);
    const seq = await elsewhere.create(caller, { name: "A" });
    await elsewhere.update(caller, seq.id, { name: "B" });
    await store.pruneEvents({ olderThan: "2999-01-01T00:00:00.000Z" });
    dispatcher.wake("p", 2);
    while (f.lost() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(f.got).toHaveLength(0);
    expect(dispatcher.subscriberCount).toBe(0);
  });
});
