/**
 * The loader's normalised, JSON-Schema-ish schema form. Every OpenAPI version maps onto it:
 *
 * - nullability is one flag (`nullable`), whatever the source spelling was
 *   (3.0 `nullable: true`, 3.1 `type: [T, "null"]`, `anyOf/oneOf: [X, {type: "null"}]`, `enum: [.., null]`);
 * - `type` is a single type; a multi-type (`type: [string, integer]`) becomes `anyOf`;
 * - `exclusiveMinimum` / `exclusiveMaximum` are always numbers (3.0 booleans are folded);
 * - `examples` is always an array (3.0 `example` is wrapped);
 * - a `$ref` to a named schema (a component schema, or any schema in another file) stays a
 *   reference (`ref` = its key), which is what keeps recursive schemas finite; other local
 *   `$ref`s are inlined.
 */
export type SchemaType = "object" | "array" | "string" | "integer" | "number" | "boolean" | "null";

export interface Location {
  /** File relative to the root document's folder; "" is the root document. */
  file: string;
  /** JSON pointer inside that file. */
  pointer: string;
}

export interface NDiscriminator {
  propertyName: string;
  /** discriminator value -> named-schema key, in declaration order. */
  mapping: Array<{ value: string; ref: string }>;
}

export interface NSchema {
  at: Location;
  /** Key of a named schema this node refers to (see `LoadedDocument.namedSchemas`). */
  ref?: string;
  type?: SchemaType;
  nullable: boolean;
  title?: string;
  description?: string;
  deprecated?: boolean;
  readOnly?: boolean;
  writeOnly?: boolean;
  hasDefault?: boolean;
  default?: unknown;
  examples?: unknown[];
  format?: string;
  /** Allowed values, `null` removed (it sets `nullable`). A `const` becomes a one-value enum with `isConst`. */
  enum?: unknown[];
  isConst?: boolean;
  /** Per-member docs aligned with `enum` (x-enum-descriptions or the oneOf-const pattern). */
  enumDescriptions?: Array<string | null>;
  /** Per-member names aligned with `enum` (x-enum-varnames / x-enumNames). */
  enumNames?: Array<string | null>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  /** Declared order. */
  properties?: Array<{ name: string; schema: NSchema }>;
  required?: string[];
  /** `true` = any value allowed, `false` = closed, schema = typed values; absent = not said. */
  additionalProperties?: NSchema | boolean;
  items?: NSchema;
  allOf?: NSchema[];
  oneOf?: NSchema[];
  anyOf?: NSchema[];
  discriminator?: NDiscriminator;
  contentMediaType?: string;
  contentEncoding?: string;
  contentSchema?: NSchema;
  /** `x-*` keys, verbatim. */
  extensions?: Record<string, unknown>;
}

export interface NamedSchema {
  key: string;
  /** The name the document gives it: the component key, or the last pointer token / file stem. */
  name: string;
  at: Location;
  /** True for `#/components/schemas/*` of the root document. */
  component: boolean;
}

export type OpenApiVersion = "3.0" | "3.1" | "3.2";
