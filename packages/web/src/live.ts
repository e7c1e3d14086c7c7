// Live updates: the project's change events through the SDK's self-healing SSE stream (it
// reconnects with backoff and resumes after the last event id, so nothing is missed).
import type { TKA } from "tka-sdk";
import { clientFor } from "./api.ts";

export type LiveStatus = "connecting" | "live" | "reconnecting" | "off";

/** What the page needs of an event: which sequence, its version after, and whether it was deleted. */
export interface Change {
  type: string;
  sequenceId: string;
  version: number;
}

/** Follows the project's events until the returned function is called. */
export function followChanges(
  apiKey: string,
  onChange: (change: Change) => void,
  onStatus: (status: LiveStatus) => void,
): () => void {
  const controller = new AbortController();
  // The stream's own client, whose fetch reports when the stream's connection is up.
  const streamFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (response.ok) onStatus("live");
    return response;
  };
  const client: TKA = clientFor(apiKey, { fetch: streamFetch, onReconnecting: () => onStatus("reconnecting") });
  onStatus("connecting");
  void (async () => {
    try {
      for await (const event of client.events.stream({}, { signal: controller.signal })) {
        // An `error` event (a slow consumer cut off) has no sequence: the stream reconnects itself.
        const e = event as { type: string; sequence_id?: string; sequence_version?: number };
        if (typeof e.sequence_id !== "string" || typeof e.sequence_version !== "number") continue;
        onChange({ type: e.type, sequenceId: e.sequence_id, version: e.sequence_version });
      }
    } catch {
      // Aborted (signed out, page closed) or a final error (the key was revoked).
    }
    if (!controller.signal.aborted) onStatus("off");
  })();
  return () => controller.abort();
}
