import { ptr } from "../errors.ts";
import { isObject, type JsonObject } from "./document.ts";
import type { SchemaNormalizer } from "./schema.ts";
import type { Location, NSchema } from "./types.ts";

/** One kind of event of a `text/event-stream` response. */
export interface NStreamEvent {
  /** The SSE `event` field value; null = the default event (`message`, or the event field unconstrained). */
  event: string | null;
  at: Location;
  /** The schema of `data` once decoded (from `contentSchema`); null when `data` is plain text. */
  schema: NSchema | null;
  /** `contentMediaType` of `data` (e.g. application/json); null when not said. */
  contentMediaType: string | null;
}

export interface NEventStream {
  at: Location;
  /** False for a 3.0/3.1 `text/event-stream` with no `itemSchema`: events are untyped text. */
  typed: boolean;
  events: NStreamEvent[];
}

/**
 * Describe a `text/event-stream` media type object. OpenAPI 3.2 `itemSchema` describes one
 * event: `event` fixed by `const` (per `oneOf` member), `data` typed by `contentSchema`.
 */
export function describeEventStream(n: SchemaNormalizer, media: JsonObject, at: Location): NEventStream {
  if (media.itemSchema === undefined) return { at, typed: false, events: [] };
  const itemAt: Location = { file: at.file, pointer: ptr(at.pointer, "itemSchema") };
  if (!isObject(media.itemSchema)) n.fail(itemAt, "`itemSchema` must be a schema object");
  const item = n.normalize(media.itemSchema, itemAt);
  const resolved = item.ref ? n.named(item.ref) : item;
  const variants = resolved.oneOf ?? resolved.anyOf ?? [resolved];
  const events: NStreamEvent[] = [];
  for (const raw of variants) {
    const v = raw.ref ? n.named(raw.ref) : raw;
    const prop = (name: string): NSchema | undefined =>
      v.properties?.find((p) => p.name === name)?.schema ??
      (v === resolved ? undefined : resolved.properties?.find((p) => p.name === name)?.schema);
    const ev = prop("event");
    const data = prop("data");
    let event: string | null = null;
    if (ev?.enum && ev.enum.length === 1 && typeof ev.enum[0] === "string") event = ev.enum[0];
    else if (variants.length > 1)
      n.fail(v.at, "each `itemSchema` variant of an event stream must fix `event` with `const` (or a one-value enum)");
    let schema: NSchema | null = null;
    let contentMediaType: string | null = null;
    if (data) {
      contentMediaType = data.contentMediaType ?? null;
      if (data.contentSchema) schema = data.contentSchema;
      else if (data.type !== undefined && data.type !== "string") schema = data;
    }
    events.push({ event, at: v.at, schema, contentMediaType });
  }
  const seen = new Set<string | null>();
  for (const e of events) {
    if (seen.has(e.event)) n.fail(e.at, `event "${e.event ?? "message"}" is described twice`);
    seen.add(e.event);
  }
  return { at, typed: true, events };
}
