// Which events a subscriber wants: by type and by sequence; empty means everything.
import type { StoredEvent } from "../store/types.ts";

export interface EventFilter {
  types: ReadonlySet<string>;
  sequenceIds: ReadonlySet<string>;
}

export function eventFilter(types: readonly string[] = [], sequenceIds: readonly string[] = []): EventFilter {
  return { types: new Set(types), sequenceIds: new Set(sequenceIds) };
}

export function matches(filter: EventFilter, event: StoredEvent): boolean {
  return (
    (filter.types.size === 0 || filter.types.has(event.type)) &&
    (filter.sequenceIds.size === 0 || filter.sequenceIds.has(event.sequence_id))
  );
}

/** The wire shape of a change event (the contract's ChangeEvent). */
export function wireEvent(event: StoredEvent): Record<string, unknown> {
  return {
    type: event.type,
    id: event.id,
    position: event.position,
    sequence_id: event.sequence_id,
    sequence_version: event.sequence_version,
    occurred_at: event.occurred_at,
    data: event.data,
  };
}
