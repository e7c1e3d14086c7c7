// The rolling fan-out pass end to end, through real feeds: order and exactly-once with filters
// while events arrive during passes, subscribers joining in the middle of a pass, and the send
// buffer cut-off inside a batch that leaves in several writes.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import type { StoredEvent } from "../store/types.ts";
import { Delivery, DeliveryBatch, MAX_WRITE_BYTES } from "./delivery.ts";
import { Feed } from "./feed.ts";
import { type EventFilter, eventFilter, matches } from "./filter.ts";
import { eventTestbed, recordingSink } from "./testing.ts";
import { CLOSE_SLOW_CONSUMER, WebSocketSink } from "./ws-sink.ts";

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

/** The events of WebSocket frames laid end to end (server frames: FIN text, unmasked). */
function decodeFrames(bytes: Buffer): { position: number }[] {
  const out: { position: number }[] = [];
  let at = 0;
  while (at < bytes.length) {
    expect(bytes[at]).toBe(0x81);
    let length = (bytes[at + 1] as number) & 0x7f;
    let head = 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      head = 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at + 2));
      head = 10;
    }
    const message = JSON.parse(bytes.subarray(at + head, at + head + length).toString()) as {
      event: { position: number };
    };
    out.push(message.event);
    at += head + length;
  }
  return out;
}

/**
 * A live feed whose sink takes batches as shared frame views (like the WebSocket sink) and
 * single events (filtered feeds); `busyMs` stretches every receive so passes span slices.
 */
async function liveFeed(bed: Bed, filter: EventFilter, busyMs = 0, onReceive?: () => void) {
  const recording = recordingSink();
  const positions: number[] = [];
  let batches = 0;
  const busy = () => {
    const until = performance.now() + busyMs;
    while (performance.now() < until) {}
    onReceive?.();
  };
  recording.sink.pushAll = (batch) => {
    const frames = batch.wsFrames;
    if (frames === null) return false;
    for (const view of frames) expect(view.length).toBeLessThanOrEqual(MAX_WRITE_BYTES);
    const events = decodeFrames(Buffer.concat(frames));
    expect(events.map((e) => e.position)).toEqual(batch.deliveries.map((d) => d.position));
    positions.push(...events.map((e) => e.position));
    batches++;
    busy();
    return true;
  };
  const push = recording.sink.push;
  recording.sink.push = (delivery) => {
    positions.push(delivery.position);
    push(delivery);
    busy();
  };
  const feed = await Feed.open({
    store: bed.store,
    dispatcher: bed.dispatcher,
    projectId: "p",
    filter,
    lastEventId: null,
    sink: recording.sink,
  });
  cleanups.push(() => feed.close());
  feed.start();
  return { feed, positions, batches: () => batches, startedAt: feed.cursor };
}

/** Commits `n` events on two sequences without publishing them; returns them in position order. */
async function committed(bed: Bed, n: number): Promise<StoredEvent[]> {
  const a = await bed.elsewhere.create(caller, { name: "a0" });
  const b = await bed.elsewhere.create(caller, { name: "b0" });
  for (let i = 2; i < n; i++) await bed.elsewhere.update(caller, (i % 3 === 0 ? b : a).id, { name: `x${i}` });
  return bed.store.eventsFrom("p", 0, n);
}

const until = async (predicate: () => boolean) => {
  while (!predicate()) await new Promise((resolve) => setImmediate(resolve));
};

describe("rolling fan-out pass", () => {
  it("gives every feed its matching events exactly once and in order, whatever order commits are published in during passes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 29 }), { minLength: 30, maxLength: 30 }),
        fc.array(fc.constantFrom("none", "created", "seq-b"), { minLength: 2, maxLength: 8 }),
        async (order, kinds) => {
          const bed = testbed();
          const events = await committed(bed, 30);
          const seqB = (events[1] as StoredEvent).sequence_id;
          const stream = await bed.dispatcher.follow("p");
          // Positioned after every event; start two passes' worth back so they are all new.
          stream.delivered = 0;
          stream.finished = 0;
          stream.known = 0;
          // Each event is published from inside a receive (during a pass), in the drawn order;
          // several in a row sometimes, and out of order (parked until the ones before come).
          const pending = [...new Set([...order, ...events.map((_, i) => i)])].map((i) => events[i] as StoredEvent);
          const publishNext = () => {
            const next = pending.shift();
            if (next !== undefined) bed.dispatcher.publish(next);
          };
          const filters: EventFilter[] = kinds.map((kind) =>
            kind === "created"
              ? eventFilter(["sequence.created"])
              : kind === "seq-b"
                ? eventFilter([], [seqB])
                : eventFilter(),
          );
          const feeds = [];
          for (const [i, filter] of filters.entries()) {
            feeds.push(await liveFeed(bed, filter, 0.3, i === 0 ? publishNext : undefined));
          }
          // Feed 0 may get everything at once if no pass ever runs: keep publishing until done.
          publishNext();
          await until(() => {
            if (stream.delivered === 30) return true;
            publishNext();
            return false;
          });
          await until(() => stream.finished === 30);
          for (const [i, f] of feeds.entries()) {
            const expected = events.filter((e) => matches(filters[i] as EventFilter, e)).map((e) => e.position);
            expect(f.positions).toEqual(expected);
            expect(f.feed.cursor).toBe(30);
          }
          await bed.dispatcher.close();
        },
      ),
      { numRuns: 15 },
    );
  }, 60_000);

  it("lets a feed that joins in the middle of a pass start at the stream's newest event, then get the rest once; one that leaves gets nothing more", async () => {
    const bed = testbed();
    const events = await committed(bed, 12);
    const stream = await bed.dispatcher.follow("p");
    stream.delivered = 0;
    stream.finished = 0;
    stream.known = 0; // only what is published below: the log is not read
    let joiner: Awaited<ReturnType<typeof liveFeed>> | undefined;
    let joining: Promise<void> | undefined;
    let leaver: Awaited<ReturnType<typeof liveFeed>> | undefined;
    const early = await liveFeed(bed, eventFilter(), 0.4, () => {
      // From inside the first pass: a new live feed joins at position 4 (where the stream is),
      // and the last feed of the pass leaves before its turn.
      if (joining === undefined)
        joining = liveFeed(bed, eventFilter()).then((f) => {
          joiner = f;
        });
      leaver?.feed.close();
    });
    const late = await Promise.all(Array.from({ length: 5 }, () => liveFeed(bed, eventFilter(), 0.4)));
    leaver = await liveFeed(bed, eventFilter(), 0.4);
    for (const event of events.slice(0, 4)) bed.dispatcher.publish(event);
    await until(() => joiner !== undefined);
    const joined = joiner as NonNullable<typeof joiner>;
    expect(joined.startedAt).toBe(4);
    // The pass under way goes on without it; the commits after its join reach it, once each.
    for (const event of events.slice(4)) bed.dispatcher.publish(event);
    await until(() => stream.finished === 12);
    const all = events.map((e) => e.position);
    expect(early.positions).toEqual(all);
    for (const f of late) expect(f.positions).toEqual(all);
    expect(joined.positions).toEqual(all.slice(4));
    expect(leaver.positions).toEqual([]);
  });

  it("keeps an unfiltered feed's later events in one batch per visit, and never re-sends what a feed has", async () => {
    const bed = testbed();
    const events = await committed(bed, 40);
    const stream = await bed.dispatcher.follow("p");
    stream.delivered = 0;
    stream.finished = 0;
    stream.known = 0;
    const feeds = await Promise.all(Array.from({ length: 20 }, () => liveFeed(bed, eventFilter(), 0.2)));
    const filtered = await liveFeed(bed, eventFilter(["sequence.created"]), 0.2);
    // All 40 at once: the first visit of each feed carries them all (at most a few writes).
    for (const event of events) bed.dispatcher.publish(event);
    await until(() => stream.finished === 40);
    for (const f of feeds) {
      expect(f.positions).toEqual(events.map((e) => e.position));
      expect(f.batches()).toBe(1);
    }
    expect(filtered.positions).toEqual([1, 2]);
    expect(filtered.batches()).toBe(0); // a filtered feed gets its matching events one by one
    expect(stream.window).toHaveLength(0);
  });

  it("cuts off a WebSocket that stops reading in the middle of a run of passes; the others get everything", async () => {
    const bed = testbed();
    const events = await committed(bed, 60);
    const stream = await bed.dispatcher.follow("p");
    stream.delivered = 0;
    stream.finished = 0;
    stream.known = 0; // the log is not read: the bursts below are all there is
    const limit = 4 * 1024;
    const open = async (reads: boolean) => {
      const fake = fakeSocket(reads);
      let slow = 0;
      const sink = new WebSocketSink(fake.socket, limit, {
        sent: () => {},
        lost: () => {},
        failed: () => {},
        slow: () => {
          slow++;
        },
      });
      const feed = await Feed.open({
        store: bed.store,
        dispatcher: bed.dispatcher,
        projectId: "p",
        filter: eventFilter(),
        lastEventId: null,
        sink,
      });
      cleanups.push(() => feed.close());
      feed.start();
      return {
        ...fake,
        slow: () => slow,
        positions: () => decodeFrames(Buffer.concat(fake.writes)).map((e) => e.position),
      };
    };
    const readers = [await open(true), await open(true)];
    const stalled = await open(false);
    const more = [await open(true), await open(true)];
    // Ten events at a time, each burst fanned out before the next is committed.
    for (let burst = 0; burst < 6; burst++) {
      for (const event of events.slice(burst * 10, burst * 10 + 10)) bed.dispatcher.publish(event);
      await until(() => stream.finished === burst * 10 + 10);
    }
    const all = events.map((e) => e.position);
    for (const r of [...readers, ...more]) {
      expect(r.positions()).toEqual(all);
      expect(r.closes).toEqual([]);
    }
    // The stalled one got the events up to where its buffer passed the limit, in order, then 4009.
    expect(stalled.closes).toEqual([CLOSE_SLOW_CONSUMER]);
    expect(stalled.slow()).toBe(1);
    const got = stalled.positions();
    expect(got).toEqual(all.slice(0, got.length));
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(60);
    // Every write but the last began within the limit.
    const sizes = stalled.writes.map((w) => w.length);
    expect(sizes.slice(0, -1).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(limit);
    expect(stream.subscribers.size).toBe(4);
  });
});

/**
 * A WebSocket as the sink sees it: the raw socket's writes fill bufferedAmount and nothing
 * drains, unless the peer `reads` (then every write is taken at once).
 */
function fakeSocket(reads = false) {
  const writes: Buffer[] = [];
  const closes: number[] = [];
  let buffered = 0;
  const raw = {
    writable: true,
    write(chunk: Buffer) {
      writes.push(chunk);
      if (!reads) buffered += chunk.length;
      return true;
    },
    cork() {},
    uncork() {},
  };
  const socket = {
    _socket: raw,
    OPEN: 1,
    CLOSED: 3,
    readyState: 1,
    get bufferedAmount() {
      return buffered;
    },
    close(code: number) {
      closes.push(code);
      socket.readyState = 2;
    },
    terminate() {},
  };
  return { socket: socket as unknown as WebSocket, writes, closes };
}

describe("WebSocketSink with batches", () => {
  /** A batch of `n` events of about `bytes` each (built without a store). */
  function batchOf(n: number, bytes: number): DeliveryBatch {
    const deliveries = Array.from(
      { length: n },
      (_, i) =>
        new Delivery({
          type: "sequence.updated",
          id: `evt_${String(i + 1).padStart(16, "0")}`,
          position: i + 1,
          project_id: "p",
          sequence_id: "seq_1",
          sequence_version: i + 1,
          occurred_at: "2026-01-01T00:00:00Z",
          data: { pad: "x".repeat(bytes) },
        } as unknown as StoredEvent),
    );
    // Cut like the stream's frame run: at event boundaries, at most MAX_WRITE_BYTES a write.
    const views: Buffer[] = [];
    let current: Buffer[] = [];
    let size = 0;
    for (const d of deliveries) {
      if (size + d.wsFrame.length > MAX_WRITE_BYTES && current.length > 0) {
        views.push(Buffer.concat(current));
        current = [];
        size = 0;
      }
      current.push(d.wsFrame);
      size += d.wsFrame.length;
    }
    views.push(Buffer.concat(current));
    return new DeliveryBatch({ deliveries: () => deliveries, frames: () => views }, 1, n);
  }

  it("checks the send buffer before every write of a batch: at most one write beyond the limit, then 4009", () => {
    const { socket, writes, closes } = fakeSocket();
    let slow = 0;
    let sent = 0;
    const limit = 100 * 1024;
    const sink = new WebSocketSink(socket, limit, {
      sent: (n) => {
        sent += n;
      },
      lost: () => {},
      failed: () => {},
      slow: () => {
        slow++;
      },
    });
    const batch = batchOf(300, 1_000); // about 300 KB: five writes
    expect(sink.pushAll(batch)).toBe(true);
    // 64 KiB, 128 KiB (over 100 KiB: cut before the third write).
    expect(writes).toHaveLength(2);
    expect(writes.reduce((n, w) => n + w.length, 0)).toBeGreaterThan(limit);
    expect(closes).toEqual([CLOSE_SLOW_CONSUMER]);
    expect(slow).toBe(1);
    expect(sent).toBe(0);
    expect(sink.closed).toBe(true);
    // Nothing more once closed.
    expect(sink.pushAll(batchOf(2, 10))).toBe(true);
    expect(writes).toHaveLength(2);
  });

  it("sends a whole batch within the limit, counted once per event", () => {
    const { socket, writes, closes } = fakeSocket();
    let sent = 0;
    const sink = new WebSocketSink(socket, 1024 * 1024, {
      sent: (n) => {
        sent += n;
      },
      lost: () => {},
      failed: () => {},
      slow: () => {},
    });
    const batch = batchOf(300, 1_000);
    expect(sink.pushAll(batch)).toBe(true);
    expect(closes).toEqual([]);
    expect(sent).toBe(300);
    expect(decodeFrames(Buffer.concat(writes)).map((e) => e.position)).toEqual(
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
  });
});
