// The sequence rows this process last committed, kept so that the next mutation of a sequence
// reads it from memory instead of SQLite (a read and a JSON column fetch were about a tenth of a
// mutation's main-thread time). Sound because this process makes every write to its SQLite file
// (as the read cache in src/cache assumes): an entry is set from a commit's own rows once the
// commit is durable, dropped when a commit of that sequence fails, and otherwise filled from
// reads. Entries are the rows exactly as SQLite returns them (the document as JSON text), so a
// hit decodes the same way as a read. Bounded by entries and by document bytes.
export interface CachedRow {
  id: string;
  project_id: string;
  doc: string | null;
  version: number;
  updated_at: string;
  undo_count: number;
  redo_count: number;
}

export class RowCache {
  readonly #rows = new Map<string, CachedRow>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(options: { maxEntries: number; maxBytes: number }) {
    this.#maxEntries = options.maxEntries;
    this.#maxBytes = options.maxBytes;
  }

  get(id: string): CachedRow | undefined {
    return this.#rows.get(id);
  }

  /** Keeps `row` as the newest entry, evicting the oldest beyond the bounds. */
  set(row: CachedRow): void {
    this.delete(row.id);
    const size = row.doc?.length ?? 0;
    if (size > this.#maxBytes) return;
    this.#rows.set(row.id, row);
    this.#bytes += size;
    for (const [id, oldest] of this.#rows) {
      if (this.#rows.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#rows.delete(id);
      this.#bytes -= oldest.doc?.length ?? 0;
    }
  }

  delete(id: string): void {
    const row = this.#rows.get(id);
    if (row === undefined) return;
    this.#rows.delete(id);
    this.#bytes -= row.doc?.length ?? 0;
  }

  get size(): number {
    return this.#rows.size;
  }
}
