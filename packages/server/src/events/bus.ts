// In-process fan-out of committed events to live subscribers (SSE streams, WebSockets), per
// project. Events arrive in commit order; a slow subscriber buffers, it never blocks a commit.
import type { StoredEvent } from "../store/types.ts";

export type Listener = (event: StoredEvent) => void;

export class EventBus {
  readonly #listeners = new Map<string, Set<Listener>>();
  #published = 0;

  /** Subscribes to one project's events; returns the unsubscribe function. */
  subscribe(projectId: string, listener: Listener): () => void {
    let set = this.#listeners.get(projectId);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(projectId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(projectId);
    };
  }

  publish(event: StoredEvent): void {
    this.#published++;
    for (const listener of this.#listeners.get(event.project_id) ?? []) {
      try {
        listener(event);
      } catch {
        // A broken subscriber must not stop the others; it is dropped by its own error handling.
      }
    }
  }

  get subscriberCount(): number {
    let n = 0;
    for (const set of this.#listeners.values()) n += set.size;
    return n;
  }

  get publishedCount(): number {
    return this.#published;
  }
}
