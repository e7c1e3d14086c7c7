// OpenAPI 3.1 has no `itemSchema`, so TypeSpec types a Server-Sent Events stream there as
// `type: string`, which says nothing about the events. Tools reading 3.1 (Schemathesis among
// them) take the `schema` of a `text/event-stream` media type as the schema of one event, so the
// 3.1 document gets the 3.2 document's `itemSchema` as that `schema`: each event's `event`, `id`
// and `data`, the data typed by `contentMediaType` + `contentSchema` per event name. The 3.2
// document is left as emitted. Serialised with the emitter's own YAML options, so nothing else
// in the document changes: only the stream's `schema` block is rewritten in the text (the whole
// document's round trip through the YAML library cost about 0.5 s of `pnpm gen`'s CPU).
import { parseText } from "@tka/codegen/src/loader/document.ts";
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
export function typeEventStreams(
  doc31: string,
  doc32: string,
  /** The two documents as JSON, when the caller has them (what parsing the texts would give). */
  json?: { v31: string; v32: string },
): { text: string; typed: string[] } {
  // JSON parses in a few milliseconds, the YAML texts in a few hundred (through the generator's
  // cached parser).
  const v31 = (json ? JSON.parse(json.v31) : parseText(doc31, "openapi.3.1.yaml")) as JsonObject;
  const v32 = (json ? JSON.parse(json.v32) : parseText(doc32, "openapi.3.2.yaml")) as JsonObject;
  const typed: string[] = [];
  const splices: Splice[] = [];
  for (const [path, item31] of Object.entries(object(v31.paths) ?? {})) {
    const item32 = object(object(v32.paths)?.[path]);
    for (const method of methods) {
      const responses31 = object(object(object(item31)?.[method])?.responses);
      const responses32 = object(object(item32?.[method])?.responses);
      for (const [status, response] of Object.entries(responses31 ?? {})) {
        const media31 = object(object(object(response)?.content)?.[SSE]);
        const items = object(object(object(object(responses32?.[status])?.content)?.[SSE])?.itemSchema);
        if (media31 === undefined || items === undefined) continue;
        const replaces = "schema" in media31;
        media31.schema = { description: note, ...structuredClone(items) };
        typed.push(`${method.toUpperCase()} ${path} ${status}`);
        if (replaces)
          splices.push({
            keys: ["paths", path, method, "responses", status, "content", SSE, "schema"],
            value: media31.schema,
          });
      }
    }
  }
  if (typed.length === 0) return { text: doc31, typed };
  const spliced = splices.length === typed.length ? splice(doc31, splices) : undefined;
  return { text: spliced ?? stringify(v31, emitterYaml), typed };
}

/** A value to write at a path of keys, over the value there. */
interface Splice {
  keys: string[];
  value: Json;
}

/**
 * The text with each splice's value written over the old one: what serialising the changed
 * document would give, without serialising the rest of it. Each key path is serialised alone
 * (same options, same depth, so the same lines as in the whole document); its key lines are
 * found in the text one level at a time, each within its parent's block, and the old value's
 * block (up to the next line indented no deeper than its key) is replaced. Undefined when a key
 * is not where expected (the caller then serialises the whole document).
 */
export function splice(text: string, splices: readonly Splice[]): string | undefined {
  const lines = text.split("\n");
  for (const { keys, value } of splices) {
    const render = (leaf: Json) => {
      let tree = leaf;
      for (const key of [...keys].reverse()) tree = { [key]: tree };
      return stringify(tree, emitterYaml).replace(/\n$/, "").split("\n");
    };
    const rendered = render(value);
    // The key lines as they read above a mapping (a scalar value would share the leaf's line).
    const keyLines = render({ _: 0 });
    let from = 0;
    let end = lines.length;
    for (let level = 0; level < keys.length; level++) {
      const keyLine = keyLines[level] as string;
      if (indent(keyLine) !== level * 2 || !keyLine.endsWith(":")) return undefined;
      let at = -1;
      for (let i = from; i < end; i++) {
        const line = lines[i] as string;
        if (line === keyLine || line.startsWith(`${keyLine} `)) {
          at = i;
          break;
        }
      }
      if (at < 0) return undefined;
      from = at + 1;
      end = blockEnd(lines, at);
    }
    lines.splice(from - 1, end - from + 1, ...rendered.slice(keys.length - 1));
  }
  return lines.join("\n");
}

function indent(line: string): number {
  return line.length - line.trimStart().length;
}

/**
 * The index after the block of the key at `at`: after its last non-blank line before the next
 * non-blank line indented no deeper (blank lines after a block belong to what follows).
 */
function blockEnd(lines: readonly string[], at: number): number {
  const depth = indent(lines[at] as string);
  let last = at;
  for (let i = at + 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") continue;
    if (indent(line) <= depth) break;
    last = i;
  }
  return last + 1;
}

/** Re-serialises a document as the emitter would (for checking that nothing else changes). */
export function reserialize(doc: string): string {
  return stringify(parse(doc), emitterYaml);
}
