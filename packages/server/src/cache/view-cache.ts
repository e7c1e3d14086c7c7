// Read-through cache of what a sequence read answers, per sequence. While a commit of a sequence
// is under way its entry is gone and nothing is stored for it; a read that overlapped the start
// or the end of any commit does not store what it loaded (it may predate that commit). So an
// answer from memory is never older than a commit that has started before the read.
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
  /** Commits under way, per sequence. */
  readonly #committing = new Map<string, number>();
  /** Counts commit starts and ends: a read stores its result only if it did not move meanwhile. */
  #epoch = 0;

  constructor(options: ViewCacheOptions) {
    this.#maxEntries = options.maxEntries;
  }

  /** The cached value of the caller's sequence, else `load()`'s (kept when no commit interfered). */
  async read(projectId: string, sequenceId: string, load: () => Promise<V>): Promise<V> {
    const hit = this.peek(projectId, sequenceId);
    if (hit !== undefined) return hit;
    const epoch = this.#epoch;
    const value = await load();
    if (this.#epoch === epoch && !this.#committing.has(sequenceId)) this.#store(sequenceId, { projectId, value });
    return value;
  }

  /** The cached value of the caller's sequence, or undefined (nothing is loaded). */
  peek(projectId: string, sequenceId: string): V | undefined {
    const hit = this.#entries.get(sequenceId);
    if (hit === undefined || hit.projectId !== projectId) return undefined;
    this.#entries.delete(sequenceId); // re-insert: the map's order is least recently used first
    this.#entries.set(sequenceId, hit);
    return hit.value;
  }

  /** A commit of the sequence starts. */
  commitStarted(sequenceId: string): void {
    this.#epoch++;
    this.#committing.set(sequenceId, (this.#committing.get(sequenceId) ?? 0) + 1);
    this.#entries.delete(sequenceId);
  }

  /** A commit of the sequence ended, whatever its outcome. */
  commitEnded(sequenceId: string): void {
    this.#epoch++;
    const left = (this.#committing.get(sequenceId) ?? 1) - 1;
    if (left > 0) this.#committing.set(sequenceId, left);
    else this.#committing.delete(sequenceId);
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
