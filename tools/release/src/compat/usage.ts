// Which models a client sends (inputs) and which it receives (outputs), through every reference:
// whether a change breaks callers depends on the direction (a new required member breaks whoever
// builds the value, a member that may now be absent breaks whoever reads it).
import type { ApiIR, TypeRef } from "@tka/codegen/src/api.ts";

export interface Usage {
  inputs: Set<string>;
  outputs: Set<string>;
}

export function modelUsage(ir: ApiIR): Usage {
  const byName = new Map(ir.models.map((m) => [m.name, m]));
  const walk = (ref: TypeRef | undefined, into: Set<string>): void => {
    if (ref === undefined) return;
    switch (ref.kind) {
      case "array":
        walk(ref.items, into);
        return;
      case "map":
        walk(ref.values, into);
        return;
      case "model": {
        if (into.has(ref.name)) return;
        into.add(ref.name);
        const m = byName.get(ref.name);
        if (m === undefined) return;
        if (m.kind === "object") {
          for (const p of m.properties) walk(p.type, into);
          if (m.additionalProperties) walk(m.additionalProperties, into);
          for (const base of m.bases) walk({ kind: "model", name: base, nullable: false }, into);
        } else if (m.kind === "union") for (const v of m.variants) walk(v.type, into);
        else if (m.kind === "alias") walk(m.type, into);
        return;
      }
      default:
        return;
    }
  };
  const usage: Usage = { inputs: new Set(), outputs: new Set() };
  for (const op of ir.operations) {
    for (const p of op.parameters) walk(p.type, usage.inputs);
    for (const c of op.requestBody?.contents ?? []) walk(c.type, usage.inputs);
    for (const r of op.responses) {
      for (const c of r.contents) {
        walk(c.type, usage.outputs);
        for (const e of c.stream?.events ?? []) walk(e.type, usage.outputs);
      }
    }
  }
  for (const ch of ir.channels) {
    walk(ch.clientMessage, usage.inputs);
    walk(ch.serverMessage, usage.outputs);
  }
  return usage;
}
