// Wake-ups for committed events: every group commit of every instance sends, in its
// transaction, one NOTIFY per project with the range of positions it took (delivered at COMMIT,
// in commit order); one dedicated connection per listener LISTENs and reports (project,
// position) for each commit. Events themselves are read from the log
// (Store.eventsFrom): a notification only says how far a project's stream has grown.
// Notifications sent while the connection is down are lost; after it is back the listener is
// told to resync (re-read what it follows), so nothing is missed for good. A connection that
// silently stops answering (a hung server, a network black hole) would never say it was lost: it
// is asked a `SELECT 1` every `checkMs`, and one that gets no answer in time is dropped too.
import { createHash } from "node:crypto";
import { BoundedClient, type BoundedClientConfig } from "./bounded-client.ts";

export interface CommitListener {
  /** A commit of any instance, this one's included; per project in commit order. */
  onCommitted(projectId: string, position: number): void;
  /** The connection was lost and is listening again: wake-ups in between were missed. */
  onResync(): void;
  /** Failures of the listening connection (it reconnects with backoff) or of a callback. */
  onError?(error: unknown): void;
}

/**
 * The channel of one schema's events. NOTIFY channels are database-wide, so stores of different
 * schemas on one database (tests, several deployments) must not hear each other's commits.
 */
export function channelOf(schema: string): string {
  return `tka_events_${createHash("sha256").update(schema).digest("hex").slice(0, 16)}`;
}

/** The most positions one notification may announce (a batch holds far fewer). */
const MAX_RANGE = 100_000;

/**
 * Reads a NOTIFY payload, `<instance>:<seq>:<first position>:<last position>:<project>`, one per
 * project and group commit (written by tka_commit_batch, migrations.ts; `seq` is the global number
 * of the last event; the project comes last since it may hold ':'); null when it is not one.
 */
export function parsePayload(
  payload: string,
): { instanceId: string; seq: number; first: number; last: number; projectId: string } | null {
  const parts = payload.split(":", 4);
  if (parts.length < 4) return null;
  const [instanceId = "", seqText = "", firstText = "", lastText = ""] = parts;
  const projectId = payload.slice(parts.join(":").length + 1);
  const [seq, first, last] = [Number(seqText), Number(firstText), Number(lastText)];
  if (![seq, first, last].every(Number.isSafeInteger) || first < 1 || last < first || projectId === "") return null;
  return { instanceId, seq, first, last, projectId };
}

/**
 * Starts listening (resolves once LISTEN is active); the returned function stops it. `checkMs`:
 * how often the connection is checked (its queries are bounded by the config's `answerTimeoutMs`).
 */
export async function listenForCommits(
  config: BoundedClientConfig,
  channel: string,
  listener: CommitListener,
  checkMs = 10_000,
): Promise<() => Promise<void>> {
  const report = (error: unknown) => {
    try {
      listener.onError?.(error);
    } catch {
      // A failing error callback has nowhere left to report to.
    }
  };
  const call = (work: () => void) => {
    try {
      work();
    } catch (error) {
      report(error);
    }
  };
  let client: BoundedClient | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let backoff = 100;

  const connect = async (again: boolean): Promise<void> => {
    const next = new BoundedClient(config);
    next.on("notification", (message) => {
      if (stopped || message.channel !== channel || !message.payload) return;
      const parsed = parsePayload(message.payload);
      if (parsed === null) return;
      // One call per commit; a range too long to be a batch is announced by its end alone.
      const from = parsed.last - parsed.first < MAX_RANGE ? parsed.first : parsed.last;
      for (let position = from; position <= parsed.last; position++) {
        call(() => listener.onCommitted(parsed.projectId, position));
      }
    });
    let check: NodeJS.Timeout | undefined;
    const lost = () => {
      clearInterval(check);
      if (client !== next) return;
      client = null;
      next.end().catch(() => {}); // destroys the socket if the check's query is still waiting
      schedule();
    };
    next.on("error", (error) => {
      report(error);
      lost();
    });
    next.on("end", lost);
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    if (stopped) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    backoff = 100;
    check = setInterval(() => {
      if (stopped || client !== next) return lost();
      next.query("SELECT 1").catch((error: unknown) => {
        report(error);
        lost();
      });
    }, checkMs);
    check.unref();
    if (again) call(() => listener.onResync());
  };
  const schedule = () => {
    if (stopped || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect(true).catch((error: unknown) => {
        report(error);
        backoff = Math.min(backoff * 2, 10_000);
        schedule();
      });
    }, backoff);
  };

  await connect(false);
  return async () => {
    if (stopped) return;
    stopped = true;
    if (retry !== undefined) clearTimeout(retry);
    const current = client;
    client = null;
    if (current) await current.end().catch(() => {});
  };
}
