// One committed event on its way to subscribers, serialised once: the JSON of the change event
// is built the first time a subscriber needs it, and the WebSocket message and the SSE message
// are each one Buffer shared by every subscriber of that kind (filters only choose whether a
// subscriber gets it, never what it gets).
import type { StoredEvent } from "../store/types.ts";
import { wireEvent } from "./filter.ts";

export class Delivery {
  readonly event: StoredEvent;
  #json: string | undefined;
  #ws: Buffer | undefined;
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

  /** The SSE message: `event:` the type, `id:` the event id, `data:` the JSON (one line). */
  get sseMessage(): Buffer {
    this.#sse ??= Buffer.from(`event: ${this.event.type}\nid: ${this.event.id}\ndata: ${this.json}\n\n`);
    return this.#sse;
  }
}
