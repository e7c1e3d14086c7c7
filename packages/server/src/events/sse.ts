// The SSE change stream: `event:` = type, `id:` = event id, `data:` = the event as JSON, and a
// comment line every 15 s of silence so proxies keep idle connections open. Each stream has a
// bounded send buffer: a client that falls behind by more than it (bytes queued here and not yet
// taken by its socket) gets an `error` event, SLOW_CONSUMER, and the stream ends; it resumes
// with Last-Event-ID. A stream that cannot even take that event is dropped after a grace period.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { Store } from "../store/types.ts";
import type { Delivery } from "./delivery.ts";
import type { EventDispatcher } from "./dispatcher.ts";
import { type EventsExpiredError, Feed, type FeedSink } from "./feed.ts";
import type { EventFilter } from "./filter.ts";

/** How long a stream that is being ended may take to write its last event before its socket is dropped. */
const END_GRACE_MS = 5_000;
/** How often a waiting replay looks at the send buffer again. */
const ROOM_POLL_MS = 10;

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

  /** Ends every stream after what it has queued (clients reconnect with Last-Event-ID). */
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

const KEEP_ALIVE = Buffer.from(": keep-alive\n\n");

/** The SSE `error` event that ends a stream: data `{"type":"error","code":...,"message":...}`. */
export function sseErrorEvent(code: string, message: string): Buffer {
  return Buffer.from(`event: error\ndata: ${JSON.stringify({ type: "error", code, message })}\n\n`);
}

class SseSink implements FeedSink {
  readonly #limit: number;
  readonly #outgoing: ServerResponse | undefined;
  readonly #onSlow: (() => void) | undefined;
  #queue: Buffer[] = [];
  #queued = 0;
  #inFlight = 0;
  #closed = false;
  /** The event that ends the stream (slow consumer, expired), written after what is queued. */
  #final: Buffer | null = null;
  #wake: (() => void) | undefined;
  #roomWaiters: (() => void)[] = [];
  #wroteSinceTick = false;

  constructor(limit: number, outgoing: ServerResponse | undefined, onSlow: (() => void) | undefined) {
    this.#limit = limit;
    this.#outgoing = outgoing;
    this.#onSlow = onSlow;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes written by the feed and not yet taken by the socket. */
  #pending(): number {
    return this.#queued + this.#inFlight + (this.#outgoing?.writableLength ?? 0);
  }

  push(delivery: Delivery): void {
    if (this.#closed) return;
    if (this.#pending() > this.#limit) {
      this.#end(
        sseErrorEvent(
          "SLOW_CONSUMER",
          "The stream fell too far behind; reconnect with Last-Event-ID set to the last event received.",
        ),
        true,
      );
      this.#onSlow?.();
      return;
    }
    this.#enqueue(delivery.sseMessage);
  }

  hasRoom(): boolean {
    return this.#closed || this.#pending() <= this.#limit / 2;
  }

  async waitForRoom(): Promise<void> {
    // Woken when a write completes; also looked at again every few ms, since the room also
    // grows when the socket drains what an earlier write handed it.
    while (!this.hasRoom()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ROOM_POLL_MS);
        this.#roomWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  lost(error: EventsExpiredError): void {
    this.#end(sseErrorEvent("EVENTS_EXPIRED", error.message), false);
  }

  failed(): void {
    // The client reconnects with Last-Event-ID and resumes; nothing to add.
    this.#end(null, false);
  }

  /** The client went away. */
  abort(): void {
    this.#closed = true;
    this.#queue = [];
    this.#queued = 0;
    this.#wakeAll();
  }

  #enqueue(chunk: Buffer): void {
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    this.#wake?.();
  }

  /** Stops taking events; `final` goes out after what is queued (or instead of it, when `discard`). */
  #end(final: Buffer | null, discard: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    if (discard) {
      this.#queue = [];
      this.#queued = 0;
    }
    this.#final = final;
    this.#wakeAll();
    // A client that stopped reading cannot take the closing write (the writer waits on its
    // socket): drop the socket after a grace period, which also ends the stream.
    const outgoing = this.#outgoing;
    if (outgoing !== undefined) {
      setTimeout(() => {
        if (!outgoing.writableFinished) outgoing.destroy();
      }, END_GRACE_MS).unref();
    }
  }

  #wakeAll(): void {
    this.#wake?.();
    for (const resolve of this.#roomWaiters.splice(0)) resolve();
  }

  /** Writes until the stream ends; keep-alive comments every `keepAliveMs` of silence. */
  async run(write: (chunk: Buffer) => Promise<unknown>, keepAliveMs: number): Promise<void> {
    const keepAlive = setInterval(() => {
      if (!this.#wroteSinceTick && !this.#closed) this.#enqueue(KEEP_ALIVE);
      this.#wroteSinceTick = false;
    }, keepAliveMs);
    try {
      for (;;) {
        if (this.#queue.length > 0) {
          const chunk = this.#queue.length === 1 ? (this.#queue[0] as Buffer) : Buffer.concat(this.#queue);
          this.#queue = [];
          this.#inFlight = this.#queued;
          this.#queued = 0;
          this.#wroteSinceTick = true;
          await write(chunk);
          this.#inFlight = 0;
          if (this.#roomWaiters.length > 0 && this.hasRoom()) {
            for (const resolve of this.#roomWaiters.splice(0)) resolve();
          }
          continue;
        }
        if (this.#closed) break;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
      }
      if (this.#final !== null) await write(this.#final);
    } finally {
      clearInterval(keepAlive);
    }
  }
}

/**
 * Answers with the stream. The feed is opened before the response starts, so a bad or expired
 * Last-Event-ID still becomes a proper error answer (the handler maps the feed's errors).
 */
export async function sseResponse(c: Context, options: SseOptions): Promise<Response> {
  const env = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
  const sink = new SseSink(options.sendBufferBytes, env?.outgoing, options.onSlowConsumer);
  const feed = await Feed.open({ ...options, sink });
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  return streamSSE(c, async (stream) => {
    const unregister = options.streams?.add(sink);
    stream.onAbort(() => {
      sink.abort();
      feed.close();
    });
    await stream.write(": connected\n\n");
    feed.start();
    try {
      await sink.run((chunk) => stream.write(chunk), keepAliveMs);
    } finally {
      feed.close();
      unregister?.();
    }
  });
}
