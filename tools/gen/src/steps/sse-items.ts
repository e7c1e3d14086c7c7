// OpenAPI 3.1 has no `itemSchema`, so TypeSpec types a Server-Sent Events stream there as
// `type: string`, which says nothing about the events. Tools reading 3.1 (Schemathesis among
// them) take the `schema` of a `text/event-stream` media type as the schema of one event, so the
// 3.1 document gets the 3.2 document's `itemSchema` as that `schema`: each event's `event`, `id`
// and `data`, the data typed by `contentMediaType` + `contentSchema` per event name. The 3.2
// document is left as emitted. Serialised with the emitter's own YAML options, so nothing else
// in the document changes.
import { parse, stringify } from "yaml";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const SSE = "text/event-stream";

/** The YAML options of @typespec/openapi3's serializer (openapi.js `serializeDocument`). */
const emitterYaml = { singleQuote: true, aliasDuplicateObjects: false, lineWidth: 0, compat: "yaml-1.1" } as const;

const note = "One event of the stream (OpenAPI 3.1 has no `itemSchema`; this is the 3.2 document's item schema).";

function object(value: Json | undefined): JsonObject | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

/**
 * The 3.1 document text with every SSE stream typed by the 3.2 document's item schema, and the
 * streams it typed (`GET /api/v1/events 200`). Without any stream the text comes back unchanged.
 */
export function typeEventStreams(doc31: string, doc32: string): { text: string; typed: string[] } {
  const v31 = parse(doc31) as JsonObject;
  const v32 = parse(doc32) as JsonObject;
  const typed: string[] = [];
  for (const [path, item31] of Object.entries(object(v31.paths) ?? {})) {
    const item32 = object(object(v32.paths)?.[path]);
    for (const method of methods) {
      const responses31 = object(object(object(item31)?.[method])?.responses);
      const responses32 = object(object(item32?.[method])?.responses);
      for (const [status, response] of Object.entries(responses31 ?? {})) {
        const media31 = object(object(object(response)?.content)?.[SSE]);
        const items = object(object(object(object(responses32?.[status])?.content)?.[SSE])?.itemSchema);
        if (media31 === undefined || items === undefined) continue;
        media31.schema = { description: note, ...structuredClone(items) };
        typed.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
  }
  if (typed.length === 0) return { text: doc31, typed };
  return { text: stringify(v31, emitterYaml), typed };
}

/** Re-serialises a document as the emitter would (for checking that nothing else changes). */
export function reserialize(doc: string): string {
  return stringify(parse(doc), emitterYaml);
}
