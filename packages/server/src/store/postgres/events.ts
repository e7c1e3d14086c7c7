// Reading and pruning the event log. Within a project, positions are gapless and event numbers
// rise with them (see commit.ts); pruning removes the oldest events first, a prefix in event
// number order, so within a project always a prefix of its positions.
import type pg from "pg";
import { checkEventsFrom, seqOfEventId } from "../event-id.ts";
import { type EventPruning, EventsPrunedError, type StoredEvent } from "../types.ts";
import { transaction } from "./connection.ts";
import { EVENT_COLUMNS, type EventRow, toEvent } from "./rows.ts";

/** Events deleted per transaction while pruning, so commits never wait long behind it. */
const PRUNE_CHUNK = 1000;

export async function eventsAfter(
  pool: pg.Pool,
  projectId: string,
  afterId: string | null,
  limit: number,
): Promise<StoredEvent[]> {
  const after = (afterId === null ? 0 : seqOfEventId(afterId)) ?? 0;
  const { rows } = await pool.query<EventRow>({
    name: "tka_events_after",
    text: `SELECT ${EVENT_COLUMNS} FROM events WHERE project_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    values: [projectId, after, limit],
  });
  if (afterId !== null) {
    // Read after the events: pruning records its cutoff before deleting, so if nothing at or
    // above `after` was pruned by now, nothing was missing when the events were read.
    const pruned = await pool.query<{ pruned_through: string }>("SELECT pruned_through FROM event_retention");
    const through = Number(pruned.rows[0]?.pruned_through ?? 0);
    if (through > 0 && after <= through) throw new EventsPrunedError(afterId);
  }
  return rows.map(toEvent);
}

export async function eventsFrom(
  pool: pg.Pool,
  projectId: string,
  afterPosition: number,
  limit: number,
): Promise<StoredEvent[]> {
  checkEventsFrom(afterPosition, limit);
  // One statement, so the events and the counter come from one snapshot.
  const { rows } = await pool.query<Partial<EventRow> & { last: string }>({
    name: "tka_events_from",
    text: `SELECT c.last, e.* FROM
             (SELECT COALESCE((SELECT last_position FROM event_positions WHERE project_id = $1), 0) AS last) c
           LEFT JOIN LATERAL
             (SELECT ${EVENT_COLUMNS} FROM events WHERE project_id = $1 AND position > $2 ORDER BY position LIMIT $3) e
           ON true`,
    values: [projectId, afterPosition, limit],
  });
  const last = Number(rows[0]?.last ?? 0);
  const events = rows.flatMap((row) => (row.seq === null || row.seq === undefined ? [] : [toEvent(row as EventRow)]));
  // Positions are gapless and pruning removes a prefix, so a missing one was pruned.
  const first = events[0]?.position ?? last + 1;
  if (first !== afterPosition + 1 && afterPosition < last) throw new EventsPrunedError(null, afterPosition);
  return events;
}

export async function lastEventPosition(pool: pg.Pool, projectId: string): Promise<number> {
  const { rows } = await pool.query<{ last_position: string }>({
    name: "tka_last_position",
    text: "SELECT last_position FROM event_positions WHERE project_id = $1",
    values: [projectId],
  });
  return Number(rows[0]?.last_position ?? 0);
}

export async function pruneEvents(pool: pg.Pool, pruning: EventPruning): Promise<number> {
  // The number of the first event to keep by time; walks from the oldest event, so it costs
  // about the number of events to remove.
  const keptFrom = async (since: string): Promise<number> => {
    const { rows } = await pool.query<{ seq: string }>(
      `SELECT COALESCE((SELECT seq FROM events WHERE occurred_at >= $1 ORDER BY seq LIMIT 1),
         (SELECT COALESCE(MAX(seq), 0) + 1 FROM events)) AS seq`,
      [since],
    );
    return Number(rows[0]?.seq ?? 1);
  };
  let cutoff = (await keptFrom(pruning.olderThan)) - 1;
  if (pruning.beyondCount) {
    const { count, before } = pruning.beyondCount;
    const { rows } = await pool.query<{ seq: string }>("SELECT seq FROM events ORDER BY seq DESC LIMIT 1 OFFSET $1", [
      count,
    ]);
    cutoff = Math.max(cutoff, Math.min(Number(rows[0]?.seq ?? 0), (await keptFrom(before)) - 1));
  }
  let deleted = 0;
  for (;;) {
    // The cutoff is recorded before (and with) the deletions it allows; see eventsAfter.
    const chunk = await transaction(pool, async (client) => {
      await client.query("UPDATE event_retention SET pruned_through = GREATEST(pruned_through, $1)", [cutoff]);
      const removed = await client.query(
        "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq <= $1 ORDER BY seq LIMIT $2)",
        [cutoff, PRUNE_CHUNK],
      );
      return removed.rowCount ?? 0;
    });
    deleted += chunk;
    if (chunk < PRUNE_CHUNK) return deleted;
  }
}
