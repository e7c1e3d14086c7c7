// Resume ids: the event id a client sends to continue a stream (SSE `Last-Event-ID`, WebSocket
// `last_event_id`), read exactly, and the three ways a resume can be refused. The HTTP handler
// and the WebSocket map each to the contract's code.

/** The id is not one the server issues (`evt_` and 16 digits); 400 / INVALID_EVENT_ID. */
export class InvalidEventIdError extends Error {
  constructor(id: string) {
    const shown = id.length > 40 ? `${JSON.stringify(id.slice(0, 40))}...` : JSON.stringify(id);
    super(`${shown} is not an event id; ids look like evt_0000000000000042 (send the id of the last event received).`);
    this.name = "InvalidEventIdError";
  }
}

/**
 * The id is beyond the newest event of the caller's project: it was never issued on this
 * stream (another deployment, a database restored from a backup). 409 / UNKNOWN_EVENT_ID.
 */
export class UnknownEventIdError extends Error {
  constructor(id: string) {
    super(`${id} is beyond the newest event of this project; re-read the state, then stream without a last event id.`);
    this.name = "UnknownEventIdError";
  }
}

/** Events after the id are no longer all kept (retention). 409 / EVENTS_EXPIRED. */
export class EventsExpiredError extends Error {
  constructor(id: string | null) {
    super(
      id === null
        ? "Events this stream needed are no longer kept; re-read the state and subscribe again."
        : `Event ${id} is no longer kept; re-read the state and subscribe without a last event id.`,
    );
    this.name = "EventsExpiredError";
  }
}

const EVENT_ID = /^evt_(\d{16})$/;
/** Number.MAX_SAFE_INTEGER as 16 digits: digit strings of one length compare like their numbers. */
const MAX_SAFE = String(Number.MAX_SAFE_INTEGER).padStart(16, "0");

/**
 * The event number of a resume id, exactly: never through a float, so `evt_9999999999999999`
 * cannot round to another number. Throws InvalidEventIdError for anything else, and
 * UnknownEventIdError for a number no store can have reached (beyond 2^53 - 1).
 */
export function parseResumeId(id: string): number {
  const digits = EVENT_ID.exec(id)?.[1];
  if (digits === undefined) throw new InvalidEventIdError(id);
  if (digits > MAX_SAFE) throw new UnknownEventIdError(id);
  return Number.parseInt(digits, 10);
}
