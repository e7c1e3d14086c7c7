// Test wiring shared by the event tests: an in-memory store, a dispatcher and a service publishing to it.
import { IdGenerator } from "../ids.ts";
import { SequenceService } from "../service/sequences.ts";
import { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { StoredEvent } from "../store/types.ts";
import { EventDispatcher } from "./dispatcher.ts";
import type { FeedSink } from "./feed.ts";

export function eventTestbed(options: { now?: () => string } = {}) {
  const store = new SqliteStore(":memory:");
  const dispatcher = new EventDispatcher(store);
  const service = new SequenceService({
    store,
    ids: new IdGenerator(),
    historyLimit: 100,
    publish: (e) => dispatcher.publish(e),
    ...options,
  });
  /** Writes on the same store without telling the dispatcher (like another instance would). */
  const elsewhere = new SequenceService({ store, ids: new IdGenerator(), historyLimit: 100, ...options });
  return { store, dispatcher, service, elsewhere };
}

/** A feed sink that records what it gets; `room` decides whether a replay may push now. */
export function recordingSink() {
  const events: StoredEvent[] = [];
  const waiters: (() => void)[] = [];
  const roomWaiters: (() => void)[] = [];
  const state = {
    events,
    room: true,
    closed: false,
    lost: [] as Error[],
    failed: [] as unknown[],
    roomWaits: 0,
  };
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const sink: FeedSink = {
    push: (delivery) => {
      events.push(delivery.event);
      wake();
    },
    hasRoom: () => state.room || state.closed,
    waitForRoom: () => {
      state.roomWaits++;
      wake();
      return new Promise<void>((resolve) => roomWaiters.push(resolve));
    },
    get closed() {
      return state.closed;
    },
    lost: (error) => {
      state.lost.push(error);
      wake();
    },
    failed: (error) => {
      state.failed.push(error);
      wake();
    },
  };
  return {
    state,
    sink,
    /** Lets a waiting replay continue. */
    openRoom() {
      state.room = true;
      for (const resolve of roomWaiters.splice(0)) resolve();
    },
    /** Resolves once the predicate holds (checked after every push, loss or room wait). */
    async until(predicate: () => boolean): Promise<void> {
      while (!predicate()) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}
