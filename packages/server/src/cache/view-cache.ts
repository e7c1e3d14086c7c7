// Read-through cache of what a sequence read answers, per sequence. Entries are dropped when a
// commit of their sequence starts and again when it ends; a read that overlapped any commit
// start or end does not store its result (it may have read the state before that commit).
// Only sound where every write of this database goes through this process's commits (SQLite).

export interface ViewCacheOptions {
  /** Entries kept at most; the least recently used go first. */
  maxEntries: number;
}

interface Entry<V> {
  projectId: string;
  value: V;
}

export class ViewCache<V> {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Entry<V>>();
  /** Counts commit starts and ends: a read stores its result only if it did not move meanwhile. */
  #epoch = 0;

  constructor(options: ViewCacheOptions) {
    this.#maxEntries = options.maxEntries;
  }

  /** The cached value of the caller's sequence, else `load()`'s (kept when no commit overlapped). */
  async read(projectId: string, sequenceId: string, load: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(sequenceId);
    if (hit !== undefined && hit.projectId === projectId) {
      this.#entries.delete(sequenceId); // re-insert: the map's order is least recently used first
      this.#entries.set(sequenceId, hit);
      return hit.value;
    }
    const epoch = this.#epoch;
    const value = await load();
    if (this.#epoch === epoch) this.#store(sequenceId, { projectId, value });
    return value;
  }

  /** Called when a commit of the sequence starts and when it ends (whatever its outcome). */
  invalidate(sequenceId: string): void {
    this.#epoch++;
    this.#entries.delete(sequenceId);
  }

  get size(): number {
    return this.#entries.size;
  }

  #store(sequenceId: string, entry: Entry<V>): void {
    this.#entries.delete(sequenceId);
    this.#entries.set(sequenceId, entry);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }
}
