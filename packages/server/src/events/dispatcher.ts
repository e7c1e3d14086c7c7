// Live delivery, off the write path and lossless by construction. One ProjectStream per project
// that has subscribers on this instance keeps `delivered`, the last position handed to its
// fan-out; it hands its subscribers each position exactly once, in order:
// - a local commit (`publish`) only parks the event and schedules a flush; the mutation's answer
//   never waits for delivery;
// - a flush (one per macrotask, for every project with work) moves the parked events that
//   continue `delivered` without a gap into the stream's window and runs the fan-out;
// - anything beyond (a parked event after a missing one, a wake-up from another instance through
//   PgStore.listen, a resync) raises `known`, and the gap (delivered, known] is read from the log
//   with Store.eventsFrom, in bounded batches, one read at a time per project;
// - an event at or below `delivered` is a duplicate and is dropped.
// The fan-out is a rolling pass over the subscribers: each one visited gets, in one batch (one
// write for a subscriber without filters), every event of the window after its cursor, including
// events that arrived while the pass was under way; when the pass ends and events came during it,
// another pass brings the subscribers visited before them up to date. So a new event never waits
// for a whole pass to finish before it starts going out, and under load each connection gets
// several events per write. Passes run in slices of about a millisecond (then the event loop
// serves I/O, writers first, and the pass continues on the next turn).
// Positions are gapless and given in commit order (the store's guarantee), so "everything up to
// known is committed" holds whenever `known` is raised, and a read never waits for the future.
import { EventsPrunedError, type Store, type StoredEvent } from "../store/types.ts";
import { Delivery, type DeliveryBatch } from "./delivery.ts";
import { ProjectStream, type StreamSubscriber } from "./project-stream.ts";

export { ProjectStream, type StreamSubscriber } from "./project-stream.ts";

/** One event fanned out: where its time went (performance.now() milliseconds). */
export interface FanOutReport {
  projectId: string;
  position: number;
  /** Subscribers of the stream when its last pass started. */
  subscribers: number;
  /** When the event reached the dispatcher (acknowledged commit, or read from the log). */
  queuedAt: number;
  /** When the fan-out first wrote it, and when it wrote it to the last subscriber that needed it. */
  startedAt: number;
  finishedAt: number;
  /** Event-loop turns from its first write to the last (1: all in one slice). */
  turns: number;
}

/** A report as log fields, times as Unix epoch milliseconds (comparable across processes of a machine). */
export function fanOutTimes(report: FanOutReport): Record<string, string | number> {
  const epoch = (t: number) => Math.round((performance.timeOrigin + t) * 1000) / 1000;
  return {
    project: report.projectId,
    position: report.position,
    subscribers: report.subscribers,
    turns: report.turns,
    queued_at: epoch(report.queuedAt),
    started_at: epoch(report.startedAt),
    finished_at: epoch(report.finishedAt),
  };
}

export interface DispatcherOptions {
  /** Events read from the log per query (gap fill). */
  readBatch?: number;
  /** Parked local events per project at most; beyond, they are read back from the log. */
  maxParked?: number;
  /** A failed log read (it is retried with backoff). */
  onError?: (error: unknown) => void;
  /** Every event once every subscriber has it (metrics, debug logs, the fan-out benchmark). */
  onFanOut?: (report: FanOutReport) => void;
}

const RETRY_MIN_MS = 50;
/** Time one fan-out slice may take before the event loop gets a turn. */
const SLICE_MS = 1;
const RETRY_MAX_MS = 5_000;

/** Timings for reports: the batch's events were written (to one more subscriber) at `now`. */
function written(stream: ProjectStream, batch: DeliveryBatch, now: number): void {
  const window = stream.window;
  const base = window[0]?.position ?? 0;
  for (let i = batch.first - base; i <= batch.last - base; i++) {
    const delivery = window[i];
    if (delivery === undefined) continue;
    const turn = stream.turns;
    if (delivery.startedAt === 0) {
      delivery.startedAt = now;
      delivery.startedTurn = turn;
    }
    delivery.writtenAt = now;
    delivery.writtenTurn = turn;
  }
}

export class EventDispatcher {
  readonly #store: Store;
  readonly #readBatch: number;
  readonly #maxParked: number;
  readonly #onError: (error: unknown) => void;
  readonly #onFanOut: ((report: FanOutReport) => void) | undefined;
  readonly #streams = new Map<string, ProjectStream>();
  readonly #dirty = new Set<ProjectStream>();
  #scheduled = false;
  #published = 0;
  #delivered = 0;

  constructor(store: Store, options: DispatcherOptions = {}) {
    this.#store = store;
    this.#readBatch = options.readBatch ?? 500;
    this.#maxParked = options.maxParked ?? 10_000;
    this.#onError = options.onError ?? (() => {});
    this.#onFanOut = options.onFanOut;
  }

  /** A commit of this instance: parked for the next flush (never delivered synchronously). */
  publish(event: StoredEvent): void {
    this.#published++;
    const stream = this.#streams.get(event.project_id);
    if (stream === undefined) return;
    if (event.position > stream.known) stream.known = event.position;
    if (event.position > stream.delivered && stream.parked.size < this.#maxParked) {
      stream.parked.set(event.position, new Delivery(event));
    }
    this.#markDirty(stream);
  }

  /** A commit of any instance (PgStore.listen): the project's stream reaches at least `position`. */
  wake(projectId: string, position: number): void {
    const stream = this.#streams.get(projectId);
    if (stream === undefined || position <= stream.known) return;
    stream.known = position;
    this.#markDirty(stream);
  }

  /** Wake-ups may have been missed (the LISTEN connection was lost): re-read every followed project. */
  resync(): void {
    for (const stream of this.#streams.values()) {
      this.#store.lastEventPosition(stream.projectId).then(
        (last) => this.wake(stream.projectId, last),
        (error: unknown) => this.#onError(error),
      );
    }
  }

  /** The project's stream, created (and positioned at the project's newest event) when needed. */
  async follow(projectId: string): Promise<ProjectStream> {
    let stream = this.#streams.get(projectId);
    if (stream === undefined) {
      stream = new ProjectStream(projectId, async (s) => {
        const last = await this.#store.lastEventPosition(projectId);
        s.delivered = last;
        s.finished = last;
        if (s.known < last) s.known = last;
        for (const position of s.parked.keys()) if (position <= last) s.parked.delete(position);
        this.#markDirty(s);
      });
      this.#streams.set(projectId, stream);
      const created = stream;
      created.ready.catch(() => {
        if (this.#streams.get(projectId) === created) this.#streams.delete(projectId);
      });
    }
    await stream.ready;
    return stream;
  }

  /** Subscribers on every project (live ones; replaying feeds join later). */
  get subscriberCount(): number {
    let n = 0;
    for (const stream of this.#streams.values()) n += stream.subscribers.size;
    return n;
  }

  get publishedCount(): number {
    return this.#published;
  }

  /** Events fanned out (each counted once, whatever the number of subscribers). */
  get deliveredCount(): number {
    return this.#delivered;
  }

  /** Projects whose log reads are failing now (retried with backoff), for health checks. */
  get failingProjects(): number {
    let n = 0;
    for (const stream of this.#streams.values()) if (stream.lastError !== null) n++;
    return n;
  }

  #markDirty(stream: ProjectStream): void {
    this.#dirty.add(stream);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const streams = [...this.#dirty];
    this.#dirty.clear();
    for (const stream of streams) {
      try {
        this.#advance(stream);
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  #advance(stream: ProjectStream): void {
    if (stream.delivered < 0) return; // not positioned yet; `ready` marks it dirty again
    // Parked events that continue the window join it (the pass under way picks them up).
    const room = this.#readBatch - stream.window.length;
    for (let n = 0; n < room; n++) {
      const delivery = stream.parked.get(stream.delivered + 1);
      if (delivery === undefined) break;
      stream.parked.delete(delivery.position);
      stream.window.push(delivery);
      stream.delivered = delivery.position;
      this.#delivered++;
    }
    if (!this.#fanOut(stream)) return; // continues on the next macrotask (other work goes first)
    if (stream.parked.has(stream.delivered + 1)) {
      this.#markDirty(stream); // more parked than the window took
    } else if (stream.known > stream.delivered) {
      if (!stream.reading && stream.retryTimer === undefined) void this.#fill(stream);
    } else if (stream.subscribers.size === 0 && !stream.reading && stream.retryTimer === undefined) {
      // Nobody follows it and nothing is pending: forget it (a later follow re-reads the position).
      this.#streams.delete(stream.projectId);
    }
  }

  /**
   * Runs passes over the subscribers for up to SLICE_MS; true once every subscriber has every
   * event of the window (then the window is empty).
   */
  #fanOut(stream: ProjectStream): boolean {
    stream.turns++;
    const deadline = performance.now() + SLICE_MS;
    for (;;) {
      let pass = stream.pass;
      if (pass === null || pass.next >= pass.order.length) {
        if (pass !== null) this.#passDone(stream, pass.head, pass.order.length);
        if (stream.delivered <= stream.finished) {
          stream.pass = null;
          return true;
        }
        pass = { order: [...stream.subscribers], next: 0, head: stream.delivered };
        stream.pass = pass;
        continue;
      }
      const subscriber = pass.order[pass.next++] as StreamSubscriber;
      // One that left meanwhile is skipped; one that joined meanwhile had everything up to `delivered`.
      const cursor = subscriber.cursor;
      if (cursor >= stream.delivered || !stream.subscribers.has(subscriber)) continue;
      const batch = stream.batchAfter(cursor);
      try {
        subscriber.receive(batch);
      } catch (error) {
        this.#onError(error);
      }
      const now = performance.now();
      if (this.#onFanOut !== undefined) written(stream, batch, now);
      // Checked after every subscriber: one with a large batch can take a while to write.
      if (now > deadline) {
        this.#markDirty(stream);
        return false;
      }
    }
  }

  /** A pass that started at `head` is over: every subscriber has everything up to it. */
  #passDone(stream: ProjectStream, head: number, subscribers: number): void {
    const finished = stream.finish(head);
    if (this.#onFanOut === undefined) return;
    const now = performance.now();
    for (const delivery of finished) {
      const none = delivery.startedAt === 0; // nobody needed it
      try {
        this.#onFanOut({
          projectId: stream.projectId,
          position: delivery.position,
          subscribers,
          queuedAt: delivery.queuedAt,
          startedAt: none ? now : delivery.startedAt,
          finishedAt: none ? now : delivery.writtenAt,
          turns: none ? 1 : delivery.writtenTurn - delivery.startedTurn + 1,
        });
      } catch (error) {
        this.#onError(error);
      }
    }
  }

  /** Reads the gap after `delivered` from the log; every successful read moves `delivered` on. */
  async #fill(stream: ProjectStream): Promise<void> {
    stream.reading = true;
    const from = stream.delivered;
    try {
      const events = await this.#store.eventsFrom(stream.projectId, from, this.#readBatch);
      stream.lastError = null;
      stream.retryMs = 0;
      for (const event of events) {
        if (event.position > stream.delivered) stream.parked.set(event.position, new Delivery(event));
        if (event.position > stream.known) stream.known = event.position;
      }
      if (events.length === 0) {
        // `known` said there was more, the log has nothing yet: try again shortly rather than spin.
        this.#retryLater(stream);
      }
    } catch (error) {
      if (error instanceof EventsPrunedError) {
        // Events nobody here delivered in time were pruned (retention keeps a day at least): the
        // followers cannot continue without a gap. They resync; the stream restarts at the newest.
        for (const subscriber of [...stream.subscribers]) {
          stream.subscribers.delete(subscriber);
          subscriber.lost();
        }
        stream.parked.clear();
        stream.reset(stream.delivered);
        try {
          const last = await this.#store.lastEventPosition(stream.projectId);
          stream.reset(Math.max(stream.delivered, last));
          stream.known = Math.max(stream.known, last);
        } catch (again) {
          this.#onError(again);
          this.#retryLater(stream);
        }
      } else {
        stream.lastError = error;
        this.#onError(error);
        this.#retryLater(stream);
      }
    } finally {
      stream.reading = false;
      this.#markDirty(stream);
    }
  }

  #retryLater(stream: ProjectStream): void {
    stream.retryMs = Math.min(Math.max(stream.retryMs * 2, RETRY_MIN_MS), RETRY_MAX_MS);
    stream.retryTimer = setTimeout(() => {
      stream.retryTimer = undefined;
      this.#markDirty(stream);
    }, stream.retryMs);
    stream.retryTimer.unref?.();
  }

  /** Stops retry timers (at shutdown). */
  close(): void {
    for (const stream of this.#streams.values()) {
      clearTimeout(stream.retryTimer);
      stream.retryTimer = undefined;
    }
    this.#streams.clear();
    this.#dirty.clear();
  }
}
