import type { Property, TypeRef } from "../../ir/types.ts";
import { type PyTypes, pyLiteral, pyString } from "./types.ts";

/**
 * A runtime expression mypy accepts as `type[T]`: the class itself, or the annotation through
 * `cast` (unions, lists and aliases of them are not classes).
 */
export function castExpr(types: PyTypes, ref: TypeRef, q: (name: string) => string): string {
  if (types.isClass(ref)) return types.bare(ref, q);
  types.typing.add("cast");
  const t = types.type(ref, q);
  return `cast(${pyString(`type[${t}]`)}, ${t})`;
}

/**
 * A value of the type for README examples: models built from their required members (enums by
 * their first member), placeholders for scalars; `...` past a small depth.
 */
export function exampleValue(types: PyTypes, ref: TypeRef, depth = 0): string {
  const r = types.resolve(ref);
  if (r.kind !== "model" && types.nullable(ref) && depth > 0) return "None";
  switch (r.kind) {
    case "primitive":
      if (r.type === "string") {
        if (r.format === "date-time") return "datetime.datetime.now(datetime.timezone.utc)";
        if (r.format === "date") return "datetime.date.today()";
        return r.format === "binary" ? 'b"..."' : '"..."';
      }
      return r.type === "boolean" ? "True" : r.type === "integer" ? "1" : "1.0";
    case "literal":
      return pyLiteral(r.value);
    case "array":
      return "[]";
    case "map":
      return "{}";
    case "null":
      return "None";
    case "any":
      return "{}";
    case "model": {
      const m = types.model(r.name);
      const type = `models.${types.typeName(m.name)}`;
      const documented = m.examples?.[0];
      if (m.kind === "object" && documented !== undefined) {
        const built = fromExample(types, r, documented, depth);
        if (built !== undefined) return built;
      }
      if (m.kind === "enum") {
        const first = m.members[0];
        if (first === undefined) return "None";
        return m.valueType === "string"
          ? `${type}.${first.names?.python?.member ?? String(first.value)}`
          : pyLiteral(first.value);
      }
      if (m.kind === "union") {
        const variant = m.variants[0];
        return variant === undefined ? "None" : exampleValue(types, variant.type, depth);
      }
      if (m.kind !== "object") return "...";
      if (depth >= 2) return `${type}(...)`;
      // Required members (read-only ones too: the model's constructor requires them); with none,
      // the first member the document gives an example for.
      const writable = m.properties.filter((p) => !p.readOnly);
      let shown = m.properties.filter((p) => p.required);
      if (shown.length === 0) shown = writable.filter((p) => scalarExample(types, p) !== undefined).slice(0, 1);
      const fields = shown.map(
        (p) =>
          `${p.names?.python?.field ?? p.wireName}=${scalarExample(types, p) ?? exampleValue(types, p.type, depth + 1)}`,
      );
      return `${type}(${fields.join(", ")})`;
    }
  }
}

/**
 * The document's example value written as Python: models through their constructors (Python
 * names, read-only members left out), enum members by name. `undefined` when the value does not
 * fit the type.
 */
export function fromExample(types: PyTypes, ref: TypeRef, value: unknown, depth: number): string | undefined {
  const r = types.resolve(ref);
  if (value === null) return types.nullable(ref) || r.kind === "null" || r.kind === "any" ? "None" : undefined;
  switch (r.kind) {
    case "primitive":
      if (r.format === "date-time" || r.format === "date" || r.format === "binary")
        return exampleValue(types, r, depth);
      if (typeof value === "string" && r.type === "string") return pyString(value);
      if (typeof value === "boolean" && r.type === "boolean") return pyLiteral(value);
      if (typeof value === "number" && r.type !== "string" && r.type !== "boolean") {
        return r.type === "integer" && !Number.isInteger(value) ? undefined : String(value);
      }
      return undefined;
    case "literal":
      return value === r.value ? pyLiteral(r.value) : undefined;
    case "array": {
      if (!Array.isArray(value)) return undefined;
      const items = value.map((v) => fromExample(types, r.items, v, depth + 1));
      return items.every((i) => i !== undefined) ? `[${items.join(", ")}]` : undefined;
    }
    case "map":
    case "any": {
      if (r.kind === "any" || typeof value === "object") return pyJson(value);
      return undefined;
    }
    case "null":
      return undefined;
    case "model": {
      const m = types.model(r.name);
      const type = `models.${types.typeName(m.name)}`;
      if (m.kind === "enum") {
        const member = m.members.find((e) => e.value === value);
        if (member === undefined) return undefined;
        return m.valueType === "string"
          ? `${type}.${member.names?.python?.member ?? String(member.value)}`
          : pyLiteral(member.value);
      }
      if (m.kind === "union") {
        for (const variant of m.variants) {
          const built = fromExample(types, variant.type, value, depth);
          if (built !== undefined) return built;
        }
        return undefined;
      }
      if (m.kind !== "object" || typeof value !== "object" || Array.isArray(value)) return undefined;
      if (depth >= 3) return `${type}(...)`;
      const fields: string[] = [];
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        const p = m.properties.find((x) => x.wireName === key);
        if (p === undefined || (p.readOnly && !p.required)) continue;
        const built = fromExample(types, p.type, v, depth + 1);
        if (built === undefined) return undefined;
        fields.push(`${p.names?.python?.field ?? p.wireName}=${built}`);
      }
      // Required members the example leaves out (the constructor needs them): placeholders.
      for (const p of m.properties) {
        if (!p.required || (value as Record<string, unknown>)[p.wireName] !== undefined) continue;
        fields.push(
          `${p.names?.python?.field ?? p.wireName}=${scalarExample(types, p) ?? exampleValue(types, p.type, depth + 1)}`,
        );
      }
      return `${type}(${fields.join(", ")})`;
    }
    default:
      return undefined;
  }
}

/** A JSON value as a Python literal. */
export function pyJson(value: unknown): string {
  if (value === null) return "None";
  if (typeof value === "string") return pyString(value);
  if (typeof value === "number" || typeof value === "boolean") return pyLiteral(value);
  if (Array.isArray(value)) return `[${value.map(pyJson).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyString(k)}: ${pyJson(v)}`)
      .join(", ")}}`;
  }
  return "None";
}

/** The member's first documented example as a Python literal, when it is a scalar of a scalar type. */
export function scalarExample(types: PyTypes, p: Property): string | undefined {
  const example = p.examples?.[0];
  const r = types.resolve(p.type);
  if (r.kind !== "primitive" || r.format === "date-time" || r.format === "date" || r.format === "binary")
    return undefined;
  if (typeof example === "string" && r.type === "string") return pyString(example);
  if (typeof example === "number" && (r.type === "number" || (r.type === "integer" && Number.isInteger(example)))) {
    return String(example);
  }
  if (typeof example === "boolean" && r.type === "boolean") return pyLiteral(example);
  return undefined;
}
