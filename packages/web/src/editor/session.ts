// One open sequence: what the page shows, the edits on their way to the server (applied to the
// display at once, sent one after another), changes from elsewhere (live events), undo and redo.
// Knows nothing of the UI: it calls `onChange` with the state and `onNotice` with what to tell.
import { NotFoundError, PreconditionFailedError, type Sequence, type TKA } from "tka-sdk";
import { describeFailure, type Failure } from "../api.ts";
import { applyLocally, describeEdit, type Edit, rebase, sendEdit } from "./edits.ts";

export interface SessionState {
  /** What the page shows: the server's latest known version with the pending edits applied. */
  sequence: Sequence | null;
  /** The server's latest known version (the base of the next edit's If-Match). */
  confirmed: Sequence | null;
  /** Edits sent or waiting. */
  pending: number;
  /** The sequence no longer exists (deleted here or elsewhere). */
  gone: boolean;
  loading: boolean;
}

export type Notice =
  | { kind: "error"; failure: Failure }
  | { kind: "info"; text: string; action?: { label: string; run: () => void } };

export interface SessionHooks {
  onChange(state: SessionState): void;
  onNotice(notice: Notice): void;
}

export class EditorSession {
  readonly id: string;
  readonly #client: TKA;
  readonly #hooks: SessionHooks;
  #confirmed: Sequence | null = null;
  #pending: Edit[] = [];
  #gone = false;
  #loading = true;
  #queue: Promise<void> = Promise.resolve();
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  #closed = false;

  constructor(client: TKA, id: string, hooks: SessionHooks) {
    this.#client = client;
    this.id = id;
    this.#hooks = hooks;
  }

  get state(): SessionState {
    const sequence = this.#confirmed === null ? null : this.#pending.reduce(applyLocally, this.#confirmed);
    return {
      sequence,
      confirmed: this.#confirmed,
      pending: this.#pending.length,
      gone: this.#gone,
      loading: this.#loading,
    };
  }

  close(): void {
    this.#closed = true;
  }

  #changed(): void {
    if (!this.#closed) this.#hooks.onChange(this.state);
  }

  #notice(notice: Notice): void {
    if (!this.#closed) this.#hooks.onNotice(notice);
  }

  /** Takes a version from the server unless a newer one is already known. */
  #accept(sequence: Sequence): void {
    if (this.#confirmed === null || sequence.version >= this.#confirmed.version) this.#confirmed = sequence;
    this.#gone = false;
  }

  /** Reads the sequence again (coalesced: calls while a read runs cause one more read after it). */
  refresh(): Promise<void> {
    if (this.#refreshing !== null) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#refreshAgain = false;
        try {
          this.#accept(await this.#client.sequences.get(this.id));
        } catch (error) {
          if (error instanceof NotFoundError) this.#gone = true;
          else this.#notice({ kind: "error", failure: describeFailure(error, "Loading the sequence") });
        }
      } while (this.#refreshAgain && !this.#closed);
      this.#loading = false;
      this.#refreshing = null;
      this.#changed();
    })();
    return this.#refreshing;
  }

  /** A live event: the sequence reached `version` (or was deleted) elsewhere. */
  remoteChange(version: number, deleted: boolean): void {
    if (deleted) {
      this.#gone = true;
      this.#changed();
      return;
    }
    if (this.#confirmed === null || version > this.#confirmed.version) void this.refresh();
  }

  /** Shows the edit at once, then sends it after the edits before it. */
  edit(edit: Edit): Promise<void> {
    if (this.#confirmed === null || this.#gone) return Promise.resolve();
    this.#pending.push(edit);
    this.#changed();
    const run = this.#queue.then(() => this.#send(edit));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #send(edit: Edit): Promise<void> {
    const base = this.#confirmed as Sequence;
    const what = describeEdit(edit, base);
    try {
      try {
        this.#accept(await sendEdit(this.#client, this.id, edit, base.version));
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        // Someone else changed the sequence since this page last knew it: re-read, then apply the
        // edit to the latest version if it still makes sense there, else say so.
        const latest = await this.#client.sequences.get(this.id);
        this.#accept(latest);
        const again = rebase(edit, latest);
        if (again === null) {
          this.#notice({
            kind: "error",
            failure: {
              title: `${what} was not applied`,
              detail:
                "Someone else changed this sequence meanwhile and the beat is gone. The editor shows the latest version.",
              code: error.code,
              status: 412,
              requestId: error.requestId,
            },
          });
          return;
        }
        this.#accept(await sendEdit(this.#client, this.id, again, latest.version));
        this.#notice({
          kind: "info",
          text: `Someone else changed this sequence meanwhile: "${what}" was applied to the latest version (${latest.version}).`,
        });
      }
    } catch (error) {
      if (error instanceof NotFoundError) this.#gone = true;
      this.#notice({ kind: "error", failure: describeFailure(error, what) });
      // The shown state may hold a guess the server refused: show the server's again.
      void this.refresh();
    } finally {
      this.#pending.shift();
      this.#changed();
    }
  }

  /** Undo (or redo) what the page shows as next, and nothing else: a 412 means it changed meanwhile. */
  history(action: "undo" | "redo"): Promise<void> {
    const run = this.#queue.then(async () => {
      const base = this.#confirmed;
      if (base === null) return;
      const description = action === "undo" ? base.history.undo_description : base.history.redo_description;
      try {
        const result = await this.#client.history[action](this.id, { if_match: base.version });
        if (result.sequence === null) {
          this.#gone = true;
          this.#notice({ kind: "info", text: `Undid "${result.entry.description}": the sequence no longer exists.` });
        } else {
          this.#accept(result.sequence);
        }
      } catch (error) {
        if (error instanceof PreconditionFailedError) {
          await this.refresh();
          this.#notice({
            kind: "error",
            failure: {
              ...describeFailure(error, action === "undo" ? `Undo "${description}"` : `Redo "${description}"`),
              detail: `Nothing was ${action === "undo" ? "undone" : "redone"}: the sequence changed meanwhile. The buttons now show what they would do.`,
            },
          });
          return;
        }
        this.#notice({ kind: "error", failure: describeFailure(error, action === "undo" ? "Undo" : "Redo") });
      }
      this.#changed();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Deletes the sequence (undoable: the notice offers it). */
  delete(): Promise<void> {
    const run = this.#queue.then(async () => {
      const base = this.#confirmed;
      if (base === null) return;
      try {
        await this.#client.sequences.delete(this.id, { if_match: base.version });
        this.#gone = true;
        this.#notice({
          kind: "info",
          text: `Deleted "${base.name}".`,
          action: { label: "Undo delete", run: () => void this.restore() },
        });
      } catch (error) {
        if (error instanceof PreconditionFailedError) {
          await this.refresh();
          this.#notice({
            kind: "error",
            failure: {
              ...describeFailure(error, `Deleting "${base.name}"`),
              detail:
                "Not deleted: someone else changed the sequence meanwhile. Check the latest version, then delete again.",
            },
          });
          return;
        }
        this.#notice({ kind: "error", failure: describeFailure(error, `Deleting "${base.name}"`) });
      }
      this.#changed();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Undoes a deletion: the server restores the sequence with its beats. */
  async restore(): Promise<void> {
    try {
      const result = await this.#client.history.undo(this.id);
      if (result.sequence !== null) this.#accept(result.sequence);
      this.#changed();
    } catch (error) {
      this.#notice({ kind: "error", failure: describeFailure(error, "Undo delete") });
    }
  }
}
