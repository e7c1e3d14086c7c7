// One committed event on its way to subscribers, serialised once: the JSON of the change event
// is built the first time a subscriber needs it, and the WebSocket message and the SSE message
// are each one Buffer shared by every subscriber of that kind (filters only choose whether a
// subscriber gets it, never what it gets). A DeliveryBatch is a run of consecutive events
// handed to one subscriber together: without a filter, it leaves as views of the project
// stream's frame buffer (frame-run.ts), in one write.
import type { StoredEvent } from "../store/types.ts";
import { wireEvent } from "./filter.ts";

export class Delivery {
  readonly event: StoredEvent;
  /** When the dispatcher got the event (performance.now()): acknowledged, or read from the log. */
  readonly queuedAt = performance.now();
  /** When the fan-out first and last wrote it to a subscriber (performance.now(); 0: not yet), and in which turns. */
  startedAt = 0;
  startedTurn = 0;
  writtenAt = 0;
  writtenTurn = 0;
  #json: string | undefined;
  #ws: Buffer | undefined;
  #wsFrame: Buffer | undefined;
  #sse: Buffer | undefined;

  constructor(event: StoredEvent) {
    this.event = event;
  }

  get position(): number {
    return this.event.position;
  }

  /** The change event as JSON (the contract's ChangeEvent). */
  get json(): string {
    this.#json ??= JSON.stringify(wireEvent(this.event));
    return this.#json;
  }

  /** The WebSocket `event` message, UTF-8. */
  get wsMessage(): Buffer {
    this.#ws ??= Buffer.from(`{"type":"event","event":${this.json}}`);
    return this.#ws;
  }

  /**
   * The WebSocket `event` message as a complete server frame (FIN, text, unmasked, length):
   * identical for every connection, so it is built once and written as it is.
   */
  get wsFrame(): Buffer {
    if (this.#wsFrame === undefined) {
      const payload = this.wsMessage;
      const n = payload.length;
      const head =
        n < 126 ? Buffer.from([0x81, n]) : n < 65536 ? Buffer.from([0x81, 126, n >> 8, n & 0xff]) : wideHead(n);
      this.#wsFrame = Buffer.concat([head, payload]);
    }
    return this.#wsFrame;
  }

  /** The SSE message: `event:` the type, `id:` the event id, `data:` the JSON (one line). */
  get sseMessage(): Buffer {
    this.#sse ??= Buffer.from(`event: ${this.event.type}\nid: ${this.event.id}\ndata: ${this.json}\n\n`);
    return this.#sse;
  }
}

function wideHead(length: number): Buffer {
  const head = Buffer.alloc(10);
  head[0] = 0x81;
  head[1] = 127;
  head.writeBigUInt64BE(BigInt(length), 2);
  return head;
}

/** The largest single write of a batch: bigger batches leave in several, cut at event boundaries. */
export const MAX_WRITE_BYTES = 64 * 1024;

/** Where a batch's events and their frames come from (the project stream's window). */
export interface BatchSource {
  deliveries(first: number, last: number): Delivery[];
  /** The events' frames back to back, as views of at most `maxBytes` each; null when not available. */
  frames(kind: "ws" | "sse", first: number, last: number, maxBytes: number): Buffer[] | null;
}

/**
 * Consecutive events (positions first..last, no gap) handed to a subscriber together. Used
 * at once (within the subscriber's `receive`): its frames are views of the stream's buffer.
 */
export class DeliveryBatch {
  readonly first: number;
  readonly last: number;
  readonly #source: BatchSource;
  #deliveries: Delivery[] | undefined;

  constructor(source: BatchSource, first: number, last: number) {
    this.#source = source;
    this.first = first;
    this.last = last;
  }

  /** A batch of these deliveries (consecutive positions), for tests and callers without a stream. */
  static of(deliveries: Delivery[]): DeliveryBatch {
    const first = deliveries[0]?.position ?? 0;
    return new DeliveryBatch(
      {
        deliveries: () => deliveries,
        frames: (kind) => [Buffer.concat(deliveries.map((d) => (kind === "ws" ? d.wsFrame : d.sseMessage)))],
      },
      first,
      first + deliveries.length - 1,
    );
  }

  get deliveries(): readonly Delivery[] {
    this.#deliveries ??= this.#source.deliveries(this.first, this.last);
    return this.#deliveries;
  }

  /** Every event's WebSocket frame, back to back, in writes of at most MAX_WRITE_BYTES; null: push one by one. */
  get wsFrames(): Buffer[] | null {
    return this.#source.frames("ws", this.first, this.last, MAX_WRITE_BYTES);
  }

  /** Every event's SSE message, back to back, in writes of at most MAX_WRITE_BYTES; null: push one by one. */
  get sseMessages(): Buffer[] | null {
    return this.#source.frames("sse", this.first, this.last, MAX_WRITE_BYTES);
  }
}
