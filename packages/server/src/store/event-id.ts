// Event ids are the commit sequence number, padded so they also sort as strings: evt_0000000000000042.
// Within a project, ids follow the event's position (both follow commit order); across projects,
// ids are unique but say nothing of commit order.

export function eventIdOf(seq: number): string {
  return `evt_${String(seq).padStart(16, "0")}`;
}

/** The sequence number of an event id, or null when the text is not one of ours. */
export function seqOfEventId(id: string): number | null {
  const match = /^evt_(\d{1,16})$/.exec(id);
  return match ? Number(match[1]) : null;
}

/** eventsFrom's arguments: a position is an integer >= 0, a limit one >= 1. */
export function checkEventsFrom(afterPosition: number, limit: number): void {
  if (!Number.isSafeInteger(afterPosition) || afterPosition < 0) {
    throw new RangeError(`afterPosition must be an integer >= 0, got ${afterPosition}`);
  }
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be an integer >= 1, got ${limit}`);
}
