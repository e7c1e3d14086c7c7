// Interim: turns PgStore wake-ups into events for this process's bus, reading them from the log,
// so every instance publishes every commit (its own included) once, per project in position
// order. One reader per project: a wake-up beyond the next expected position reads the missing
// range first; a position already published is dropped. (The per-subscriber dispatcher in
// src/events replaces this.)
import { EventsPrunedError, type StoredEvent } from "../types.ts";
import type { PgStore } from "./pg-store.ts";

const BATCH = 500;

interface Cursor {
  /** The last position published. */
  done: number;
  /** The newest position known to exist. */
  wanted: number;
  reading: boolean;
}

export async function followCommits(
  store: PgStore,
  publish: (event: StoredEvent) => void,
  onError: (error: unknown) => void,
  /** Whether anyone could receive events now; while not, positions are skipped unread. */
  wanted: () => boolean = () => true,
): Promise<() => Promise<void>> {
  const cursors = new Map<string, Cursor>();

  const read = async (projectId: string, cursor: Cursor): Promise<void> => {
    if (cursor.reading) return;
    cursor.reading = true;
    try {
      while (cursor.done < cursor.wanted) {
        let events: StoredEvent[];
        try {
          events = await store.eventsFrom(projectId, cursor.done, BATCH);
        } catch (error) {
          if (!(error instanceof EventsPrunedError)) throw error;
          // Pruned (at least a day old) before this instance read it: skip to the newest.
          cursor.done = Math.max(cursor.done, await store.lastEventPosition(projectId));
          continue;
        }
        if (events.length === 0) break;
        for (const event of events) {
          cursor.done = event.position;
          publish(event);
        }
      }
    } catch (error) {
      onError(error); // retried on the project's next wake-up or resync
    } finally {
      cursor.reading = false;
    }
  };
  return store.listen({
    onCommitted(projectId, position) {
      let cursor = cursors.get(projectId);
      if (cursor === undefined) {
        // First heard of since listening: start with this commit (earlier ones were before us).
        cursor = { done: position - 1, wanted: position, reading: false };
        cursors.set(projectId, cursor);
      }
      if (position <= cursor.done) return;
      cursor.wanted = Math.max(cursor.wanted, position);
      if (!wanted() && !cursor.reading) {
        cursor.done = cursor.wanted; // nobody to publish to: nothing to read
        return;
      }
      void read(projectId, cursor);
    },
    onResync() {
      for (const [projectId, cursor] of cursors) {
        store.lastEventPosition(projectId).then((last) => {
          cursor.wanted = Math.max(cursor.wanted, last);
          return read(projectId, cursor);
        }, onError);
      }
    },
    onError,
  });
}
