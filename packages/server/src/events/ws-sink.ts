// A WebSocket subscriber's end of a feed: sends each event's shared message buffer as a text
// frame, and enforces the connection's send buffer. Live events never wait: a connection whose
// unsent bytes (ws.bufferedAmount: queued in ws and in the socket) are over the limit when the
// next event comes is closed with 4009 (slow consumer) and resumes from its last event id. The
// replay instead waits for the buffer to drain below half the limit before each event.
//
// Events go to the connection's socket as prebuilt frames (Delivery.wsFrame, one Buffer for all
// connections), a single write each, instead of through ws.send, which frames every message
// anew and writes header and payload separately. This relies on ws writing each of its own
// messages to the socket synchronously, which holds without permessage-deflate (disabled in
// ws-server.ts): frames never interleave, and ws.bufferedAmount still counts every byte.
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import type { Delivery, DeliveryBatch } from "./delivery.ts";
import type { EventsExpiredError, FeedSink } from "./feed.ts";

export const CLOSE_SLOW_CONSUMER = 4009;
/** How long a closing slow consumer may take to read what is queued and the close frame. */
const CLOSE_GRACE_MS = 5_000;
/** How often a waiting replay looks at the buffer again. */
const ROOM_POLL_MS = 10;

export interface WebSocketSinkHooks {
  /** Events went out on this connection (how many). */
  sent(events: number): void;
  /** Events the subscription needed were pruned: tell the client (an `error` message). */
  lost(error: EventsExpiredError): void;
  /** The feed failed unexpectedly. */
  failed(error: unknown): void;
  /** The connection is being closed as a slow consumer. */
  slow(): void;
}

export class WebSocketSink implements FeedSink {
  readonly #socket: WebSocket;
  readonly #limit: number;
  readonly #hooks: WebSocketSinkHooks;
  #closed = false;

  constructor(socket: WebSocket, limit: number, hooks: WebSocketSinkHooks) {
    this.#socket = socket;
    this.#limit = limit;
    this.#hooks = hooks;
  }

  get closed(): boolean {
    return this.#closed || this.#socket.readyState !== this.#socket.OPEN;
  }

  /** Stops this sink (the subscription was replaced or ended); the connection stays. */
  close(): void {
    this.#closed = true;
  }

  push(delivery: Delivery): void {
    if (this.closed || this.#slow()) return;
    const raw = rawSocketOf(this.#socket);
    if (raw !== undefined) raw.write(delivery.wsFrame);
    else this.#socket.send(delivery.wsMessage, { binary: false });
    this.#hooks.sent(1);
  }

  pushAll(batch: DeliveryBatch): boolean {
    const raw = rawSocketOf(this.#socket);
    const writes = raw === undefined ? null : batch.wsFrames;
    if (raw === undefined || writes === null) return false;
    for (const frames of writes) {
      // Checked before every write, as for single events: at most one write over the limit.
      if (this.closed || this.#slow()) return true;
      raw.write(frames);
    }
    this.#hooks.sent(batch.last - batch.first + 1);
    return true;
  }

  /** Over the send buffer: closed with 4009 (true), else false. */
  #slow(): boolean {
    if (this.#socket.bufferedAmount <= this.#limit) return false;
    this.#closed = true;
    this.#hooks.slow();
    closeSlowConsumer(this.#socket);
    return true;
  }

  batch(pushes: () => void): void {
    // ws writes each message to its socket at once; corked, a batch leaves in one write.
    const raw = rawSocketOf(this.#socket);
    raw?.cork();
    try {
      pushes();
    } finally {
      raw?.uncork();
    }
  }

  hasRoom(): boolean {
    return this.closed || this.#socket.bufferedAmount <= this.#limit / 2;
  }

  async waitForRoom(): Promise<void> {
    while (!this.hasRoom()) await new Promise((resolve) => setTimeout(resolve, ROOM_POLL_MS));
  }

  lost(error: EventsExpiredError): void {
    if (this.closed) return;
    this.#closed = true;
    this.#hooks.lost(error);
  }

  failed(error: unknown): void {
    if (this.closed) return;
    this.#closed = true;
    this.#hooks.failed(error);
  }
}

/** The TCP socket under a WebSocket (ws keeps it as `_socket`), when it is there and writable. */
function rawSocketOf(socket: WebSocket): Socket | undefined {
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  return raw?.writable ? raw : undefined;
}

/** Closes with 4009; a peer that does not read even the close frame is dropped after a grace period. */
export function closeSlowConsumer(socket: WebSocket): void {
  socket.close(CLOSE_SLOW_CONSUMER, "slow consumer: resume from your last event id");
  setTimeout(() => {
    if (socket.readyState !== socket.CLOSED) socket.terminate();
  }, CLOSE_GRACE_MS).unref();
}
