// Example request values for the SDK READMEs and doc comments, which must compile as shown: the
// document's example of a model, completed with placeholders for the required members it leaves
// out; without one, the required members alone ("…" for strings, 0, false, the first enum value,
// the first variant of a union).
import type { ApiIR, Model, TypeRef } from "../ir/types.ts";

/** A JSON value of the type: the documented example completed, or placeholders. */
export function exampleJson(ir: ApiIR, ref: TypeRef, depth = 0): unknown {
  const r = resolve(ir, ref);
  switch (r.kind) {
    case "primitive":
      if (r.type === "string") return r.format === "date-time" ? "2026-01-01T00:00:00Z" : "…";
      return r.type === "boolean" ? false : 0;
    case "literal":
      return r.value;
    case "array":
      return [];
    case "map":
    case "any":
      return {};
    case "null":
      return null;
    case "model": {
      const m = model(ir, r.name);
      if (m === undefined) return null;
      if (m.kind === "enum") return m.members[0]?.value ?? null;
      if (m.kind === "union") {
        const first = m.variants[0];
        return first === undefined || depth > 8 ? null : exampleJson(ir, first.type, depth + 1);
      }
      if (m.kind !== "object") return null;
      const documented = m.examples?.[0];
      const value: Record<string, unknown> =
        typeof documented === "object" && documented !== null && !Array.isArray(documented)
          ? { ...(documented as Record<string, unknown>) }
          : {};
      if (depth > 8) return value;
      for (const p of m.properties) {
        if (p.required && value[p.wireName] === undefined) value[p.wireName] = exampleJson(ir, p.type, depth + 1);
      }
      return value;
    }
  }
}

function model(ir: ApiIR, name: string): Model | undefined {
  return ir.models.find((m) => m.name === name);
}

function resolve(ir: ApiIR, ref: TypeRef): TypeRef {
  if (ref.kind !== "model") return ref;
  const m = model(ir, ref.name);
  return m?.kind === "alias" ? resolve(ir, m.type) : ref;
}
