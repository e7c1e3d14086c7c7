// The sequence use cases: read state from the store, let the domain decide, commit the outcome
// atomically, publish the event. Knows nothing of HTTP; answers in the contract's read shapes.
import {
  applyCommand,
  type BeatInput,
  type BeatPatch,
  type BeatView,
  beatView,
  type Change,
  type Command,
  changeOfCommand,
  changeOfHistory,
  DomainError,
  describeCommand,
  type HistoryEntry,
  type HistoryEntryView,
  type HistoryState,
  historyEntryView,
  type PlanContext,
  planAddBeat,
  planCreate,
  planDelete,
  planMoveBeat,
  planPatch,
  planRemoveBeat,
  planReplaceBeats,
  planUpdateBeat,
  revertCommand,
  type SequenceCreateInput,
  type SequenceDoc,
  type SequencePatchInput,
  type SequenceSummaryView,
  type SequenceView,
  sequenceView,
  stateAfterAppend,
  stateAfterRedo,
  stateAfterUndo,
  summaryView,
} from "../domain/index.ts";
import {
  type Commit,
  type IdempotencyClaim,
  type IdempotentResponse,
  type ListFilter,
  type Store,
  type StoredEvent,
  type StoredSequence,
  VersionConflictError,
} from "../store/types.ts";
import { decodeHistoryCursor, decodeListCursor, encodeCursor } from "./cursor.ts";
import { ServiceError } from "./errors.ts";
import { ifMatchAllows } from "./if-match.ts";
import { KeyedLock } from "./keyed-lock.ts";

export interface Caller {
  projectId: string;
}

/** Options of every mutation. */
export interface MutationOptions {
  /** The raw If-Match header, if any. */
  ifMatch?: string | undefined;
  /** Stores the HTTP answer in the same transaction as the change (see Store.commit). */
  idempotency?: (IdempotencyClaim & { respond: (result: unknown) => IdempotentResponse }) | undefined;
}

export interface Ids {
  newId(kind: "sequence" | "beat" | "command"): string;
}

export interface ServiceOptions {
  store: Store;
  ids: Ids;
  now?: () => string;
  historyLimit: number;
  /** Called after every commit, in commit order. */
  publish?: (event: StoredEvent) => void;
}

export interface Deletion {
  id: string;
  deleted: true;
  version: number;
  history: HistoryState;
}

export interface HistoryActionResult {
  entry: HistoryEntryView;
  sequence: SequenceView | null;
  history: HistoryState;
}

export interface PageOf<T> {
  data: T[];
  next_cursor: string | null;
  has_more: boolean;
}

/** What a mutation decided: nothing to change (answer now), or a change to commit. */
type Decision<T> =
  | { kind: "unchanged"; result: T }
  | {
      kind: "commit";
      doc: SequenceDoc | null;
      history: Commit["history"];
      /** The history state once committed (the domain's rules, from what was read before). */
      state: HistoryState;
      /** The event and the answer, given the committed state. */
      change: (after: Committed) => Change;
      answer: (after: Committed) => T;
    };

/** The state of a sequence once the commit is written. */
interface Committed {
  doc: SequenceDoc | null;
  version: number;
  updated_at: string;
  history: HistoryState;
  view: SequenceView | null;
}

/** The clock as ISO 8601 text, formatted once per millisecond (a mutation reads it twice or more). */
let lastMs = Number.NaN;
let lastIso = "";
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** Commits retried after losing a race with a concurrent writer (when no If-Match pins the version). */
const MAX_ATTEMPTS = 10;

export class SequenceService {
  readonly #store: Store;
  readonly #ids: Ids;
  readonly #now: () => string;
  readonly #historyLimit: number;
  readonly #publish: (event: StoredEvent) => void;
  readonly #lock = new KeyedLock();

  constructor(options: ServiceOptions) {
    this.#store = options.store;
    this.#ids = options.ids;
    this.#now = options.now ?? isoNow;
    this.#historyLimit = options.historyLimit;
    this.#publish = options.publish ?? (() => {});
  }

  #plan(): PlanContext {
    return { newId: (kind) => this.#ids.newId(kind), now: this.#now };
  }

  async #load(caller: Caller, id: string): Promise<StoredSequence> {
    const stored = await this.#store.getSequence(caller.projectId, id);
    if (stored === null) throw new ServiceError("NOT_FOUND", `No sequence ${id}.`);
    return stored;
  }

  async #view(stored: Live): Promise<SequenceView> {
    const history = await this.#store.historyState(stored.id);
    return sequenceView(stored.doc, { version: stored.version, updated_at: stored.updated_at, history });
  }

  /**
   * Runs one mutation: load, check If-Match, decide, commit. Mutations of one sequence queue in
   * this process; a commit that still lost a race (another instance on a shared database) is
   * retried from the load, and with If-Match the retry's version check then answers 412.
   */
  #mutate<T>(
    caller: Caller,
    stored: StoredSequence | string,
    options: MutationOptions,
    decide: (stored: StoredSequence) => Promise<Decision<T>>,
  ): Promise<T> {
    const key = typeof stored === "string" ? stored : stored.id;
    return this.#lock.run(key, () => this.#attempt(caller, stored, options, decide));
  }

  async #attempt<T>(
    caller: Caller,
    stored: StoredSequence | string,
    options: MutationOptions,
    decide: (stored: StoredSequence) => Promise<Decision<T>>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const current = typeof stored === "string" ? await this.#load(caller, stored) : stored;
      if (options.ifMatch !== undefined && !ifMatchAllows(options.ifMatch, current.version)) {
        throw new ServiceError("VERSION_MISMATCH", `The sequence is at version ${current.version}.`, current.version);
      }
      const decision = await decide(current);
      if (decision.kind === "unchanged") return decision.result;
      try {
        return await this.#commit(caller, current, decision, options);
      } catch (error) {
        const retry = error instanceof VersionConflictError && typeof stored === "string" && attempt < MAX_ATTEMPTS;
        if (!retry) throw error;
        // Another instance won the race: back off a little (jittered) so the writers spread out.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  async #commit<T>(
    caller: Caller,
    stored: StoredSequence,
    decision: Extract<Decision<T>, { kind: "commit" }>,
    options: MutationOptions,
  ): Promise<T> {
    const version = stored.version + 1;
    const updated_at = this.#now();
    const history = decision.state;
    const after: Committed = {
      doc: decision.doc,
      version,
      updated_at,
      history,
      view: decision.doc === null ? null : sequenceView(decision.doc, { version, updated_at, history }),
    };
    const answer = decision.answer(after);
    const idempotency = options.idempotency;
    const result = await this.#store.commit({
      project_id: caller.projectId,
      sequence_id: stored.id,
      expected_version: stored.version,
      doc: decision.doc,
      version,
      updated_at,
      history: decision.history,
      change: decision.change(after),
      ...(idempotency
        ? {
            idempotency: {
              project_id: idempotency.project_id,
              key: idempotency.key,
              response: idempotency.respond(answer),
            },
          }
        : {}),
    });
    this.#publish(result.event);
    return answer;
  }

  /** Decides a command on a live sequence, answered with the sequence after it. */
  async #decideCommand(stored: Live, command: Command | null): Promise<Decision<SequenceView>> {
    if (command === null) return { kind: "unchanged", result: await this.#view(stored) };
    return this.#decide(stored, command, (after) => after.view as SequenceView);
  }

  #decide<T>(stored: StoredSequence, command: Command, answer: (after: Committed) => T): Decision<T> {
    const entry: HistoryEntry = {
      id: this.#ids.newId("command"),
      command,
      description: describeCommand(command),
      created_at: this.#now(),
      undone: false,
    };
    return {
      kind: "commit",
      doc: applyCommand(stored.doc, command),
      history: { kind: "append", entry, limit: this.#historyLimit },
      state: stateAfterAppend(stored.undo_count, entry, this.#historyLimit),
      change: (after) => changeOfCommand(command, after.view),
      answer,
    };
  }

  // ---- reads ---------------------------------------------------------------------------------

  async list(
    caller: Caller,
    filter: ListFilter,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<PageOf<SequenceSummaryView>> {
    const after = page.cursor === undefined ? undefined : decodeListCursor(page.cursor);
    // Stored times are UTC ISO strings, compared as text: bring the bound to the same form.
    const since =
      filter.updated_since === undefined ? undefined : utcInstant(filter.updated_since, "query.updated_since");
    const result = await this.#store.listSequences(
      caller.projectId,
      { ...filter, ...(since ? { updated_since: since } : {}) },
      {
        limit: page.limit,
        ...(after ? { after } : {}),
      },
    );
    const data = result.items.map((s) =>
      summaryView(s.doc as SequenceDoc, { version: s.version, updated_at: s.updated_at }),
    );
    const last = data[data.length - 1];
    return {
      data,
      next_cursor: result.has_more && last ? encodeCursor({ c: last.created_at, i: last.id }) : null,
      has_more: result.has_more,
    };
  }

  /** The current version of a sequence, deleted or not (for the ETag of undo and redo answers). */
  async versionOf(caller: Caller, id: string): Promise<number> {
    return (await this.#load(caller, id)).version;
  }

  async get(caller: Caller, id: string): Promise<SequenceView> {
    return this.#view(live(await this.#load(caller, id)));
  }

  async getBeat(caller: Caller, id: string, beatId: string): Promise<BeatView> {
    const { doc } = live(await this.#load(caller, id));
    const index = doc.beats.findIndex((b) => b.id === beatId);
    const beat = doc.beats[index];
    if (beat === undefined) throw new ServiceError("NOT_FOUND", `Sequence ${id} has no beat ${beatId}.`);
    return beatView(beat, index);
  }

  async listHistory(
    caller: Caller,
    id: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<PageOf<HistoryEntryView> & { state: HistoryState }> {
    await this.#load(caller, id);
    const before = page.cursor === undefined ? undefined : decodeHistoryCursor(page.cursor);
    const [result, head] = await Promise.all([
      this.#store.listHistory(id, { limit: page.limit, ...(before === undefined ? {} : { before }) }),
      this.#store.historyState(id),
    ]);
    const last = result.items[result.items.length - 1];
    return {
      data: result.items.map((entry) => historyEntryView(id, entry)),
      next_cursor: result.has_more && last ? encodeCursor({ s: last.seq }) : null,
      has_more: result.has_more,
      state: head,
    };
  }

  // ---- mutations -----------------------------------------------------------------------------

  create(caller: Caller, input: SequenceCreateInput, options: MutationOptions = {}): Promise<SequenceView> {
    const command = planCreate(input, this.#plan());
    if (command.kind !== "sequence.create") throw new Error("planCreate returned another command");
    const fresh: StoredSequence = {
      id: command.sequence.id,
      project_id: caller.projectId,
      doc: null,
      version: 0,
      updated_at: "",
      undo_count: 0,
      redo_count: 0,
    };
    return this.#mutate(caller, fresh, { ...options, ifMatch: undefined }, async () =>
      this.#decide(fresh, command, (after) => after.view as SequenceView),
    );
  }

  update(caller: Caller, id: string, patch: SequencePatchInput, options: MutationOptions = {}): Promise<SequenceView> {
    return this.#mutate(caller, id, options, (stored) => {
      const current = live(stored);
      return this.#decideCommand(current, planPatch(current.doc, patch, this.#plan()));
    });
  }

  delete(caller: Caller, id: string, options: MutationOptions = {}): Promise<Deletion> {
    return this.#mutate(caller, id, options, async (stored) =>
      this.#decide(stored, planDelete(live(stored).doc), (after) => ({
        id,
        deleted: true as const,
        version: after.version,
        history: after.history,
      })),
    );
  }

  replaceBeats(caller: Caller, id: string, beats: BeatInput[], options: MutationOptions = {}): Promise<SequenceView> {
    return this.#mutate(caller, id, options, (stored) => {
      const current = live(stored);
      return this.#decideCommand(current, planReplaceBeats(current.doc, beats, this.#plan()));
    });
  }

  addBeat(
    caller: Caller,
    id: string,
    input: BeatInput & { position?: number },
    options: MutationOptions = {},
  ): Promise<SequenceView> {
    return this.#mutate(caller, id, options, (stored) => {
      const current = live(stored);
      return this.#decideCommand(current, planAddBeat(current.doc, input, this.#plan()));
    });
  }

  updateBeat(
    caller: Caller,
    id: string,
    beatId: string,
    patch: BeatPatch,
    options: MutationOptions = {},
  ): Promise<SequenceView> {
    return this.#mutate(caller, id, options, (stored) => {
      const current = live(stored);
      return this.#decideCommand(current, planUpdateBeat(current.doc, beatId, patch));
    });
  }

  moveBeat(
    caller: Caller,
    id: string,
    beatId: string,
    position: number,
    options: MutationOptions = {},
  ): Promise<SequenceView> {
    return this.#mutate(caller, id, options, (stored) => {
      const current = live(stored);
      return this.#decideCommand(current, planMoveBeat(current.doc, beatId, position));
    });
  }

  removeBeat(caller: Caller, id: string, beatId: string, options: MutationOptions = {}): Promise<SequenceView> {
    return this.#mutate(caller, id, options, (stored) => {
      const current = live(stored);
      return this.#decideCommand(current, planRemoveBeat(current.doc, beatId));
    });
  }

  undo(caller: Caller, id: string, options: MutationOptions = {}): Promise<HistoryActionResult> {
    return this.#historyAction("undo", caller, id, options);
  }

  redo(caller: Caller, id: string, options: MutationOptions = {}): Promise<HistoryActionResult> {
    return this.#historyAction("redo", caller, id, options);
  }

  #historyAction(
    direction: "undo" | "redo",
    caller: Caller,
    id: string,
    options: MutationOptions,
  ): Promise<HistoryActionResult> {
    return this.#mutate(caller, id, options, async (stored): Promise<Decision<HistoryActionResult>> => {
      const head = await this.#store.historyHead(id);
      const target = direction === "undo" ? head.next_undo : head.next_redo;
      if (target === null) {
        throw direction === "undo"
          ? new DomainError("NOTHING_TO_UNDO", `Sequence ${id} has nothing to undo.`)
          : new DomainError("NOTHING_TO_REDO", `Sequence ${id} has nothing to redo.`);
      }
      const undone = direction === "undo";
      const entry: HistoryEntry = { ...target, undone };
      return {
        kind: "commit",
        doc: undone ? revertCommand(stored.doc, target.command) : applyCommand(stored.doc, target.command),
        history: { kind: "set_undone", entry_id: target.id, undone },
        state: undone
          ? stateAfterUndo(head.state, target, head.undo_after_undo)
          : stateAfterRedo(head.state, target, head.redo_after_redo),
        change: (after) => changeOfHistory(direction, id, entry, after.view),
        answer: (after) => ({ entry: historyEntryView(id, entry), sequence: after.view, history: after.history }),
      };
    });
  }
}

type Live = StoredSequence & { doc: SequenceDoc };

/** The sequence, if it exists now (a deleted one answers 404 until undo restores it). */
function live(stored: StoredSequence): Live {
  if (stored.doc === null) throw new ServiceError("NOT_FOUND", `Sequence ${stored.id} is deleted; undo restores it.`);
  return stored as Live;
}

function utcInstant(text: string, field: string): string {
  const time = Date.parse(text);
  if (Number.isNaN(time)) {
    throw new ServiceError("BAD_REQUEST", `${field} is not an RFC 3339 date-time.`, undefined, [
      { field, code: "format", message: "must be an RFC 3339 date-time" },
    ]);
  }
  return new Date(time).toISOString();
}
