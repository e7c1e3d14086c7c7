// Request validation for the generated Hono skeleton: checks a JSON value against a JSON Schema
// (the 2020-12 subset OpenAPI 3.1 uses) and reports every failing field as a JSON pointer.
// The generator emits each operation's schemas as data; this interpreter is hand-written and
// copied verbatim, so it is tested once, here.

export type Schema = boolean | SchemaObject;

export interface SchemaObject {
  $ref?: string;
  type?: string | readonly string[];
  enum?: readonly unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  properties?: Readonly<Record<string, Schema>>;
  required?: readonly string[];
  additionalProperties?: Schema;
  anyOf?: readonly Schema[];
  oneOf?: readonly Schema[];
  allOf?: readonly Schema[];
  discriminator?: { propertyName: string; mapping?: Readonly<Record<string, string>> };
  readOnly?: boolean;
}

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** Named schemas that `$ref: "#/components/schemas/<Name>"` points to. */
export type SchemaRegistry = Readonly<Record<string, Schema>>;

const patterns = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let re = patterns.get(source);
  if (re === undefined) {
    re = new RegExp(source, "u");
    patterns.set(source, re);
  }
  return re;
}

const dateTime = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** JSON text with object keys sorted: equal JSON values give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return describe(value);
}

export class Validator {
  readonly #registry: SchemaRegistry;

  constructor(registry: SchemaRegistry) {
    this.#registry = registry;
  }

  /** Every failing field of `value` (empty when valid). `at` is the pointer prefix. */
  validate(schema: Schema, value: unknown, at = ""): FieldError[] {
    const errors: FieldError[] = [];
    this.#check(schema, value, at, errors);
    return errors;
  }

  #resolve(ref: string): Schema {
    const name = ref.startsWith("#/components/schemas/") ? ref.slice("#/components/schemas/".length) : undefined;
    const schema = name === undefined || !Object.hasOwn(this.#registry, name) ? undefined : this.#registry[name];
    if (schema === undefined) throw new Error(`unresolved $ref ${ref}`);
    return schema;
  }

  #check(schema: Schema, value: unknown, at: string, errors: FieldError[]): void {
    if (schema === true) return;
    if (schema === false) {
      errors.push({ field: at, code: "not_allowed", message: "is not allowed" });
      return;
    }
    // A file of a multipart body: its bytes are not JSON, there is nothing more to check here.
    if (schema.format === "binary" && typeof Blob !== "undefined" && value instanceof Blob) return;
    if (schema.$ref !== undefined) this.#check(this.#resolve(schema.$ref), value, at, errors);
    for (const part of schema.allOf ?? []) this.#check(part, value, at, errors);
    if (schema.anyOf !== undefined || schema.oneOf !== undefined) this.#union(schema, value, at, errors);

    if (schema.type !== undefined) {
      const types: readonly string[] = typeof schema.type === "string" ? [schema.type] : schema.type;
      if (!types.some((t) => matchesType(value, t))) {
        errors.push({ field: at, code: "type", message: `must be ${types.join(" or ")}` });
        return;
      }
    }
    if (schema.const !== undefined && describe(value) !== describe(schema.const)) {
      errors.push({ field: at, code: "const", message: `must be ${describe(schema.const)}` });
    }
    if (schema.enum !== undefined && !schema.enum.some((e) => describe(e) === describe(value))) {
      errors.push({ field: at, code: "enum", message: `must be one of ${schema.enum.map(describe).join(", ")}` });
    }
    if (typeof value === "string") this.#string(schema, value, at, errors);
    else if (typeof value === "number") this.#number(schema, value, at, errors);
    else if (Array.isArray(value)) this.#array(schema, value, at, errors);
    else if (value !== null && typeof value === "object")
      this.#object(schema, value as Record<string, unknown>, at, errors);
  }

  #union(schema: SchemaObject, value: unknown, at: string, errors: FieldError[]): void {
    const options = schema.oneOf ?? schema.anyOf ?? [];
    const discriminator = schema.discriminator;
    if (discriminator !== undefined && value !== null && typeof value === "object" && !Array.isArray(value)) {
      const tag = (value as Record<string, unknown>)[discriminator.propertyName];
      // Own members only: a tag like "constructor" must not find Object.prototype's.
      const mapping = discriminator.mapping ?? {};
      const ref = typeof tag === "string" && Object.hasOwn(mapping, tag) ? mapping[tag] : undefined;
      if (ref === undefined) {
        const known = Object.keys(discriminator.mapping ?? {}).join(", ");
        errors.push({
          field: `${at}/${escapePointer(discriminator.propertyName)}`,
          code: "discriminator",
          message: `must be one of ${known}`,
        });
        return;
      }
      this.#check({ $ref: ref }, value, at, errors);
      return;
    }
    let best: FieldError[] | undefined;
    for (const option of options) {
      const attempt = this.validate(option, value, at);
      if (attempt.length === 0) return;
      if (best === undefined || attempt.length < best.length) best = attempt;
    }
    // None matched: report the closest option's errors (the most useful to a client).
    if (best !== undefined) errors.push(...best);
  }

  #string(schema: SchemaObject, value: string, at: string, errors: FieldError[]): void {
    // Lengths count code points (JSON Schema), which needs a walk over the string: only when asked.
    const length =
      schema.minLength === undefined && schema.maxLength === undefined ? 0 : codePoints(value, schema.maxLength);
    if (schema.minLength !== undefined && length < schema.minLength) {
      errors.push({
        field: at,
        code: "minLength",
        message: `must have at least ${schema.minLength} character${schema.minLength === 1 ? "" : "s"}`,
      });
    }
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      errors.push({ field: at, code: "maxLength", message: `must have at most ${schema.maxLength} characters` });
    }
    if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) {
      errors.push({ field: at, code: "pattern", message: `must match ${schema.pattern}` });
    }
    if (schema.format === "date-time" && (!dateTime.test(value) || Number.isNaN(Date.parse(value)))) {
      errors.push({ field: at, code: "format", message: "must be an RFC 3339 date-time" });
    }
  }

  #number(schema: SchemaObject, value: number, at: string, errors: FieldError[]): void {
    if (schema.type === "integer" && !Number.isInteger(value)) {
      errors.push({ field: at, code: "type", message: "must be integer" });
    }
    if (schema.minimum !== undefined && value < schema.minimum)
      errors.push({ field: at, code: "minimum", message: `must be >= ${schema.minimum}` });
    if (schema.maximum !== undefined && value > schema.maximum)
      errors.push({ field: at, code: "maximum", message: `must be <= ${schema.maximum}` });
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) {
      errors.push({ field: at, code: "exclusiveMinimum", message: `must be > ${schema.exclusiveMinimum}` });
    }
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) {
      errors.push({ field: at, code: "exclusiveMaximum", message: `must be < ${schema.exclusiveMaximum}` });
    }
    if (schema.multipleOf !== undefined) {
      const quotient = value / schema.multipleOf;
      if (Math.abs(quotient - Math.round(quotient)) > 1e-9) {
        errors.push({ field: at, code: "multipleOf", message: `must be a multiple of ${schema.multipleOf}` });
      }
    }
  }

  #array(schema: SchemaObject, value: unknown[], at: string, errors: FieldError[]): void {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push({ field: at, code: "minItems", message: `must have at least ${schema.minItems} items` });
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      errors.push({ field: at, code: "maxItems", message: `must have at most ${schema.maxItems} items` });
    }
    if (schema.uniqueItems === true) {
      // Items compare as JSON with object keys sorted, so {a,b} equals {b,a}.
      const seen = new Map<string, number>();
      for (const [i, item] of value.entries()) {
        const key = canonical(item);
        const first = seen.get(key);
        if (first === undefined) seen.set(key, i);
        else {
          errors.push({ field: `${at}/${i}`, code: "uniqueItems", message: `must not repeat item ${first}` });
          break;
        }
      }
    }
    if (schema.items !== undefined) {
      for (const [i, item] of value.entries()) this.#check(schema.items, item, `${at}/${i}`, errors);
    }
  }

  #object(schema: SchemaObject, value: Record<string, unknown>, at: string, errors: FieldError[]): void {
    const count = Object.keys(value).length;
    if (schema.minProperties !== undefined && count < schema.minProperties) {
      errors.push({ field: at, code: "minProperties", message: `must have at least ${schema.minProperties} members` });
    }
    if (schema.maxProperties !== undefined && count > schema.maxProperties) {
      errors.push({ field: at, code: "maxProperties", message: `must have at most ${schema.maxProperties} members` });
    }
    for (const name of schema.required ?? []) {
      if (!(name in value))
        errors.push({ field: `${at}/${escapePointer(name)}`, code: "required", message: "is required" });
    }
    const properties = schema.properties ?? {};
    for (const [name, field] of Object.entries(value)) {
      // Own members only: `__proto__`, `constructor` or `toString` are unknown members, not
      // Object.prototype's.
      const property = Object.hasOwn(properties, name) ? properties[name] : undefined;
      const where = `${at}/${escapePointer(name)}`;
      if (property !== undefined) {
        // A read-only field in a request is refused: it is the server's to set.
        if (typeof property === "object" && property.readOnly) {
          errors.push({ field: where, code: "readOnly", message: "is read-only" });
          continue;
        }
        this.#check(property, field, where, errors);
      } else if (schema.additionalProperties === false) {
        // A closed object (a request model): an unknown member is a mistake to report, not ignore.
        errors.push({ field: where, code: "additionalProperties", message: unknownMemberText(properties) });
      } else if (schema.additionalProperties !== undefined) {
        this.#check(schema.additionalProperties, field, where, errors);
      }
    }
  }
}

function unknownMemberText(properties: Readonly<Record<string, Schema>>): string {
  const known = Object.entries(properties)
    .filter(([, s]) => !(typeof s === "object" && s.readOnly))
    .map(([name]) => name);
  if (known.length === 0) return "is not a known field: this object takes no members";
  return known.length <= 20 ? `is not a known field; the known ones are ${known.join(", ")}` : "is not a known field";
}

/**
 * The number of code points in `value` (a surrogate pair is one), counting no further than one
 * past `stopAfter`, without allocating: a huge string against a small maxLength stops early.
 */
function codePoints(value: string, stopAfter = Number.POSITIVE_INFINITY): number {
  let n = 0;
  for (let i = 0; i < value.length && n <= stopAfter; i++, n++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return n;
}
