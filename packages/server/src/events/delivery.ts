// One committed event on its way to subscribers, serialised once: the JSON of the change event
// is built the first time a subscriber needs it, and the WebSocket message and the SSE message
// are each one Buffer shared by every subscriber of that kind (filters only choose whether a
// subscriber gets it, never what it gets).
import type { StoredEvent } from "../store/types.ts";
import { wireEvent } from "./filter.ts";

export class Delivery {
  readonly event: StoredEvent;
  /** When the dispatcher got the event (performance.now()): acknowledged, or read from the log. */
  readonly queuedAt = performance.now();
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
