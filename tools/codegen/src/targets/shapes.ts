// Shape questions every target asks about a type (language-independent): what an alias stands
// for, whether a value is a scalar, and whether an object is flat enough for the encodings that
// spread it into name/value pairs (deepObject and form query parameters, form-urlencoded bodies).
import type { ApiIR, BodyContent, Model, Parameter, TypeRef } from "../ir/types.ts";

const indexes = new WeakMap<ApiIR, Map<string, Model>>();

/** The IR's models by name (built once per IR). */
export function modelsByName(ir: ApiIR): Map<string, Model> {
  let index = indexes.get(ir);
  if (index === undefined || index.size !== ir.models.length) {
    index = new Map(ir.models.map((m) => [m.name, m]));
    indexes.set(ir, index);
  }
  return index;
}

/** The type an alias chain stands for (a non-alias reference is returned as is). */
export function resolveType(ir: ApiIR, ref: TypeRef): TypeRef {
  let current = ref;
  const models = modelsByName(ir);
  for (let depth = 0; current.kind === "model" && depth < 64; depth++) {
    const model = models.get(current.name);
    if (model?.kind !== "alias") return current;
    current = model.type;
  }
  return current;
}

function modelOf(ir: ApiIR, ref: TypeRef): Model | undefined {
  const r = resolveType(ir, ref);
  return r.kind === "model" ? modelsByName(ir).get(r.name) : undefined;
}

/**
 * A value that is written as one string: a primitive, a literal, an enum, or a union of those
 * (`oneOf: [integer, string]`: an id given as a number or a name).
 */
export function isScalar(ir: ApiIR, ref: TypeRef, depth = 0): boolean {
  const r = resolveType(ir, ref);
  if (r.kind === "primitive" || r.kind === "literal") return true;
  const m = modelOf(ir, r);
  if (m?.kind === "enum") return true;
  return m?.kind === "union" && depth < 8 && m.variants.every((v) => isScalar(ir, v.type, depth + 1));
}

/** A union whose variants are scalars or arrays of scalars (`oneOf: [string, array of string]`). */
export function isScalarOrArrayUnion(ir: ApiIR, ref: TypeRef): boolean {
  const m = modelOf(ir, resolveType(ir, ref));
  if (m?.kind !== "union") return false;
  return m.variants.every((v) => {
    const t = resolveType(ir, v.type);
    return isScalar(ir, t) || (t.kind === "array" && isScalar(ir, t.items));
  });
}

/** A map or an object model (after aliases). */
export function isObjectType(ir: ApiIR, ref: TypeRef): boolean {
  const r = resolveType(ir, ref);
  return r.kind === "map" || modelOf(ir, r)?.kind === "object";
}

/** A scalar, or an array of scalars (written as one pair per item). */
export function isScalarOrScalarArray(ir: ApiIR, ref: TypeRef): boolean {
  const r = resolveType(ir, ref);
  return isScalar(ir, r) || (r.kind === "array" && isScalar(ir, r.items)) || isScalarOrArrayUnion(ir, r);
}

/** The members of a flat object: a map, or an object model whose values are all scalars or arrays of scalars. */
export type FlatShape =
  | { kind: "map"; values: TypeRef }
  | { kind: "object"; properties: Array<{ wireName: string; type: TypeRef; required: boolean }> };

/**
 * The flat shape of `ref` (a map or an object whose every value is a scalar or an array of
 * scalars, with scalar additional properties if any), or `null` when it is not such an object.
 */
export function flatShape(ir: ApiIR, ref: TypeRef): FlatShape | null {
  const r = resolveType(ir, ref);
  if (r.kind === "map") return isScalarOrScalarArray(ir, r.values) ? { kind: "map", values: r.values } : null;
  const model = modelOf(ir, r);
  if (model?.kind !== "object") return null;
  if (!model.properties.every((p) => isScalarOrScalarArray(ir, p.type))) return null;
  const extra = model.additionalProperties;
  if (extra !== null && extra !== false && !isScalarOrScalarArray(ir, extra)) return null;
  if (model.properties.length === 0 && extra !== null && extra !== false) return { kind: "map", values: extra };
  return {
    kind: "object",
    properties: model.properties.map((p) => ({ wireName: p.wireName, type: p.type, required: p.required })),
  };
}

/**
 * The delimiter of a query array sent as one value (style form without explode: `,`;
 * spaceDelimited: ` `; pipeDelimited: `|`), or `null` when its items are exploded
 * (`a=1&a=2`: explode true) or the parameter is not a query array.
 */
export function arrayDelimiter(ir: ApiIR, p: Parameter): string | null {
  if (p.in !== "query" || p.explode || resolveType(ir, p.type).kind !== "array") return null;
  if (p.style === "pipeDelimited") return "|";
  if (p.style === "spaceDelimited") return " ";
  if (p.style === "form") return ",";
  return null;
}

/** Whether a type is raw file content (`format: binary`, or an array of such). */
export function fileKind(ir: ApiIR, ref: TypeRef): "one" | "many" | null {
  const r = resolveType(ir, ref);
  if (r.kind === "primitive" && r.format === "binary") return "one";
  if (r.kind === "array") {
    const item = resolveType(ir, r.items);
    if (item.kind === "primitive" && item.format === "binary") return "many";
  }
  return null;
}

/** One part of a multipart body, from a property of its object schema. */
export interface MultipartField {
  wireName: string;
  type: TypeRef;
  required: boolean;
  description?: string;
  /** Raw file content: one file, or one part per file of an array. */
  file: "one" | "many" | null;
  /** The part's Content-Type from the media type's `encoding`, when declared. */
  contentType?: string;
  names?: { typescript?: { field: string }; python?: { field: string }; rust?: { field: string } };
}

/**
 * The parts of a `multipart/form-data` body whose schema is an object model (one part per
 * property; an array of files or scalars is one part per item), or null for any other schema
 * (the SDKs then take a form built by the caller).
 */
export function multipartFields(ir: ApiIR, content: BodyContent): MultipartField[] | null {
  const model = modelOf(ir, content.type);
  if (model?.kind !== "object") return null;
  return model.properties
    .filter((p) => !p.readOnly)
    .map((p) => ({
      wireName: p.wireName,
      type: p.type,
      required: p.required,
      ...(p.description !== undefined ? { description: p.description } : {}),
      file: fileKind(ir, p.type),
      ...(content.encoding?.[p.wireName] !== undefined ? { contentType: content.encoding[p.wireName] } : {}),
      ...(p.names !== undefined ? { names: p.names } : {}),
    }));
}

/**
 * A value a parameter style can write (path, header and cookie parameters): a scalar, an array
 * of scalars, or a flat object or map (scalars and arrays of scalars).
 */
export function isStyleable(ir: ApiIR, ref: TypeRef): boolean {
  return isScalarOrScalarArray(ir, ref) || flatShape(ir, ref) !== null;
}

/** Whether a path, header or cookie parameter needs its style written (not a plain scalar). */
export function needsStyle(ir: ApiIR, p: Parameter): boolean {
  if (p.in === "query") return false;
  if (p.in === "path" && (p.style === "label" || p.style === "matrix")) return true;
  return !isScalar(ir, p.type);
}
