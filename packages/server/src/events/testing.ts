// Test wiring shared by the event tests: an in-memory store, a bus and a service publishing to it.
import { IdGenerator } from "../ids.ts";
import { SequenceService } from "../service/sequences.ts";
import { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import { EventBus } from "./bus.ts";

export function eventTestbed(options: { now?: () => string } = {}) {
  const store = new SqliteStore(":memory:");
  const bus = new EventBus();
  const service = new SequenceService({
    store,
    ids: new IdGenerator(),
    historyLimit: 100,
    publish: (e) => bus.publish(e),
    ...options,
  });
  return { store, bus, service };
}
