// Turns the text of path, query and header parameters into typed values before validation:
// integers, numbers, booleans and arrays (exploded query parameters only: `types=a&types=b`).
import type { Schema, SchemaObject } from "./validate.ts";

export interface ParameterSpec {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: Schema;
}

/** The scalar type a parameter's schema asks for (following one `$ref` level through `resolve`). */
function scalarType(schema: Schema, resolve: (ref: string) => Schema): string | undefined {
  if (typeof schema !== "object") return undefined;
  if (schema.$ref !== undefined) return scalarType(resolve(schema.$ref), resolve);
  if (typeof schema.type === "string") return schema.type;
  if (schema.type !== undefined) return schema.type.find((t) => t !== "null");
  const first = (schema.oneOf ?? schema.anyOf)?.[0];
  if (first !== undefined && typeof first === "object" && "const" in first)
    return typeof first.const === "number" ? "number" : "string";
  return undefined;
}

/**
 * Coerces raw text by the schema's type. A value that does not parse is returned unchanged, so
 * the validator then reports it with the field's name and the expected type.
 */
export function coerce(raw: string, schema: Schema, resolve: (ref: string) => Schema): unknown {
  switch (scalarType(schema, resolve)) {
    case "integer":
      return /^-?\d+$/.test(raw) ? Number(raw) : raw;
    case "number":
      return raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    default:
      return raw;
  }
}

/** Reads one parameter; arrays take every occurrence of a query parameter. */
export function readParameter(
  spec: ParameterSpec,
  source: {
    path: (name: string) => string | undefined;
    query: (name: string) => string[];
    header: (name: string) => string | undefined;
  },
  resolve: (ref: string) => Schema,
): unknown {
  if (spec.in === "query") {
    const values = source.query(spec.name);
    if (values.length === 0) return undefined;
    const schema = typeof spec.schema === "object" && spec.schema.$ref ? resolve(spec.schema.$ref) : spec.schema;
    if (typeof schema === "object" && (schema as SchemaObject).type === "array") {
      const items = (schema as SchemaObject).items ?? true;
      return values.map((v) => coerce(v, items, resolve));
    }
    return coerce(values[values.length - 1] as string, spec.schema, resolve);
  }
  const raw = spec.in === "path" ? source.path(spec.name) : source.header(spec.name);
  return raw === undefined ? undefined : coerce(raw, spec.schema, resolve);
}
