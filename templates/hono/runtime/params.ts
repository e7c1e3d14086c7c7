// Turns the text of path, query, header and cookie parameters (and of form-urlencoded bodies)
// into typed values before validation: integers, numbers, booleans, arrays (exploded query
// parameters only: `types=a&types=b`) and objects (deepObject `filter[key]=value`, or form with
// explode: one query parameter per declared property).
import type { Schema, SchemaObject } from "./validate.ts";

export interface ParameterSpec {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  schema: Schema;
  /**
   * How an object-valued query parameter is spread over the query, or (with `explode: false`)
   * how the items of an array query parameter are joined: `form` by `,`, `spaceDelimited` by a
   * space, `pipeDelimited` by `|`. Absent for other parameters.
   */
  style?: "deepObject" | "form" | "spaceDelimited" | "pipeDelimited" | "simple" | "label" | "matrix";
  /** `false` for an array query parameter sent as one delimited value (`ids=1,2`). */
  explode?: boolean;
  /**
   * The problem `code` answered when this parameter is missing or invalid, instead of
   * `BAD_REQUEST` (from `x-error-code`; see runOperation for requests with several failures).
   */
  errorCode?: string;
}

const delimiters = { form: ",", spaceDelimited: " ", pipeDelimited: "|" } as const;

/** Where parameter text comes from (the request). */
export interface ParameterSource {
  path: (name: string) => string | undefined;
  /** Every value of a query parameter, in order. */
  query: (name: string) => string[];
  /** Every query parameter with its values (deepObject parameters look for `name[...]` keys). */
  queries: () => Record<string, string[]>;
  header: (name: string) => string | undefined;
  cookie: (name: string) => string | undefined;
}

/** Follows `$ref`s and unwraps a nullable `anyOf`/`oneOf: [X, {type: null}]` to X. */
function concrete(schema: Schema, resolve: (ref: string) => Schema, depth = 0): Schema {
  if (typeof schema !== "object" || depth > 32) return schema;
  if (schema.$ref !== undefined) return concrete(resolve(schema.$ref), resolve, depth + 1);
  const options = schema.anyOf ?? schema.oneOf;
  if (options !== undefined) {
    const rest = options.filter((o) => !(typeof o === "object" && o.type === "null"));
    if (rest.length === 1 && rest.length < options.length) return concrete(rest[0] as Schema, resolve, depth + 1);
  }
  return schema;
}

/** The scalar type a parameter's schema asks for (following `$ref`s through `resolve`). */
function scalarType(schema: Schema, resolve: (ref: string) => Schema): string | undefined {
  if (typeof schema !== "object") return undefined;
  if (schema.$ref !== undefined) return scalarType(resolve(schema.$ref), resolve);
  if (typeof schema.type === "string") return schema.type;
  if (schema.type !== undefined) return schema.type.find((t) => t !== "null");
  const options = schema.oneOf ?? schema.anyOf;
  const first = options?.[0];
  if (first !== undefined && typeof first === "object" && "const" in first)
    return typeof first.const === "number" ? "number" : "string";
  const nonNull = options?.filter((o) => !(typeof o === "object" && o.type === "null"));
  if (nonNull?.length === 1) return scalarType(nonNull[0] as Schema, resolve);
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

function isArraySchema(schema: Schema): schema is SchemaObject {
  return typeof schema === "object" && schema.type === "array";
}

/** Every value of a key, coerced: all of them for an array schema, else the last one. */
function coerceValues(values: readonly string[], schema: Schema, resolve: (ref: string) => Schema): unknown {
  const s = concrete(schema, resolve);
  if (isArraySchema(s)) return values.map((v) => coerce(v, s.items ?? true, resolve));
  return coerce(values[values.length - 1] as string, s, resolve);
}

/** The schema of one member of an object schema: its property, else `additionalProperties`. */
function memberSchema(object: Schema, key: string): Schema {
  if (typeof object !== "object") return true;
  const properties = object.properties ?? {};
  return (Object.hasOwn(properties, key) ? properties[key] : undefined) ?? object.additionalProperties ?? true;
}

/**
 * An object from name/value pairs (a form-urlencoded body, or the members of an object query
 * parameter), each member coerced by its schema: arrays take every value, scalars the last.
 */
export function coerceObject(
  entries: Iterable<readonly [string, readonly string[]]>,
  schema: Schema,
  resolve: (ref: string) => Schema,
): Record<string, unknown> {
  const object = concrete(schema, resolve);
  const out: Record<string, unknown> = {};
  for (const [key, values] of entries) {
    if (values.length > 0) out[key] = coerceValues(values, memberSchema(object, key), resolve);
  }
  return out;
}

/** A query string's parameters, each with every value in order; `malformed`: names whose text did not decode. */
export interface Query {
  values: Record<string, string[]>;
  malformed: string[];
}

function decodeComponent(text: string): string | undefined {
  const plain = text.includes("+") ? text.replace(/\+/g, " ") : text;
  if (!plain.includes("%")) return plain;
  try {
    return decodeURIComponent(plain);
  } catch {
    return undefined;
  }
}

/**
 * Parses the query of a URL (`a=1&b=x+y&a=2`): `+` is a space, percent escapes must decode to
 * UTF-8. A pair that does not decode is listed in `malformed` (under its name as sent) instead
 * of being kept half-decoded, so the caller can refuse it rather than pass on altered text.
 */
export function parseQuery(url: string): Query {
  const values: Record<string, string[]> = Object.create(null);
  const malformed: string[] = [];
  const start = url.indexOf("?");
  if (start < 0) return { values, malformed };
  const hash = url.indexOf("#", start);
  const text = url.slice(start + 1, hash < 0 ? undefined : hash);
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const rawName = at < 0 ? pair : pair.slice(0, at);
    const name = decodeComponent(rawName);
    const value = at < 0 ? "" : decodeComponent(pair.slice(at + 1));
    if (name === undefined || value === undefined) {
      malformed.push(name ?? rawName);
      continue;
    }
    if (name === "") continue;
    const list = values[name];
    if (list === undefined) values[name] = [value];
    else list.push(value);
  }
  return { values, malformed };
}

/**
 * A form-urlencoded body as an object whose members are coerced by the body's schema; `malformed`
 * lists fields whose percent escapes are not UTF-8 (left out of the object).
 */
export function readForm(
  text: string,
  schema: Schema,
  resolve: (ref: string) => Schema,
): { value: Record<string, unknown>; malformed: string[] } {
  const { values, malformed } = parseQuery(`?${text}`);
  return { value: coerceObject(Object.entries(values), schema, resolve), malformed };
}

/** Whether a schema describes raw file content (`format: binary`), after `$ref`s. */
function isBinary(schema: Schema, resolve: (ref: string) => Schema): boolean {
  const s = concrete(schema, resolve);
  return typeof s === "object" && s.format === "binary";
}

/** Whether a schema asks for an object or an array of non-scalars (a JSON part). */
function isStructured(schema: Schema, resolve: (ref: string) => Schema): boolean {
  const s = concrete(schema, resolve);
  if (typeof s !== "object") return false;
  if (s.type === "object" || s.properties !== undefined || s.allOf !== undefined) return true;
  if (s.type === "array") return isStructured(s.items ?? true, resolve);
  return false;
}

/**
 * A `multipart/form-data` body as an object: file parts of binary members stay `File`s (every
 * part of an array member, else the last), text parts are coerced by their member's schema like
 * form fields, and a member whose schema is an object is parsed from its part's JSON text.
 * `malformed` lists members whose JSON part does not parse (left out of the object).
 */
export async function readMultipart(
  form: FormData,
  schema: Schema,
  resolve: (ref: string) => Schema,
  parseJsonPart: (text: string) => { ok: true; value: unknown } | { ok: false } = (text) => {
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      return { ok: false };
    }
  },
): Promise<{ value: Record<string, unknown>; malformed: string[] }> {
  const object = concrete(schema, resolve);
  const texts = new Map<string, string[]>();
  const value: Record<string, unknown> = {};
  const malformed: string[] = [];
  const names = [...new Set(form.keys())];
  for (const name of names) {
    const member = memberSchema(object, name);
    const parts = form.getAll(name);
    const memberConcrete = concrete(member, resolve);
    const itemSchema = isArraySchema(memberConcrete) ? (memberConcrete.items ?? true) : member;
    if (isBinary(itemSchema, resolve)) {
      // A part sent without a file name arrives as text: its text is the file's content.
      const files = parts.map((p) => (typeof p === "string" ? new File([p], "") : p));
      value[name] = isArraySchema(memberConcrete) ? files : files[files.length - 1];
      continue;
    }
    const strings: string[] = [];
    for (const part of parts) strings.push(typeof part === "string" ? part : await part.text());
    if (isStructured(member, resolve) && !isArraySchema(memberConcrete)) {
      const parsed = parseJsonPart(strings[strings.length - 1] as string);
      if (parsed.ok) value[name] = parsed.value;
      else malformed.push(name);
      continue;
    }
    texts.set(name, strings);
  }
  Object.assign(value, coerceObject(texts, schema, resolve));
  return { value, malformed };
}

/**
 * The value of one cookie in a `Cookie` header (`a=1; b=2`): the first pair with that name,
 * without surrounding quotes, percent-decoded (a value that does not decode is kept as sent).
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at < 0 || part.slice(0, at).trim() !== name) continue;
    let value = part.slice(at + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/** The members of an object query parameter, or undefined when none was sent. */
function readObjectParameter(
  spec: ParameterSpec,
  source: ParameterSource,
  resolve: (ref: string) => Schema,
): Record<string, unknown> | undefined {
  const entries: Array<[string, string[]]> = [];
  if (spec.style === "deepObject") {
    const prefix = `${spec.name}[`;
    for (const [key, values] of Object.entries(source.queries())) {
      if (key.startsWith(prefix) && key.endsWith("]") && key.length > prefix.length + 1) {
        entries.push([key.slice(prefix.length, -1), values]);
      }
    }
  } else {
    const object = concrete(spec.schema, resolve);
    for (const key of Object.keys(typeof object === "object" ? (object.properties ?? {}) : {})) {
      const values = source.query(key);
      if (values.length > 0) entries.push([key, values]);
    }
  }
  return entries.length === 0 ? undefined : coerceObject(entries, spec.schema, resolve);
}

/** Reads one parameter; arrays take every occurrence of a query parameter. */
export function readParameter(spec: ParameterSpec, source: ParameterSource, resolve: (ref: string) => Schema): unknown {
  if (spec.in === "query") {
    const values = source.query(spec.name);
    if (spec.explode === false && spec.style !== undefined && spec.style !== "deepObject") {
      if (values.length === 0) return undefined;
      const delimiter = delimiters[spec.style as keyof typeof delimiters] ?? ",";
      const items = values.flatMap((v) => (v === "" ? [] : v.split(delimiter)));
      const target = concrete(spec.schema, resolve);
      if (isObjectSchema(target)) {
        // An object as one value: `k,v,k2,v2`.
        const entries: Array<[string, string[]]> = [];
        for (let i = 0; i + 1 < items.length; i += 2) entries.push([items[i] as string, [items[i + 1] as string]]);
        return coerceObject(entries, target, resolve);
      }
      return coerceValues(items, spec.schema, resolve);
    }
    if (spec.style !== undefined) return readObjectParameter(spec, source, resolve);
    if (values.length === 0) return undefined;
    return coerceValues(values, spec.schema, resolve);
  }
  const schema = concrete(spec.schema, resolve);
  const object = isObjectSchema(schema);
  // An exploded object cookie is one cookie per member (`R=100; G=200`).
  if (spec.in === "cookie" && object && spec.explode === true) {
    const entries: Array<[string, string[]]> = [];
    for (const key of Object.keys(typeof schema === "object" ? (schema.properties ?? {}) : {})) {
      const value = source.cookie(key);
      if (value !== undefined) entries.push([key, [value]]);
    }
    return entries.length === 0 ? undefined : coerceObject(entries, schema, resolve);
  }
  const raw =
    spec.in === "path"
      ? source.path(spec.name)
      : spec.in === "cookie"
        ? source.cookie(spec.name)
        : source.header(spec.name);
  if (raw === undefined) return undefined;
  const style = spec.style ?? (spec.in === "cookie" ? "form" : "simple");
  const text = unprefixed(raw, style, spec.name);
  if (text === undefined) return raw; // not in the style: the validator reports the value
  if (isArraySchema(schema)) {
    // Arrays: comma-separated (label/matrix exploded: `.a.b`, `;id=a;id=b`).
    const items =
      text === ""
        ? []
        : style === "label" && spec.explode === true
          ? text.split(".")
          : style === "matrix" && spec.explode === true
            ? text.split(";").map((part) => part.slice(part.indexOf("=") + 1))
            : text.split(",");
    return items.map((item) => coerce(item.trim(), schema.items ?? true, resolve));
  }
  if (object) {
    // Objects: `k,v,k2,v2`, or exploded `k=v,k2=v2` (label `.k=v.k2=v2`, matrix `;k=v;k2=v2`).
    const entries: Array<[string, string[]]> = [];
    if (spec.explode === true) {
      const separator = style === "label" ? "." : style === "matrix" ? ";" : ",";
      for (const pair of text.split(separator)) {
        const at = pair.indexOf("=");
        if (at > 0) entries.push([pair.slice(0, at).trim(), [pair.slice(at + 1).trim()]]);
      }
    } else {
      const parts = text.split(",");
      for (let i = 0; i + 1 < parts.length; i += 2)
        entries.push([(parts[i] as string).trim(), [(parts[i + 1] as string).trim()]]);
    }
    return coerceObject(entries, schema, resolve);
  }
  return coerce(text, spec.schema, resolve);
}

function isObjectSchema(schema: Schema): boolean {
  return typeof schema === "object" && (schema.type === "object" || schema.properties !== undefined);
}

/**
 * The text of a path, header or cookie value without its style's prefix (label `.`, matrix
 * `;name=`); undefined when the prefix is missing. Exploded matrix arrays keep their `;name=`
 * parts after the first (split by the caller).
 */
function unprefixed(raw: string, style: string, name: string): string | undefined {
  if (style === "label") return raw.startsWith(".") ? raw.slice(1) : undefined;
  if (style === "matrix") {
    if (!raw.startsWith(";")) return undefined;
    const rest = raw.slice(1);
    return rest.startsWith(`${name}=`) ? rest.slice(name.length + 1) : rest;
  }
  return raw;
}
