// Sequence reads asked for in one turn of the event loop share one query (the mutations of many
// concurrent clients each start with one): one round trip instead of one each, and fewer queries
// for the pool and the server to handle. A read waits at most for the end of the current turn.
import type pg from "pg";
import { storableText } from "../text.ts";
import type { StoredSequence } from "../types.ts";
import { SEQUENCE_COLUMNS, type SequenceRow, toSequence } from "./rows.ts";

/** Sequences per query at most. */
const MAX_BATCH = 100;

interface Wanted {
  projectId: string;
  resolve: (sequence: StoredSequence | null) => void;
  reject: (error: unknown) => void;
}

export class SequenceReader {
  readonly #pool: pg.Pool;
  /** By sequence id (as stored), the callers waiting for it. */
  #wanted = new Map<string, Wanted[]>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  get(projectId: string, sequenceId: string): Promise<StoredSequence | null> {
    return new Promise((resolve, reject) => {
      if (this.#wanted.size === 0) setImmediate(() => this.#flush());
      const id = storableText(sequenceId);
      const waiting = this.#wanted.get(id);
      const wanted = { projectId, resolve, reject };
      if (waiting) waiting.push(wanted);
      else this.#wanted.set(id, [wanted]);
    });
  }

  #flush(): void {
    const all = [...this.#wanted];
    this.#wanted = new Map();
    for (let i = 0; i < all.length; i += MAX_BATCH) void this.#read(new Map(all.slice(i, i + MAX_BATCH)));
  }

  async #read(wanted: Map<string, Wanted[]>): Promise<void> {
    try {
      const { rows } = await this.#pool.query<SequenceRow>({
        name: "tka_get_sequences",
        text: `SELECT ${SEQUENCE_COLUMNS} FROM sequences WHERE id = ANY($1)`,
        values: [[...wanted.keys()]],
      });
      const found = new Map(rows.map((row) => [row.id, row]));
      for (const [id, callers] of wanted) {
        const row = found.get(id);
        // Another project's sequence is, to this caller, no sequence at all.
        for (const caller of callers)
          caller.resolve(row && row.project_id === caller.projectId ? toSequence(row) : null);
      }
    } catch (error) {
      for (const callers of wanted.values()) for (const caller of callers) caller.reject(error);
    }
  }
}
