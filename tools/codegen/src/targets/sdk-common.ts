// Small decisions every SDK target makes the same way, so the TypeScript, Python and Rust
// clients agree: the name stem taken from the title, the default base URL, and which union a
// typed event stream decodes to.
import type { ApiIR, TypeRef } from "../ir/types.ts";

/** The document title without "API" ("TKA API" -> "TKA"): the stem of package and client names. */
export function titleStem(title: string): string {
  return title.replace(/\s*\bapi\b\s*/gi, " ").trim() || title;
}

/** The first server's URL with its variables at their defaults (`http://localhost` without one). */
export function serverUrl(ir: ApiIR): string {
  const server = ir.servers[0];
  if (server === undefined) return "http://localhost";
  return server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => server.variables?.[name]?.default ?? whole);
}

/**
 * A discriminated union whose tags are exactly the stream's event names and models: the stream
 * then yields that union (one decoder, the SSE event name and the tag agree).
 */
export function taggedUnionFor(ir: ApiIR, events: Array<{ event: string | null; type: TypeRef }>): TypeRef | null {
  if (events.length === 0) return null;
  for (const m of ir.models) {
    if (m.kind !== "union" || m.discriminator === undefined) continue;
    const mapping = new Map(m.discriminator.mapping.map((e) => [e.value, e.model]));
    const ok =
      mapping.size === events.length &&
      events.every((e) => e.event !== null && e.type.kind === "model" && mapping.get(e.event) === e.type.name);
    if (ok) return { kind: "model", name: m.name, nullable: false };
  }
  return null;
}
