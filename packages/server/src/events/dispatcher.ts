// Live delivery, off the write path and lossless by construction. One ProjectStream per project
// that has subscribers on this instance keeps `delivered`, the last position it fanned out; it
// hands its subscribers each position exactly once, in order:
// - a local commit (`publish`) only parks the event and schedules a flush; the mutation's answer
//   never waits for delivery;
// - a flush (one per macrotask, for every project with work) delivers the parked events that
//   continue `delivered` without a gap, in one batch per project;
// - anything beyond (a parked event after a missing one, a wake-up from another instance through
//   PgStore.listen, a resync) raises `known`, and the gap (delivered, known] is read from the log
//   with Store.eventsFrom, in bounded batches, one read at a time per project;
// - an event at or below `delivered` is a duplicate and is dropped.
// Fan-out runs in slices of about a millisecond (then the event loop serves I/O, writers first,
// and the slice continues on the next turn); a project's next batch waits until every
// subscriber has the current one, so each still sees positions in order.
// Positions are gapless and given in commit order (the store's guarantee), so "everything up to
// known is committed" holds whenever `known` is raised, and a read never waits for the future.
import { EventsPrunedError, type Store, type StoredEvent } from "../store/types.ts";
import { Delivery } from "./delivery.ts";

/** A follower of one project's stream: receives consecutive deliveries after its cursor. */
export interface StreamSubscriber {
  /** Deliveries in position order; the first may be at or below the subscriber's cursor (skip those). */
  receive(deliveries: readonly Delivery[]): void;
  /** The stream cannot continue gaplessly (events it needed were pruned); the subscriber is removed. */
  lost(): void;
}

/** One batch fanned out: where its time went (performance.now() milliseconds). */
export interface FanOutReport {
  projectId: string;
  /** The batch's first and last positions. */
  first: number;
  last: number;
  /** Subscribers of the stream when the batch started. */
  subscribers: number;
  /** When the batch's oldest event reached the dispatcher (acknowledged commit, or read from the log). */
  queuedAt: number;
  /** When its fan-out started, and when the last subscriber's write was made. */
  startedAt: number;
  finishedAt: number;
  /** Event-loop turns the fan-out took (1: all in one slice). */
  turns: number;
}

/** A report as log fields, times as Unix epoch milliseconds (comparable across processes of a machine). */
export function fanOutTimes(report: FanOutReport): Record<string, string | number> {
  const epoch = (t: number) => Math.round((performance.timeOrigin + t) * 1000) / 1000;
  return {
    project: report.projectId,
    first: report.first,
    last: report.last,
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
  /** Every batch once every subscriber has it (metrics, debug logs, the fan-out benchmark). */
  onFanOut?: (report: FanOutReport) => void;
}

const RETRY_MIN_MS = 50;
/** Time one fan-out slice may take before the event loop gets a turn. */
const SLICE_MS = 1;
const RETRY_MAX_MS = 5_000;

export class ProjectStream {
  readonly projectId: string;
  /** The last position fanned out; -1 until the stream knows where the project stands. */
  delivered = -1;
  /** The newest position known to be committed. */
  known = 0;
  readonly parked = new Map<number, Delivery>();
  readonly subscribers = new Set<StreamSubscriber>();
  reading = false;
  retryMs = 0;
  retryTimer: NodeJS.Timeout | undefined;
  lastError: unknown = null;
  /** The batch being fanned out, and to whom (subscribers present when it started). */
  fanout: {
    batch: Delivery[];
    subscribers: StreamSubscriber[];
    next: number;
    startedAt: number;
    turns: number;
  } | null = null;
  readonly ready: Promise<void>;

  constructor(projectId: string, ready: (stream: ProjectStream) => Promise<void>) {
    this.projectId = projectId;
    this.ready = ready(this);
  }

  /** Joins at `cursor` (the subscriber has everything up to it); requires cursor >= delivered. */
  add(subscriber: StreamSubscriber): void {
    this.subscribers.add(subscriber);
  }

  remove(subscriber: StreamSubscriber): void {
    this.subscribers.delete(subscriber);
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
    if (stream.fanout !== null && !this.#fanOut(stream)) return; // the current batch first
    const batch: Delivery[] = [];
    for (let next = stream.delivered + 1; batch.length < this.#readBatch; next++) {
      const delivery = stream.parked.get(next);
      if (delivery === undefined) break;
      stream.parked.delete(next);
      batch.push(delivery);
    }
    if (batch.length > 0) {
      stream.delivered = (batch[batch.length - 1] as Delivery).position;
      this.#delivered += batch.length;
      stream.fanout = { batch, subscribers: [...stream.subscribers], next: 0, startedAt: performance.now(), turns: 0 };
      if (!this.#fanOut(stream)) return;
      // More parked than one batch: continue on the next macrotask (other work goes first).
      if (stream.parked.has(stream.delivered + 1)) this.#markDirty(stream);
    }
    if (stream.known > stream.delivered && !stream.parked.has(stream.delivered + 1)) {
      if (!stream.reading && stream.retryTimer === undefined) void this.#fill(stream);
    } else if (stream.subscribers.size === 0 && !stream.reading && stream.retryTimer === undefined) {
      // Nobody follows it and nothing is pending: forget it (a later follow re-reads the position).
      this.#streams.delete(stream.projectId);
    }
  }

  /** Hands the current batch to the next subscribers for up to SLICE_MS; true once all have it. */
  #fanOut(stream: ProjectStream): boolean {
    const fanout = stream.fanout;
    if (fanout === null) return true;
    fanout.turns++;
    const deadline = performance.now() + SLICE_MS;
    while (fanout.next < fanout.subscribers.length) {
      const subscriber = fanout.subscribers[fanout.next++] as StreamSubscriber;
      // One that left meanwhile is skipped; one that joined meanwhile read this batch from the log.
      if (stream.subscribers.has(subscriber)) {
        try {
          subscriber.receive(fanout.batch);
        } catch (error) {
          this.#onError(error);
        }
      }
      // Checked after every subscriber: one with a large batch can take a while to write.
      if (fanout.next < fanout.subscribers.length && performance.now() > deadline) {
        this.#markDirty(stream);
        return false;
      }
    }
    stream.fanout = null;
    this.#report(stream, fanout);
    return true;
  }

  #report(stream: ProjectStream, fanout: NonNullable<ProjectStream["fanout"]>): void {
    if (this.#onFanOut === undefined) return;
    let queuedAt = fanout.startedAt;
    for (const delivery of fanout.batch) if (delivery.queuedAt < queuedAt) queuedAt = delivery.queuedAt;
    try {
      this.#onFanOut({
        projectId: stream.projectId,
        first: (fanout.batch[0] as Delivery).position,
        last: (fanout.batch[fanout.batch.length - 1] as Delivery).position,
        subscribers: fanout.subscribers.length,
        queuedAt,
        startedAt: fanout.startedAt,
        finishedAt: performance.now(),
        turns: fanout.turns,
      });
    } catch (error) {
      this.#onError(error);
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
        try {
          const last = await this.#store.lastEventPosition(stream.projectId);
          stream.delivered = Math.max(stream.delivered, last);
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
