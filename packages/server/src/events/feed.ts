// A subscriber's ordered feed: replays stored events after a given id, then continues live, with
// no gap and no duplicate between the two. Used by both the SSE stream and the WebSocket.
import { eventIdOf, seqOfEventId } from "../store/event-id.ts";
import { EventsPrunedError, type Store, type StoredEvent } from "../store/types.ts";
import type { EventBus } from "./bus.ts";
import { type EventFilter, matches } from "./filter.ts";

const REPLAY_BATCH = 500;

export class EventsExpiredError extends Error {
  constructor(id: string) {
    super(`Event ${id} is no longer kept; re-read the state and subscribe without a last event id.`);
    this.name = "EventsExpiredError";
  }
}

export interface Feed {
  close(): void;
}

/**
 * Starts a feed. Live events that arrive during the replay are held back and delivered after it,
 * skipping any the replay already sent, so `deliver` sees each matching event once, in order.
 */
export async function openFeed(options: {
  store: Store;
  bus: EventBus;
  projectId: string;
  filter: EventFilter;
  lastEventId: string | null;
  deliver: (event: StoredEvent) => void;
}): Promise<Feed> {
  const { store, bus, projectId, filter, deliver } = options;
  let lastSeq = 0;
  let replaying = true;
  const held: StoredEvent[] = [];
  const send = (event: StoredEvent) => {
    const seq = seqOfEventId(event.id) ?? 0;
    if (seq <= lastSeq) return;
    lastSeq = seq;
    if (matches(filter, event)) deliver(event);
  };
  const unsubscribe = bus.subscribe(projectId, (event) => (replaying ? held.push(event) : send(event)));
  try {
    if (options.lastEventId !== null) {
      const seq = seqOfEventId(options.lastEventId);
      if (seq === null) throw new EventsExpiredError(options.lastEventId);
      lastSeq = seq;
      for (;;) {
        const batch = await store.eventsAfter(projectId, eventIdOf(lastSeq), REPLAY_BATCH);
        for (const event of batch) send(event);
        if (batch.length < REPLAY_BATCH) break;
      }
    }
  } catch (error) {
    unsubscribe();
    // Retention removed events after the id (possibly while replaying): the client starts over.
    if (error instanceof EventsPrunedError && options.lastEventId !== null) {
      throw new EventsExpiredError(options.lastEventId);
    }
    throw error;
  }
  replaying = false;
  for (const event of held.splice(0)) send(event);
  return { close: unsubscribe };
}
