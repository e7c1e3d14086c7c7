// The server's side of a WebSocket whose socket a delivery process owns (delivery-pool.ts): to
// the hub it looks like a ws WebSocket (send, close, ping, events), and every call becomes a
// message to the child. Its feed sink (RemoteSink) sends replayed events as frames and, once the
// feed has caught up with the live stream, hands the live stream over: one forwarder per child
// and project follows the project's stream and sends each event once to the child, which writes
// it to every connection that follows it (its cursor and filter travel in the `live` message).
import { EventEmitter } from "node:events";
import type { Delivery, DeliveryBatch } from "./delivery.ts";
import type { ToChild, WireEvent } from "./delivery-wire.ts";
import type { EventsExpiredError, FeedSink } from "./feed.ts";
import type { EventFilter } from "./filter.ts";
import type { ProjectStream, StreamSubscriber } from "./project-stream.ts";
import { EventsExpiredError as Expired } from "./resume.ts";
import type { WebSocketSinkHooks } from "./ws-sink.ts";

/** How often a waiting replay looks at the acknowledged bytes again. */
const ROOM_POLL_MS = 10;

/** The child a remote socket lives in, as the socket and its forwarders need it. */
export interface ChildLink {
  post(message: ToChild): void;
  /** The forwarders of this child, by project. */
  readonly forwarders: Map<string, Forwarder>;
}

export class RemoteSocket extends EventEmitter {
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 1;
  /** Replayed bytes sent to the child and not yet written to the socket. */
  unacked = 0;
  /** The live subscription's sink, if any (the child's reports go to it). */
  sink: RemoteSink | null = null;
  readonly id: number;
  readonly child: ChildLink;

  constructor(child: ChildLink, id: number) {
    super();
    this.child = child;
    this.id = id;
  }

  get bufferedAmount(): number {
    return this.unacked;
  }

  send(data: string): void {
    if (this.readyState === this.OPEN) this.child.post({ t: "send", id: this.id, data });
  }

  ping(): void {
    if (this.readyState === this.OPEN) this.child.post({ t: "ping", id: this.id });
  }

  close(code: number, reason: string): void {
    if (this.readyState >= this.CLOSING) return;
    this.readyState = this.CLOSING;
    this.child.post({ t: "close", id: this.id, code, reason });
  }

  terminate(): void {
    if (this.readyState === this.CLOSED) return;
    this.readyState = this.CLOSING;
    this.child.post({ t: "terminate", id: this.id });
  }

  /** The child closed it (or died): once. */
  closed(): void {
    if (this.readyState === this.CLOSED) return;
    this.readyState = this.CLOSED;
    this.sink?.close();
    this.emit("close");
  }
}

/** A feed's sink on a remote socket: replays as frames over IPC; live events via the child's forwarder. */
export class RemoteSink implements FeedSink {
  readonly socket: RemoteSocket;
  readonly hooks: WebSocketSinkHooks;
  readonly #limit: number;
  #closed = false;
  /** Live delivery handed over (or about to be): the forwarder and what the child must know. */
  #live: { forwarder: Forwarder; message: Extract<ToChild, { t: "live" }>; posted: boolean } | null = null;

  constructor(socket: RemoteSocket, limit: number, hooks: WebSocketSinkHooks) {
    this.socket = socket;
    this.#limit = limit;
    this.hooks = hooks;
  }

  get closed(): boolean {
    return this.#closed || this.socket.readyState !== this.socket.OPEN;
  }

  push(delivery: Delivery): void {
    if (this.closed) return;
    const frame = delivery.wsFrame;
    this.socket.unacked += frame.length;
    this.socket.child.post({ t: "frames", id: this.socket.id, data: frame });
    this.hooks.sent(1);
  }

  hasRoom(): boolean {
    return this.closed || this.socket.unacked <= this.#limit / 2;
  }

  async waitForRoom(): Promise<void> {
    while (!this.hasRoom()) await new Promise((resolve) => setTimeout(resolve, ROOM_POLL_MS));
  }

  /**
   * The feed caught up with the stream at `cursor` (>= stream.delivered): the child delivers from
   * here. The `live` message is posted before the forwarder's next events, and after whatever the
   * hub sends in this turn (the `subscribed` confirmation, the previous subscription's end).
   */
  follow(stream: ProjectStream, cursor: number, filter: EventFilter): boolean {
    if (this.closed) return true;
    const child = this.socket.child;
    let forwarder = child.forwarders.get(stream.projectId);
    if (forwarder === undefined) {
      forwarder = new Forwarder(child, stream);
      child.forwarders.set(stream.projectId, forwarder);
      stream.add(forwarder);
    }
    const message: Extract<ToChild, { t: "live" }> = {
      t: "live",
      id: this.socket.id,
      project: stream.projectId,
      cursor,
      types: [...filter.types],
      seqs: [...filter.sequenceIds],
    };
    this.#live = { forwarder, message, posted: false };
    this.socket.sink = this;
    forwarder.sinks.add(this);
    setImmediate(() => this.postLive());
    return true;
  }

  /** Sends the `live` message if it is still due. */
  postLive(): void {
    const live = this.#live;
    if (live === null || live.posted || this.closed) return;
    live.posted = true;
    this.socket.child.post(live.message);
  }

  /** The subscription ends (or the connection): the child stops its live delivery. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.socket.sink === this) this.socket.sink = null;
    const live = this.#live;
    this.#live = null;
    if (live === null) return;
    live.forwarder.drop(this);
    if (live.posted && this.socket.readyState === this.socket.OPEN) {
      this.socket.child.post({ t: "unlive", id: this.socket.id });
    }
  }

  lost(error: EventsExpiredError): void {
    if (this.closed) return;
    this.close();
    this.hooks.lost(error);
  }

  failed(error: unknown): void {
    if (this.closed) return;
    this.close();
    this.hooks.failed(error);
  }
}

/** Follows one project's stream for one child: each event goes to the child once, framed. */
export class Forwarder implements StreamSubscriber {
  cursor: number;
  readonly sinks = new Set<RemoteSink>();
  readonly #child: ChildLink;
  readonly #stream: ProjectStream;

  constructor(child: ChildLink, stream: ProjectStream) {
    this.#child = child;
    this.#stream = stream;
    this.cursor = stream.delivered;
  }

  receive(batch: DeliveryBatch): void {
    for (const sink of this.sinks) sink.postLive();
    if (batch.first > this.cursor + 1) {
      // Cannot happen while the window holds every unfinished position; if it does, the
      // connections resume from their last event id rather than miss an event.
      this.#end((sink) => sink.failed(new Error(`live stream gap after position ${this.cursor}`)));
      return;
    }
    if (batch.last <= this.cursor) return;
    const events: WireEvent[] = [];
    for (const d of batch.deliveries) {
      if (d.position <= this.cursor) continue;
      events.push({ p: d.position, type: d.event.type, seq: d.event.sequence_id, frame: d.wsFrame });
    }
    this.cursor = batch.last;
    this.#child.post({ t: "ev", project: this.#stream.projectId, events });
  }

  lost(): void {
    this.#end((sink) => sink.lost(new Expired(null)));
  }

  drop(sink: RemoteSink): void {
    this.sinks.delete(sink);
    if (this.sinks.size === 0) this.#end(() => {});
  }

  #end(each: (sink: RemoteSink) => void): void {
    this.#stream.remove(this);
    if (this.#child.forwarders.get(this.#stream.projectId) === this)
      this.#child.forwarders.delete(this.#stream.projectId);
    const sinks = [...this.sinks];
    this.sinks.clear();
    for (const sink of sinks) each(sink);
  }
}
