// The SSE change stream: `event:` = type, `id:` = event id, `data:` = the event as JSON, and a
// comment line every 15 s of silence so proxies keep idle connections open.
//
// Under Node, events are written straight to the response (a write per event, no promise per
// event) once the head is out; elsewhere (app.request in tests) into the answer's body stream. Each stream has a bounded send buffer: a client
// that falls behind by more than it (bytes accepted and not yet taken by its socket) gets an
// `error` event, SLOW_CONSUMER, and the stream ends; it resumes with Last-Event-ID. One that
// cannot even take that event is dropped after a grace period.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "hono";
import type { Store } from "../store/types.ts";
import type { Delivery, DeliveryBatch } from "./delivery.ts";
import type { EventDispatcher } from "./dispatcher.ts";
import { type EventsExpiredError, Feed, type FeedSink } from "./feed.ts";
import type { EventFilter } from "./filter.ts";

/** How long a stream that is being ended may take to write its last event before its socket is dropped. */
const END_GRACE_MS = 5_000;
/** How often a waiting replay looks at the send buffer again. */
const ROOM_POLL_MS = 10;

const KEEP_ALIVE = Buffer.from(": keep-alive\n\n");
const CONNECTED = Buffer.from(": connected\n\n");

/** The SSE `error` event that ends a stream: data `{"type":"error","code":...,"message":...}`. */
export function sseErrorEvent(code: string, message: string): Buffer {
  return Buffer.from(`event: error\ndata: ${JSON.stringify({ type: "error", code, message })}\n\n`);
}

/** Where a stream's bytes go: the Node response itself, or the answer's body stream. */
interface Transport {
  write(chunk: Buffer): void;
  /** Bytes accepted and not yet handed to the socket. */
  readonly buffered: number;
  end(): void;
  destroy(): void;
}

/**
 * Straight to the Node response: @hono/node-server has written the head and waits on the body
 * stream (which gets nothing but its end), so these writes follow the head in order.
 */
function nodeTransport(outgoing: ServerResponse, body: ReadableStreamDefaultController<Uint8Array>): Transport {
  return {
    write: (chunk) => {
      outgoing.write(chunk);
      // Node corks the socket on a response write and uncorks it on the next tick: after a fan-out
      // slice, that would make every stream's system call at once, outside the slice's time
      // budget (1,000 streams: the event loop blocked for 10 ms and more). Written now instead.
      outgoing.socket?.uncork();
    },
    get buffered() {
      return outgoing.writableLength;
    },
    end: () => body.close(),
    destroy: () => outgoing.destroy(),
  };
}

/** Into the answer's body stream (no Node response: app.request in tests, other runtimes). */
function bodyTransport(body: ReadableStreamDefaultController<Uint8Array>): Transport {
  return {
    write: (chunk) => body.enqueue(chunk),
    get buffered() {
      return -(body.desiredSize ?? 0);
    },
    end: () => body.close(),
    destroy: () => body.error(new Error("stream dropped")),
  };
}

class SseSink implements FeedSink {
  readonly #limit: number;
  readonly #onSlow: (() => void) | undefined;
  #transport: Transport | null = null;
  /** What came before the transport was ready (the answer's headers not yet written). */
  #early: Buffer[] = [];
  #earlyBytes = 0;
  #closed = false;
  #ended = false;
  #wroteSinceTick = false;
  #keepAlive: NodeJS.Timeout | undefined;
  #onEnd: (() => void) | undefined;

  constructor(limit: number, onSlow: (() => void) | undefined) {
    this.#limit = limit;
    this.#onSlow = onSlow;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Starts writing (the answer's head is out); `onEnd` runs once the stream is over. */
  attach(transport: Transport, keepAliveMs: number, onEnd: () => void): void {
    this.#transport = transport;
    this.#onEnd = onEnd;
    transport.write(CONNECTED);
    for (const chunk of this.#early.splice(0)) transport.write(chunk);
    this.#earlyBytes = 0;
    this.#keepAlive = setInterval(() => {
      if (!this.#wroteSinceTick && !this.#closed) transport.write(KEEP_ALIVE);
      this.#wroteSinceTick = false;
    }, keepAliveMs);
    if (this.#closed) this.#finish();
  }

  #pending(): number {
    return this.#earlyBytes + (this.#transport?.buffered ?? 0);
  }

  #write(chunk: Buffer): void {
    this.#wroteSinceTick = true;
    if (this.#transport !== null) this.#transport.write(chunk);
    else {
      this.#early.push(chunk);
      this.#earlyBytes += chunk.length;
    }
  }

  push(delivery: Delivery): void {
    if (this.#closed || this.#slow()) return;
    this.#write(delivery.sseMessage);
  }

  pushAll(batch: DeliveryBatch): boolean {
    const writes = batch.sseMessages;
    if (writes === null) return false;
    for (const messages of writes) {
      // Checked before every write, as for single events: at most one write over the limit.
      if (this.#closed || this.#slow()) return true;
      this.#write(messages);
    }
    return true;
  }

  /** Over the send buffer: the stream ends with SLOW_CONSUMER (true), else false. */
  #slow(): boolean {
    if (this.#pending() <= this.#limit) return false;
    this.#onSlow?.();
    this.#end(
      sseErrorEvent(
        "SLOW_CONSUMER",
        "The stream fell too far behind; reconnect with Last-Event-ID set to the last event received.",
      ),
    );
    return true;
  }

  hasRoom(): boolean {
    return this.#closed || this.#pending() <= this.#limit / 2;
  }

  async waitForRoom(): Promise<void> {
    while (!this.hasRoom()) await new Promise((resolve) => setTimeout(resolve, ROOM_POLL_MS));
  }

  lost(error: EventsExpiredError): void {
    this.#end(sseErrorEvent("EVENTS_EXPIRED", error.message));
  }

  failed(): void {
    // The client reconnects with Last-Event-ID and resumes; nothing to add.
    this.#end(null);
  }

  /** The client went away. */
  abort(): void {
    this.#closed = true;
    this.#ended = true;
    clearInterval(this.#keepAlive);
    this.#onEnd?.();
  }

  /** Stops taking events; `final` goes out after what is already written. */
  #end(final: Buffer | null): void {
    if (this.#closed) return;
    this.#closed = true;
    if (final !== null) this.#write(final);
    if (this.#transport !== null) this.#finish();
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearInterval(this.#keepAlive);
    const transport = this.#transport as Transport;
    transport.end();
    // A client that stopped reading cannot take the end: drop its socket after a grace period.
    if (transport.buffered > 0) {
      setTimeout(() => {
        if (transport.buffered > 0) transport.destroy();
      }, END_GRACE_MS).unref();
    }
    this.#onEnd?.();
  }
}

/** The open streams of a server, so a shutdown can end them instead of waiting for them. */
export class SseStreams {
  readonly #open = new Set<SseSink>();

  add(sink: SseSink): () => void {
    this.#open.add(sink);
    return () => this.#open.delete(sink);
  }

  get size(): number {
    return this.#open.size;
  }

  /** Ends every stream (clients reconnect with Last-Event-ID). */
  closeAll(): void {
    for (const sink of this.#open) sink.failed();
  }
}

export interface SseOptions {
  store: Store;
  dispatcher: EventDispatcher;
  projectId: string;
  filter: EventFilter;
  lastEventId: string | null;
  /** Bytes a stream may have queued before it is ended as a slow consumer. */
  sendBufferBytes: number;
  keepAliveMs?: number;
  /** Called once per stream ended as a slow consumer (metrics). */
  onSlowConsumer?: () => void;
  /** Where open streams are registered (for shutdown). */
  streams?: SseStreams;
}

/**
 * Answers with the stream. The feed is opened before the answer starts, so a bad or expired
 * Last-Event-ID still becomes a proper error answer (the handler maps the feed's errors).
 */
export async function sseResponse(c: Context, options: SseOptions): Promise<Response> {
  const env = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
  const sink = new SseSink(options.sendBufferBytes, options.onSlowConsumer);
  const feed = await Feed.open({ ...options, sink });
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const unregister = options.streams?.add(sink);
  const done = () => {
    feed.close();
    unregister?.();
  };
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>(
    {
      start: (c) => {
        controller = c;
      },
      cancel: () => {
        sink.abort();
        done();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
  );
  const stream = controller as unknown as ReadableStreamDefaultController<Uint8Array>;
  const outgoing = env?.outgoing;
  if (outgoing === undefined) {
    sink.attach(bodyTransport(stream), keepAliveMs, done);
    feed.start();
  } else {
    outgoing.once("close", () => {
      sink.abort();
      done();
    });
    // Once the head is out (written by @hono/node-server from the final answer, with every
    // middleware's headers), the events follow it directly.
    const attach = () => {
      if (outgoing.destroyed) return;
      if (!outgoing.headersSent) {
        setImmediate(attach);
        return;
      }
      sink.attach(nodeTransport(outgoing, stream), keepAliveMs, done);
      feed.start();
    };
    setImmediate(attach);
  }
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
      "Transfer-Encoding": "chunked",
    },
  });
}
