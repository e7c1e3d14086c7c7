// A subscriber's ordered feed, used by both the SSE stream and the WebSocket: replays the stored
// events after a resume id, then follows the project's live stream (dispatcher.ts), with no gap
// and no duplicate between the two. The feed keeps a cursor, the position of the last event it
// passed on (matching the filter or not), and only ever moves it to cursor + 1:
// - open: the resume id is read exactly and checked (InvalidEventIdError, UnknownEventIdError,
//   EventsExpiredError are thrown here, before any answer, so the caller can refuse cleanly);
// - replay: the log is read in bounded batches after the cursor, each batch's first position
//   must be cursor + 1 (else the loop stops with an error: it can never spin), the sink's room is
//   awaited before each event and the event loop gets a turn between batches;
// - join: once the cursor has reached the live stream's delivered position, the feed joins it
//   in the same tick; deliveries at or below the cursor are duplicates and skipped.
import { eventIdOf } from "../store/event-id.ts";
import { EventsPrunedError, type Store, type StoredEvent } from "../store/types.ts";
import { Delivery, type DeliveryBatch } from "./delivery.ts";
import type { EventDispatcher, ProjectStream, StreamSubscriber } from "./dispatcher.ts";
import { type EventFilter, matches } from "./filter.ts";
import { EventsExpiredError, parseResumeId, UnknownEventIdError } from "./resume.ts";

export { EventsExpiredError, InvalidEventIdError, UnknownEventIdError } from "./resume.ts";

const REPLAY_BATCH = 50;

/** Where a feed's events go: the SSE stream or the WebSocket, each with its own send buffer. */
export interface FeedSink {
  /** One event that matches the filter, in order. */
  push(delivery: Delivery): void;
  /**
   * Every event of the batch (all match), in one write where the transport allows; false when it
   * cannot (then the events are pushed one by one). A slow consumer is cut off here too.
   */
  pushAll?(batch: DeliveryBatch): boolean;
  /** Runs `pushes` as one write where the transport allows (several events, one syscall). */
  batch?(pushes: () => void): void;
  /** Whether a replayed event may be pushed now (the send buffer is below its low-water mark). */
  hasRoom(): boolean;
  /** Resolves once there is room again, or the sink closed. */
  waitForRoom(): Promise<void>;
  readonly closed: boolean;
  /** The stream cannot continue without a gap (events were pruned under it): the client resyncs. */
  lost(error: EventsExpiredError): void;
  /** An unexpected failure (the database): end the stream; the client resumes from its last id. */
  failed(error: unknown): void;
  /**
   * The feed has caught up with the live stream at `cursor` (>= stream.delivered): a sink that
   * delivers live events itself (a delivery process, remote-socket.ts) takes over and returns
   * true; otherwise the feed joins the stream.
   */
  follow?(stream: ProjectStream, cursor: number, filter: EventFilter): boolean;
}

export interface FeedOptions {
  store: Store;
  dispatcher: EventDispatcher;
  projectId: string;
  filter: EventFilter;
  /** Resume after this event id (exactly as the client sent it), or null for live events only. */
  lastEventId: string | null;
  sink: FeedSink;
  readBatch?: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Feed implements StreamSubscriber {
  readonly #options: FeedOptions;
  readonly #readBatch: number;
  /** No filter: every event goes out, so a batch can leave as one shared buffer. */
  readonly #unfiltered: boolean;
  #cursor = 0;
  #first: StoredEvent[] = [];
  #stream: ProjectStream | null = null;
  #closed = false;
  #started = false;
  #rejoining = false;
  /** The sink delivers the live stream itself (follow). */
  #handedOver = false;

  private constructor(options: FeedOptions) {
    this.#options = options;
    this.#readBatch = options.readBatch ?? REPLAY_BATCH;
    this.#unfiltered = options.filter.types.size === 0 && options.filter.sequenceIds.size === 0;
  }

  /**
   * Checks the resume id and reads the first replay batch (live-only feeds join the live stream
   * at once); throws InvalidEventIdError, UnknownEventIdError or EventsExpiredError. Nothing is
   * pushed to the sink before `start`.
   */
  static async open(options: FeedOptions): Promise<Feed> {
    const feed = new Feed(options);
    const { store, projectId, lastEventId } = options;
    if (lastEventId === null) {
      const stream = await options.dispatcher.follow(projectId);
      feed.#cursor = stream.delivered;
      feed.#join(stream);
      return feed;
    }
    const seq = parseResumeId(lastEventId);
    // The newest position first: every event up to it is committed before the read below.
    const newest = await store.lastEventPosition(projectId);
    try {
      feed.#first = await store.eventsAfter(projectId, eventIdOf(seq), feed.#readBatch);
    } catch (error) {
      if (error instanceof EventsPrunedError) throw new EventsExpiredError(lastEventId);
      throw error;
    }
    const last = feed.#first[feed.#first.length - 1];
    if (last !== undefined) {
      feed.#cursor = (feed.#first[0] as StoredEvent).position - 1;
      return feed;
    }
    // Nothing after the id: the client is up to date, unless the id is beyond the project's newest.
    if (newest === 0) throw new UnknownEventIdError(lastEventId);
    let newestEvent: StoredEvent | undefined;
    try {
      [newestEvent] = await store.eventsFrom(projectId, newest - 1, 1);
    } catch (error) {
      // The newest event was pruned, and the id was not (eventsAfter passed): the id is beyond it.
      if (error instanceof EventsPrunedError) throw new UnknownEventIdError(lastEventId);
      throw error;
    }
    if (newestEvent === undefined || seq > parseResumeId(newestEvent.id)) throw new UnknownEventIdError(lastEventId);
    feed.#cursor = newest;
    return feed;
  }

  /** The position of the last event passed on (delivered or filtered out). */
  get cursor(): number {
    return this.#cursor;
  }

  /** Pushes the replay, then follows the live stream; runs in the background until closed. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    if (this.#stream !== null || this.#handedOver) return; // live only: already joined
    this.#run().catch((error: unknown) => this.#fail(error));
  }

  close(): void {
    this.#closed = true;
    this.#stream?.remove(this);
    this.#stream = null;
  }

  receive(batch: DeliveryBatch): void {
    if (this.#closed) return;
    if (!(batch.first <= this.#cursor + 1)) {
      // A gap before the batch (or nothing): cannot happen with a gapless stream and a window that
      // holds every unfinished position; if it ever does, fill the gap from the log.
      this.#rejoin();
      return;
    }
    if (batch.last <= this.#cursor) return; // seen already (replay, or joined ahead)
    const sink = this.#options.sink;
    if (this.#unfiltered && batch.first === this.#cursor + 1 && sink.pushAll?.(batch)) {
      this.#cursor = batch.last;
      if (sink.closed) this.close();
      return;
    }
    const deliveries = batch.deliveries;
    if (deliveries.length > 1 && sink.batch) sink.batch(() => this.#receive(deliveries));
    else this.#receive(deliveries);
  }

  #receive(deliveries: readonly Delivery[]): void {
    const { filter, sink } = this.#options;
    for (const delivery of deliveries) {
      if (delivery.position <= this.#cursor) continue; // seen already (replay, or joined ahead)
      if (delivery.position !== this.#cursor + 1) {
        this.#rejoin();
        return;
      }
      this.#cursor = delivery.position;
      if (this.#unfiltered || matches(filter, delivery.event)) sink.push(delivery);
      if (sink.closed) {
        this.close();
        return;
      }
    }
  }

  lost(): void {
    if (this.#closed) return;
    this.#stream = null;
    this.close();
    this.#options.sink.lost(new EventsExpiredError(null));
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    this.close();
    if (error instanceof EventsPrunedError) this.#options.sink.lost(new EventsExpiredError(null));
    else this.#options.sink.failed(error);
  }

  #rejoin(): void {
    this.#stream?.remove(this);
    this.#stream = null;
    if (this.#rejoining) return;
    this.#rejoining = true;
    this.#catchUp()
      .catch((error: unknown) => this.#fail(error))
      .finally(() => {
        this.#rejoining = false;
      });
  }

  #join(stream: ProjectStream): void {
    if (this.#options.sink.follow?.(stream, this.#cursor, this.#options.filter)) {
      this.#handedOver = true;
      return;
    }
    this.#stream = stream;
    stream.add(this);
  }

  async #run(): Promise<void> {
    const first = this.#first;
    this.#first = [];
    if (first.length > 0) await this.#replay(first);
    await this.#catchUp();
  }

  /** Reads the log after the cursor until it meets the live stream, then joins it. */
  async #catchUp(): Promise<void> {
    const { store, dispatcher, projectId } = this.#options;
    for (;;) {
      if (this.#closed) return;
      const stream = await dispatcher.follow(projectId);
      if (this.#closed) return;
      if (stream.delivered <= this.#cursor) {
        // Same tick as the check: no delivery can fall between reading and joining.
        this.#join(stream);
        return;
      }
      // The live stream is ahead, so the log holds position cursor + 1: a read that does not
      // start there (empty, or past a gap) stops the loop instead of spinning.
      const batch = await store.eventsFrom(projectId, this.#cursor, this.#readBatch);
      if (batch[0]?.position !== this.#cursor + 1) {
        throw new Error(`event log read after position ${this.#cursor} returned ${batch[0]?.position ?? "nothing"}`);
      }
      await this.#replay(batch);
      await yieldToEventLoop();
    }
  }

  /** Passes on a batch read from the log; its first position must continue the cursor. */
  async #replay(batch: readonly StoredEvent[]): Promise<void> {
    const { filter, sink } = this.#options;
    if (this.#closed) return;
    for (const event of batch) {
      if (event.position !== this.#cursor + 1) throw new Error(`event log out of order at ${event.position}`);
      if (!matches(filter, event)) {
        this.#cursor = event.position;
        continue;
      }
      if (!sink.hasRoom()) await sink.waitForRoom();
      if (this.#closed || sink.closed) {
        this.close();
        return;
      }
      this.#cursor = event.position;
      sink.push(new Delivery(event));
    }
  }
}
