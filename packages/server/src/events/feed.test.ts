import { afterEach, describe, expect, it } from "vitest";
import { eventIdOf } from "../store/event-id.ts";
import { EventsExpiredError, Feed, type FeedOptions, InvalidEventIdError, UnknownEventIdError } from "./feed.ts";
import { eventFilter } from "./filter.ts";
import { eventTestbed, recordingSink } from "./testing.ts";

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

type Bed = ReturnType<typeof testbed>;

async function open(bed: Bed, lastEventId: string | null, extra: Partial<FeedOptions> = {}) {
  const recording = recordingSink();
  const feed = await Feed.open({
    store: bed.store,
    dispatcher: bed.dispatcher,
    projectId: "p",
    filter: eventFilter(),
    lastEventId,
    sink: recording.sink,
    ...extra,
  });
  cleanups.push(() => feed.close());
  feed.start();
  return { feed, ...recording };
}

const nameOf = (e: { data: Record<string, unknown> }) => (e.data.sequence as { name: string }).name;

/** Many events quickly: one sequence renamed `n` times (plus its creation). */
async function renames(bed: Bed, n: number, service = bed.elsewhere) {
  const seq = await service.create(caller, { name: "r0" });
  for (let i = 1; i <= n; i++) await service.update(caller, seq.id, { name: `r${i}` });
  return seq;
}

describe("Feed", () => {
  it("replays after the last id, then continues live, with no gap or duplicate", async () => {
    const bed = testbed();
    const { service, store } = bed;
    const seq = await service.create(caller, { name: "A" });
    await service.update(caller, seq.id, { name: "B" });
    const [first] = await store.eventsAfter("p", null, 1);
    // A commit lands while the replay is opened: it must be delivered once, after the replay.
    const racing = service.update(caller, seq.id, { name: "C" });
    const { feed, state, until } = await open(bed, first?.id ?? null);
    await racing;
    await service.update(caller, seq.id, { name: "D" });
    await until(() => state.events.length === 3);
    feed.close();
    await service.update(caller, seq.id, { name: "E" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(state.events.map(nameOf)).toEqual(["B", "C", "D"]);
    expect(state.events.map((e) => e.position)).toEqual([2, 3, 4]);
    expect(bed.dispatcher.subscriberCount).toBe(0);
  });

  it("filters by type and sequence, and skips the filtered positions without a gap", async () => {
    const bed = testbed();
    const { service } = bed;
    const a = await service.create(caller, { name: "A" });
    const { state, until } = await open(bed, null, { filter: eventFilter(["beat.added"], [a.id]) });
    const b = await service.create(caller, { name: "B" });
    await service.addBeat(caller, a.id, {});
    await service.addBeat(caller, b.id, {});
    await service.update(caller, a.id, { name: "A2" });
    await service.addBeat(caller, a.id, {});
    await until(() => state.events.length === 2);
    expect(state.events.map((e) => [e.type, e.sequence_id, e.position])).toEqual([
      ["beat.added", a.id, 3],
      ["beat.added", a.id, 6],
    ]);
  });

  it("resumes across a long replay in bounded batches, waiting for the sink's room, then joins live", async () => {
    const bed = testbed();
    const seq = await renames(bed, 1_200);
    const recording = recordingSink();
    recording.state.room = false;
    const feed = await Feed.open({
      store: bed.store,
      dispatcher: bed.dispatcher,
      projectId: "p",
      filter: eventFilter(),
      lastEventId: eventIdOf(1),
      sink: recording.sink,
      readBatch: 100,
    });
    cleanups.push(() => feed.close());
    feed.start();
    // The replay waits for room before pushing anything.
    await recording.until(() => recording.state.roomWaits === 1);
    expect(recording.state.events).toHaveLength(0);
    recording.openRoom();
    await recording.until(() => recording.state.events.length === 1_200);
    await bed.service.update(caller, seq.id, { name: "live" });
    await recording.until(() => recording.state.events.length === 1_201);
    expect(recording.state.events.map((e) => e.position)).toEqual(Array.from({ length: 1_201 }, (_, i) => i + 2));
  });

  it("gives the event loop a turn between replay batches", async () => {
    const bed = testbed();
    await renames(bed, 3_000);
    let turns = 0;
    let spinning = true;
    const tick = () => {
      turns++;
      if (spinning) setImmediate(tick);
    };
    setImmediate(tick);
    const { state, until } = await open(bed, eventIdOf(1), { readBatch: 100 });
    await until(() => state.events.length === 3_000);
    spinning = false;
    // 30 batches of 100: other work ran between them.
    expect(turns).toBeGreaterThanOrEqual(20);
  });

  it("refuses to resume from an event retention pruned", async () => {
    let t = Date.parse("2031-01-01T00:00:00.000Z");
    const bed = eventTestbed({ now: () => new Date(t++).toISOString() });
    cleanups.push(() => bed.store.close());
    const seq = await bed.service.create(caller, { name: "A" });
    t += 60_000;
    await bed.service.update(caller, seq.id, { name: "B" });
    const [first, second] = await bed.store.eventsAfter("p", null, 2);
    expect(await bed.store.pruneEvents({ olderThan: second?.occurred_at as string })).toBe(1);
    await expect(open(bed, first?.id as string)).rejects.toBeInstanceOf(EventsExpiredError);
    (await open(bed, second?.id as string)).feed.close();
    await bed.store.pruneEvents({ olderThan: "2999-01-01T00:00:00.000Z" });
    await expect(open(bed, second?.id as string)).rejects.toBeInstanceOf(EventsExpiredError);
    expect(bed.dispatcher.subscriberCount).toBe(0);
  });

  it("refuses malformed ids exactly, never through a float", async () => {
    const bed = testbed();
    await renames(bed, 3);
    for (const id of [
      "",
      "nope",
      "evt_1",
      "evt_",
      "evt_00000000000000001",
      " evt_0000000000000001",
      "evt_0000000000000001 ",
      "evt_000000000000000x",
      "evt_1e15000000000000",
      "evt_-000000000000001",
      "EVT_0000000000000001",
      "evt_000000000000000١",
    ]) {
      await expect(open(bed, id), JSON.stringify(id)).rejects.toBeInstanceOf(InvalidEventIdError);
    }
    expect(bed.dispatcher.subscriberCount).toBe(0);
  });

  it("answers an id beyond the project's newest event with UnknownEventIdError, at once", async () => {
    const bed = testbed();
    // More events than one replay batch: the old float parsing spun for ever on this id.
    await renames(bed, 600);
    await expect(open(bed, "evt_9999999999999999")).rejects.toBeInstanceOf(UnknownEventIdError);
    await expect(open(bed, "evt_9007199254740992")).rejects.toBeInstanceOf(UnknownEventIdError);
    await expect(open(bed, eventIdOf(602))).rejects.toBeInstanceOf(UnknownEventIdError);
    // The newest id itself is fine: nothing to replay, live from there.
    const { state, until } = await open(bed, eventIdOf(601));
    await renames(bed, 0, bed.service);
    await until(() => state.events.length === 1);
    expect(state.events[0]?.position).toBe(602);
    // A project without events knows no id at all.
    await expect(open(bed, eventIdOf(1), { projectId: "empty" })).rejects.toBeInstanceOf(UnknownEventIdError);
  });

  it("tells the sink the stream was lost when events are pruned under a replay", async () => {
    const bed = testbed();
    await renames(bed, 50);
    const recording = recordingSink();
    recording.state.room = false;
    const feed = await Feed.open({
      store: bed.store,
      dispatcher: bed.dispatcher,
      projectId: "p",
      filter: eventFilter(),
      lastEventId: eventIdOf(1),
      sink: recording.sink,
      readBatch: 10,
    });
    cleanups.push(() => feed.close());
    feed.start();
    await recording.until(() => recording.state.roomWaits === 1);
    await bed.store.pruneEvents({ olderThan: "2999-01-01T00:00:00.000Z" });
    recording.openRoom();
    await recording.until(() => recording.state.lost.length === 1);
    // The first batch was read before the pruning; nothing after it arrives, and no gap either.
    expect(recording.state.events.map((e) => e.position)).toEqual(Array.from({ length: 10 }, (_, i) => i + 2));
  });
});
