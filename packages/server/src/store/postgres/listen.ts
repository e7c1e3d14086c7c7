// Wake-ups for committed events: every commit of every instance sends a NOTIFY in its
// transaction (delivered at COMMIT, in commit order); one dedicated connection per listener
// LISTENs and reports (project, position) for each. Events themselves are read from the log
// (Store.eventsFrom): a notification only says how far a project's stream has grown.
// Notifications sent while the connection is down are lost; after it is back the listener is
// told to resync (re-read what it follows), so nothing is missed for good.
import { createHash } from "node:crypto";
import pg from "pg";

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

/**
 * Reads a NOTIFY payload, `<instance>:<seq>:<position>:<project>` (written by the commit; the
 * project comes last since it may hold ':'); null when it is not one.
 */
export function parsePayload(
  payload: string,
): { instanceId: string; seq: number; position: number; projectId: string } | null {
  const parts = payload.split(":", 3);
  if (parts.length < 3) return null;
  const [instanceId = "", seqText = "", positionText = ""] = parts;
  const projectId = payload.slice(instanceId.length + seqText.length + positionText.length + 3);
  const seq = Number(seqText);
  const position = Number(positionText);
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(position) || position < 1 || projectId === "") return null;
  return { instanceId, seq, position, projectId };
}

/** Starts listening (resolves once LISTEN is active); the returned function stops it. */
export async function listenForCommits(
  config: pg.ClientConfig,
  channel: string,
  listener: CommitListener,
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
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let backoff = 100;

  const connect = async (again: boolean): Promise<void> => {
    const next = new pg.Client(config);
    next.on("notification", (message) => {
      if (stopped || message.channel !== channel || !message.payload) return;
      const parsed = parsePayload(message.payload);
      if (parsed !== null) call(() => listener.onCommitted(parsed.projectId, parsed.position));
    });
    const lost = () => {
      if (client !== next) return;
      client = null;
      next.end().catch(() => {});
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
