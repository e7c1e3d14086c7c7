// The SSE change stream: `event:` = type, `id:` = event id, `data:` = the event as JSON, and a
// comment line every 15 s so proxies keep idle connections open.
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { Store, StoredEvent } from "../store/types.ts";
import type { EventBus } from "./bus.ts";
import { openFeed } from "./feed.ts";
import { type EventFilter, wireEvent } from "./filter.ts";

export interface SseOptions {
  store: Store;
  bus: EventBus;
  projectId: string;
  filter: EventFilter;
  lastEventId: string | null;
  keepAliveMs?: number;
}

/**
 * Answers with the stream. The feed is opened before the response starts, so an expired
 * Last-Event-ID still becomes a proper error answer (the caller maps EventsExpiredError).
 */
export async function sseResponse(c: Context, options: SseOptions): Promise<Response> {
  const queue: StoredEvent[] = [];
  let wake: (() => void) | undefined;
  const feed = await openFeed({
    ...options,
    deliver: (event) => {
      queue.push(event);
      wake?.();
    },
  });
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  return streamSSE(c, async (stream) => {
    let open = true;
    stream.onAbort(() => {
      open = false;
      feed.close();
      wake?.();
    });
    await stream.write(": connected\n\n");
    while (open) {
      for (const event of queue.splice(0)) {
        await stream.writeSSE({ event: event.type, id: event.id, data: JSON.stringify(wireEvent(event)) });
      }
      if (queue.length > 0) continue; // more arrived while writing
      const timedOut = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), keepAliveMs);
        wake = () => {
          clearTimeout(timer);
          resolve(false);
        };
      });
      wake = undefined;
      if (timedOut && open) await stream.write(": keep-alive\n\n");
    }
    feed.close();
  });
}
