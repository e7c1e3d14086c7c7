import { describe, expect, it } from "vitest";
import type { StoredEvent } from "../store/types.ts";
import { EventsExpiredError, openFeed } from "./feed.ts";
import { eventFilter } from "./filter.ts";
import { eventTestbed } from "./testing.ts";

const caller = { projectId: "p" };

describe("openFeed", () => {
  it("replays after the last id, then continues live, with no gap or duplicate", async () => {
    const { store, bus, service } = eventTestbed();
    const seq = await service.create(caller, { name: "A" });
    await service.update(caller, seq.id, { name: "B" });
    const [first] = await store.eventsAfter("p", null, 1);
    const got: StoredEvent[] = [];
    // A commit lands while the replay runs: it must be delivered once, after the replay.
    const racing = service.update(caller, seq.id, { name: "C" });
    const feed = await openFeed({
      store,
      bus,
      projectId: "p",
      filter: eventFilter(),
      lastEventId: first?.id ?? null,
      deliver: (e) => got.push(e),
    });
    await racing;
    await service.update(caller, seq.id, { name: "D" });
    feed.close();
    await service.update(caller, seq.id, { name: "E" });
    const names = got.map((e) => (e.data.sequence as { name: string }).name);
    expect(names).toEqual(["B", "C", "D"]);
    expect(got.map((e) => e.id)).toEqual([...got.map((e) => e.id)].sort());
    await store.close();
  });

  it("filters by type and sequence", async () => {
    const { store, bus, service } = eventTestbed();
    const got: StoredEvent[] = [];
    const a = await service.create(caller, { name: "A" });
    const feed = await openFeed({
      store,
      bus,
      projectId: "p",
      filter: eventFilter(["beat.added"], [a.id]),
      lastEventId: null,
      deliver: (e) => got.push(e),
    });
    const b = await service.create(caller, { name: "B" });
    await service.addBeat(caller, a.id, {});
    await service.addBeat(caller, b.id, {});
    await service.update(caller, a.id, { name: "A2" });
    expect(got.map((e) => [e.type, e.sequence_id])).toEqual([["beat.added", a.id]]);
    feed.close();
    expect(bus.subscriberCount).toBe(0);
    await store.close();
  });

  it("refuses to resume from an event retention pruned", async () => {
    let t = Date.parse("2031-01-01T00:00:00.000Z");
    const { store, bus, service } = eventTestbed({ now: () => new Date(t++).toISOString() });
    const seq = await service.create(caller, { name: "A" });
    t += 60_000;
    await service.update(caller, seq.id, { name: "B" });
    const [first, second] = await store.eventsAfter("p", null, 2);
    expect(await store.pruneEvents({ olderThan: second?.occurred_at as string })).toBe(1);
    const open = (lastEventId: string) =>
      openFeed({ store, bus, projectId: "p", filter: eventFilter(), lastEventId, deliver: () => {} });
    await expect(open(first?.id as string)).rejects.toBeInstanceOf(EventsExpiredError);
    (await open(second?.id as string)).close();
    await store.pruneEvents({ olderThan: "2999-01-01T00:00:00.000Z" });
    await expect(open(second?.id as string)).rejects.toBeInstanceOf(EventsExpiredError);
    expect(bus.subscriberCount).toBe(0);
    await store.close();
  });

  it("refuses an id it never issued", async () => {
    const { store, bus } = eventTestbed();
    await expect(
      openFeed({ store, bus, projectId: "p", filter: eventFilter(), lastEventId: "nope", deliver: () => {} }),
    ).rejects.toBeInstanceOf(EventsExpiredError);
    expect(bus.subscriberCount).toBe(0);
    await store.close();
  });
});
