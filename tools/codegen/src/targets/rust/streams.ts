// The events of a Server-Sent Events operation: one model for all (a tagged union, or a single
// type), the raw text when the document does not type them, or an enum keyed by event name
// (templates/rust/method/events.rs.hbs) with its decoder.
import type { Operation, TypeRef } from "../../ir/types.ts";
import { pascalCase } from "../../naming/index.ts";
import { taggedUnionFor } from "../sdk-common.ts";
import type { Render } from "../types.ts";
import { bare } from "./names.ts";
import { type RustTypes, rustString } from "./types.ts";

export interface StreamEvents {
  /** The stream's item type. */
  eventType: string;
  /** The decoder expression handed to `event_stream`. */
  decoder: string;
  /** Module items (an event enum and its decoder, or a raw decoder). */
  items: string[];
  usesSseMessage: boolean;
}

export function streamEvents(
  render: Render,
  types: RustTypes,
  op: Operation,
  className: string,
  name: string,
  q: (ref: TypeRef) => string,
): StreamEvents {
  const success = op.responses.find((r) => r.status === op.successStatus);
  const events = success?.contents[0]?.stream?.events ?? [];
  const method = bare(name);
  const union =
    events.length > 0
      ? taggedUnionFor(
          types.ir,
          events.map((e) => ({ event: e.event, type: e.type })),
        )
      : null;
  const distinct = [...new Set(events.map((e) => JSON.stringify(e.type)))];
  const jsonTyped = (e: (typeof events)[number]) =>
    !(e.contentMediaType === null && e.type.kind === "primitive" && e.type.type === "string");
  if (union !== null) {
    const eventType = q(union);
    return { eventType, decoder: `crate::runtime::sse::json_data::<${eventType}>()`, items: [], usesSseMessage: false };
  }
  if (events.length > 0 && distinct.length === 1 && events.every(jsonTyped)) {
    const eventType = q(events[0]?.type as TypeRef);
    return { eventType, decoder: `crate::runtime::sse::json_data::<${eventType}>()`, items: [], usesSseMessage: false };
  }
  if (events.length === 0) {
    return {
      eventType: "String",
      decoder: `decode_${method}`,
      items: [render("rust/method/raw-events.rs.hbs", { className, method })],
      usesSseMessage: true,
    };
  }
  // Named events of different types: an enum keyed by the SSE event name.
  const enumName = `${pascalCase(method)}Event`;
  const variantNames = events.map((e, i) => e.names?.rust?.variant ?? `Event${i + 1}`);
  const variants = events.map((e, i) => {
    const variant = variantNames[i] as string;
    const pattern = rustString(e.event ?? "message");
    const value = jsonTyped(e)
      ? `serde_json::from_str(&message.data).map(${enumName}::${variant})`
      : `Ok(${enumName}::${variant}(message.data.clone()))`;
    return {
      event: e.event ?? "",
      variant,
      type: jsonTyped(e) ? q(e.type) : "String",
      pattern,
      value,
      // rustfmt puts an arm wider than the line in a block.
      long: `        ${pattern} => ${value},`.length > 100,
    };
  });
  const unknown = variantNames.includes("Unknown") ? "Other" : "Unknown";
  return {
    eventType: enumName,
    decoder: `decode_${method}`,
    items: [render("rust/method/events.rs.hbs", { className, method, name: enumName, variants, unknown })],
    usesSseMessage: true,
  };
}
