// Event ids are the commit sequence number, padded so they also sort as strings: evt_0000000000000042.

export function eventIdOf(seq: number): string {
  return `evt_${String(seq).padStart(16, "0")}`;
}

/** The sequence number of an event id, or null when the text is not one of ours. */
export function seqOfEventId(id: string): number | null {
  const match = /^evt_(\d{1,16})$/.exec(id);
  return match ? Number(match[1]) : null;
}
