import { GeneratorError, ptr } from "../errors.ts";
import { type DocumentSet, isObject, type Json, type JsonObject } from "./document.ts";
import type { Location, NDiscriminator, NSchema, OpenApiVersion, SchemaType } from "./types.ts";

/** Keywords the generator refuses, with the reason a user sees. */
export const UNSUPPORTED_KEYWORDS: Record<string, string> = Object.fromEntries([
  ["not", "`not` schemas cannot be expressed as types in the target languages"],
  ["if", "conditional schemas (`if`/`then`/`else`) are not supported"],
  // biome-ignore lint/suspicious/noThenProperty: the JSON Schema keyword, not a thenable
  ["then", "conditional schemas (`if`/`then`/`else`) are not supported"],
  ["else", "conditional schemas (`if`/`then`/`else`) are not supported"],
  ["patternProperties", "`patternProperties` is not supported; use `additionalProperties` for maps"],
  ["dependentSchemas", "`dependentSchemas` is not supported"],
  ["dependentRequired", "`dependentRequired` is not supported"],
  ["dependencies", "`dependencies` is not supported"],
  ["prefixItems", "tuple schemas (`prefixItems`) are not supported"],
  ["additionalItems", "tuple schemas (`additionalItems`) are not supported"],
  ["contains", "`contains` is not supported"],
  ["unevaluatedItems", "`unevaluatedItems` is not supported"],
  ["propertyNames", "`propertyNames` is not supported"],
  ["$recursiveRef", "`$recursiveRef` is not supported"],
]);

const STRUCTURAL = [
  "type",
  "properties",
  "items",
  "additionalProperties",
  "unevaluatedProperties",
  "allOf",
  "oneOf",
  "anyOf",
  "enum",
  "const",
];
const TYPES = new Set<SchemaType>(["object", "array", "string", "integer", "number", "boolean", "null"]);

/** `{not: {}}` (or `{not: true}`): the schema no value matches. */
function isNothing(v: Json): boolean {
  if (!isObject(v) || Object.keys(v).length !== 1) return false;
  const inner = v.not;
  return inner === true || (isObject(inner) && Object.keys(inner).length === 0);
}

/** Normalises schemas of any supported OpenAPI version into `NSchema`. */
export class SchemaNormalizer {
  readonly docs: DocumentSet;
  readonly version: OpenApiVersion;
  private readonly inlined = new Map<string, NSchema>();
  private readonly inProgress = new Set<string>();
  private readonly namedCache = new Map<string, NSchema>();

  constructor(docs: DocumentSet, version: OpenApiVersion) {
    this.docs = docs;
    this.version = version;
  }

  fail(at: Location, reason: string): never {
    throw new GeneratorError(at.file, at.pointer, reason);
  }

  normalize(node: Json, at: Location): NSchema {
    if (node === true) return { at, nullable: false };
    if (node === false) this.fail(at, "the `false` schema (nothing is valid) is not supported");
    if (!isObject(node)) this.fail(at, "a schema must be an object");
    for (const key of Object.keys(node)) {
      const reason = UNSUPPORTED_KEYWORDS[key];
      if (reason !== undefined) this.fail({ file: at.file, pointer: ptr(at.pointer, key) }, reason);
    }
    if (node.$dynamicRef !== undefined) {
      // Resolved statically: a `$ref` to the one schema with that `$dynamicAnchor`.
      const { $dynamicRef: dynamicRef, ...rest } = node;
      const target = this.dynamicTarget(dynamicRef, { file: at.file, pointer: ptr(at.pointer, "$dynamicRef") });
      return this.normalize({ ...rest, $ref: `#${target}` }, at);
    }
    if (typeof node.$ref === "string") return this.normalizeRef(node, at);
    return this.collapse(this.keywords(node, at));
  }

  private readonly dynamicAnchors = new Map<string, Map<string, string[]>>();

  /**
   * The pointer a `$dynamicRef: "#name"` resolves to when its file has exactly one
   * `$dynamicAnchor: name`: then every dynamic scope resolves it the same way, like a `$ref`.
   * Several anchors of that name (a generic schema filled in per use) are refused.
   */
  private dynamicTarget(ref: Json, at: Location): string {
    if (typeof ref !== "string" || !/^#[A-Za-z_][-A-Za-z0-9._]*$/.test(ref)) {
      this.fail(at, "`$dynamicRef` must name an anchor in the same document (`#name`)");
    }
    let anchors = this.dynamicAnchors.get(at.file);
    if (anchors === undefined) {
      anchors = new Map();
      const walk = (v: Json, pointer: string) => {
        if (Array.isArray(v)) {
          for (const [i, x] of v.entries()) walk(x, ptr(pointer, String(i)));
        } else if (isObject(v)) {
          if (typeof v.$dynamicAnchor === "string") {
            const list = anchors?.get(v.$dynamicAnchor) ?? [];
            list.push(pointer);
            anchors?.set(v.$dynamicAnchor, list);
          }
          for (const [k, x] of Object.entries(v)) walk(x, ptr(pointer, k));
        }
      };
      walk(this.docs.fileData(at.file, at), "");
      this.dynamicAnchors.set(at.file, anchors);
    }
    const found = anchors.get(ref.slice(1)) ?? [];
    if (found.length === 0)
      this.fail(at, `\`$dynamicRef\` names the anchor "${ref.slice(1)}", which no \`$dynamicAnchor\` declares`);
    if (found.length > 1) {
      this.fail(
        at,
        `\`$dynamicRef\` to "${ref.slice(1)}" resolves differently per use (${found.length} \`$dynamicAnchor\`s: ${found.join(", ")}); generic schemas filled in per use are not supported: write one schema per use`,
      );
    }
    return found[0] as string;
  }

  /** The normalised schema a named-schema key points at. */
  named(key: string): NSchema {
    const cached = this.namedCache.get(key);
    if (cached) return cached;
    const named = this.docs.named.get(key);
    if (!named) throw new Error(`unknown named schema ${key}`);
    const s = this.normalize(this.docs.at(named.at, named.at), named.at);
    this.namedCache.set(key, s);
    return s;
  }

  private normalizeRef(node: JsonObject, at: Location): NSchema {
    const refAt = { file: at.file, pointer: ptr(at.pointer, "$ref") };
    const loc = this.docs.target(node.$ref as string, refAt);
    this.docs.at(loc, refAt); // existence check
    const named = this.docs.namedAt(loc);
    let base: NSchema;
    if (named) {
      base = { at, ref: named.key, nullable: false };
    } else {
      const key = `${loc.file}#${loc.pointer}`;
      const cached = this.inlined.get(key);
      if (cached) base = cached;
      else {
        if (this.inProgress.has(key)) {
          this.fail(
            refAt,
            `recursive $ref to ${key}, which is not a named schema; move the recursive schema under components/schemas`,
          );
        }
        this.inProgress.add(key);
        try {
          base = this.normalize(this.docs.at(loc, refAt), loc);
        } finally {
          // A refused schema leaves no trace: the run goes on with other operations.
          this.inProgress.delete(key);
        }
        this.inlined.set(key, base);
      }
    }
    const { $ref: _ignored, ...rest } = node;
    if (Object.keys(rest).length === 0) return base;
    const siblings = this.keywords(rest, at);
    const structural = STRUCTURAL.some((k) => k in rest && !(k === "type" && named));
    if (structural) {
      // 3.1 semantics: `$ref` next to other keywords means both apply.
      const annotations = pickAnnotations(siblings);
      const { at: _a, nullable: _n, ...shape } = siblings;
      void _a;
      void _n;
      const other: NSchema = { ...stripAnnotations(shape), at, nullable: false };
      return this.collapse({ ...annotations, at, nullable: siblings.nullable, allOf: [base, other] });
    }
    return {
      ...base,
      ...siblings,
      at,
      nullable: base.nullable || siblings.nullable,
      ...(base.ref ? { ref: base.ref } : {}),
    };
  }

  /** Read every keyword of a schema object (no `$ref` handling). */
  private keywords(o: JsonObject, at: Location): NSchema {
    const s: NSchema = { at, nullable: false };
    const sub = (...tokens: Array<string | number>): Location => ({
      file: at.file,
      pointer: ptr(at.pointer, ...tokens),
    });
    // type
    const t = o.type;
    let types: SchemaType[] = [];
    if (typeof t === "string") types = [t as SchemaType];
    else if (Array.isArray(t)) types = t.map((x) => x as SchemaType);
    else if (t !== undefined) this.fail(sub("type"), "`type` must be a string or an array of strings");
    for (const x of types) if (!TYPES.has(x)) this.fail(sub("type"), `unknown type "${String(x)}"`);
    if (types.includes("null") && types.length > 1) {
      s.nullable = true;
      types = types.filter((x) => x !== "null");
    }
    if (o.nullable === true) s.nullable = true;
    if (typeof o.title === "string") s.title = o.title;
    if (typeof o.description === "string") s.description = o.description;
    if (o.deprecated === true) s.deprecated = true;
    if (o.readOnly === true) s.readOnly = true;
    if (o.writeOnly === true) s.writeOnly = true;
    if ("default" in o) {
      s.hasDefault = true;
      s.default = o.default;
    }
    if (Array.isArray(o.examples)) s.examples = o.examples;
    else if ("example" in o) s.examples = [o.example];
    if (typeof o.format === "string") s.format = o.format;
    for (const k of [
      "minimum",
      "maximum",
      "multipleOf",
      "minLength",
      "maxLength",
      "minItems",
      "maxItems",
      "minProperties",
      "maxProperties",
    ] as const) {
      const v = o[k];
      if (typeof v === "number") s[k] = v;
      else if (v !== undefined) this.fail(sub(k), `\`${k}\` must be a number`);
    }
    for (const [k, bound] of [
      ["exclusiveMinimum", "minimum"],
      ["exclusiveMaximum", "maximum"],
    ] as const) {
      const v = o[k];
      if (typeof v === "number") s[k] = v;
      else if (v === true) {
        // OpenAPI 3.0: a boolean that makes `minimum`/`maximum` exclusive.
        const b = s[bound];
        if (b === undefined) this.fail(sub(k), `\`${k}: true\` without \`${bound}\``);
        s[k] = b;
        delete s[bound];
      } else if (v !== undefined && v !== false) this.fail(sub(k), `\`${k}\` must be a number or a boolean`);
    }
    if (typeof o.pattern === "string") s.pattern = o.pattern;
    if (o.uniqueItems === true) s.uniqueItems = true;
    if (typeof o.contentMediaType === "string") s.contentMediaType = o.contentMediaType;
    if (typeof o.contentEncoding === "string") s.contentEncoding = o.contentEncoding;
    if (o.contentSchema !== undefined) s.contentSchema = this.normalize(o.contentSchema, sub("contentSchema"));
    // enum / const
    if ("const" in o) {
      if (o.const === null) types = ["null"];
      else {
        s.enum = [o.const];
        s.isConst = true;
      }
    } else if (Array.isArray(o.enum)) {
      const values = o.enum.filter((v) => v !== null);
      if (values.length < o.enum.length) {
        if (values.length === 0) types = ["null"];
        else s.nullable = true;
      }
      if (values.length > 0) s.enum = values;
    } else if (o.enum !== undefined) this.fail(sub("enum"), "`enum` must be an array");
    const descs = o["x-enum-descriptions"] ?? o["x-enumDescriptions"];
    if (Array.isArray(descs) && s.enum)
      s.enumDescriptions = s.enum.map((_, i) => (typeof descs[i] === "string" ? (descs[i] as string) : null));
    else if (isObject(descs) && s.enum)
      s.enumDescriptions = s.enum.map((v) =>
        typeof descs[String(v)] === "string" ? (descs[String(v)] as string) : null,
      );
    const names = o["x-enum-varnames"] ?? o["x-enumNames"];
    if (Array.isArray(names) && s.enum)
      s.enumNames = s.enum.map((_, i) => (typeof names[i] === "string" ? (names[i] as string) : null));
    // object
    if (o.properties !== undefined) {
      if (!isObject(o.properties)) this.fail(sub("properties"), "`properties` must be an object");
      s.properties = Object.entries(o.properties).map(([name, p]) => ({
        name,
        schema: this.normalize(p, sub("properties", name)),
      }));
    }
    if (o.required !== undefined) {
      if (!Array.isArray(o.required) || o.required.some((r) => typeof r !== "string"))
        this.fail(sub("required"), "`required` must be an array of strings");
      s.required = o.required as string[];
    }
    const addl =
      o.additionalProperties !== undefined
        ? "additionalProperties"
        : o.unevaluatedProperties !== undefined
          ? "unevaluatedProperties"
          : null;
    if (addl) {
      const v = o[addl];
      if (typeof v === "boolean") s.additionalProperties = v;
      else if (isObject(v) && Object.keys(v).length === 0) s.additionalProperties = true;
      // `{not: {}}` matches nothing: a closed object (how TypeSpec writes `...Record<never>`).
      else if (v !== undefined && isNothing(v)) s.additionalProperties = false;
      else s.additionalProperties = this.normalize(v as Json, sub(addl));
    }
    // array
    if (o.items !== undefined) {
      if (Array.isArray(o.items)) this.fail(sub("items"), "tuple schemas (`items` as an array) are not supported");
      s.items = this.normalize(o.items, sub("items"));
    }
    // composition
    for (const k of ["allOf", "oneOf", "anyOf"] as const) {
      const v = o[k];
      if (v === undefined) continue;
      if (!Array.isArray(v) || v.length === 0) this.fail(sub(k), `\`${k}\` must be a non-empty array`);
      s[k] = v.map((m, i) => this.normalize(m, sub(k, i)));
    }
    if (o.discriminator !== undefined) s.discriminator = this.discriminator(o.discriminator, sub("discriminator"));
    const ext: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (k.startsWith("x-")) ext[k] = v;
    if (Object.keys(ext).length > 0) s.extensions = ext;
    if (types.length === 1) s.type = types[0] as SchemaType;
    else if (types.length > 1) {
      if (s.anyOf || s.oneOf)
        this.fail(sub("type"), "a multi-type `type` together with `anyOf`/`oneOf` is not supported");
      s.anyOf = types.map((x, i) => ({ ...pickConstraints(s), at: sub("type", i), nullable: false, type: x }));
    }
    return s;
  }

  private discriminator(d: Json, at: Location): NDiscriminator {
    if (!isObject(d) || typeof d.propertyName !== "string") this.fail(at, "`discriminator.propertyName` is required");
    const mapping: NDiscriminator["mapping"] = [];
    if (d.mapping !== undefined) {
      if (!isObject(d.mapping)) this.fail(ptrLoc(at, "mapping"), "`discriminator.mapping` must be an object");
      for (const [value, target] of Object.entries(d.mapping)) {
        const mAt = ptrLoc(at, "mapping", value);
        if (typeof target !== "string") this.fail(mAt, "a mapping value must be a string");
        const ref = /[#/]|\.(ya?ml|json)$/i.test(target) ? target : `#/components/schemas/${target}`;
        const loc = this.docs.target(ref, mAt);
        this.docs.at(loc, mAt);
        const named = this.docs.namedAt(loc);
        if (!named) this.fail(mAt, `discriminator mapping target ${ref} must be a named schema`);
        mapping.push({ value, ref: named.key });
      }
    }
    return { propertyName: d.propertyName, mapping };
  }

  /** Structural simplifications shared by all versions. */
  private collapse(s: NSchema): NSchema {
    for (const k of ["oneOf", "anyOf"] as const) {
      const members = s[k];
      if (!members) continue;
      const nonNull = members.filter((m) => !isPureNull(m));
      if (nonNull.length < members.length) {
        if (nonNull.length === 0) this.fail(s.at, `\`${k}\` with only null members`);
        s.nullable = true;
        s[k] = nonNull;
      }
      const kept = s[k] as NSchema[];
      if (kept.length === 1 && !s.discriminator && !s.properties && !s.allOf && !(s.oneOf && s.anyOf)) {
        // `anyOf: [X, {type: null}]` (or a one-member union): X with the outer annotations.
        const inner = kept[0] as NSchema;
        const { [k]: _drop, ...outer } = s;
        void _drop;
        const outerType = outer.type === "object" && inner.ref ? undefined : outer.type;
        return clean({
          ...inner,
          ...stripUndefined({ ...outer, type: outerType ?? inner.type }),
          at: s.at,
          nullable: s.nullable || inner.nullable,
          ...(inner.ref ? { ref: inner.ref } : {}),
        });
      }
      const consts = enumOfConsts(kept);
      if (consts && !s.properties && !s.discriminator) {
        const { [k]: _drop, ...outer } = s;
        void _drop;
        return clean({
          ...outer,
          enum: consts.values,
          enumDescriptions: consts.descriptions,
          ...(consts.type ? { type: consts.type } : {}),
        });
      }
    }
    if (
      s.allOf &&
      s.allOf.length === 1 &&
      !s.properties &&
      !s.oneOf &&
      !s.anyOf &&
      (s.type === undefined || s.type === "object")
    ) {
      const inner = s.allOf[0] as NSchema;
      const { allOf: _drop, ...outer } = s;
      void _drop;
      if (inner.ref && !outer.additionalProperties) {
        return clean({
          ...inner,
          ...stripUndefined({ ...outer, type: undefined }),
          at: s.at,
          nullable: s.nullable || inner.nullable,
          ref: inner.ref,
        });
      }
    }
    return s;
  }
}

function ptrLoc(at: Location, ...tokens: string[]): Location {
  return { file: at.file, pointer: ptr(at.pointer, ...tokens) };
}

function isPureNull(m: NSchema): boolean {
  return m.type === "null" && !m.ref && !m.properties && !m.enum && !m.oneOf && !m.anyOf && !m.allOf;
}

/** `oneOf: [{const: a, description}, ...]` -> enum values with member docs. */
function enumOfConsts(
  members: NSchema[],
): { values: unknown[]; descriptions: Array<string | null> | undefined; type: SchemaType | undefined } | null {
  const values: unknown[] = [];
  const descriptions: Array<string | null> = [];
  for (const m of members) {
    if (m.ref || !m.enum || m.enum.length !== 1 || m.properties || m.items || m.oneOf || m.anyOf || m.allOf)
      return null;
    values.push(m.enum[0]);
    descriptions.push(m.description ?? null);
  }
  const kinds = new Set(values.map(valueType));
  if (kinds.size !== 1) return null;
  const kind = [...kinds][0];
  return { values, descriptions: descriptions.some((d) => d !== null) ? descriptions : undefined, type: kind };
}

export function valueType(v: unknown): SchemaType | undefined {
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return undefined;
}

const ANNOTATIONS = [
  "title",
  "description",
  "deprecated",
  "readOnly",
  "writeOnly",
  "hasDefault",
  "default",
  "examples",
  "extensions",
] as const;

function pickAnnotations(s: NSchema): Partial<NSchema> {
  const out: Partial<NSchema> = {};
  for (const k of ANNOTATIONS) if (s[k] !== undefined) (out as Record<string, unknown>)[k] = s[k];
  return out;
}

function stripAnnotations<T extends Partial<NSchema>>(s: T): T {
  const out = { ...s };
  for (const k of ANNOTATIONS) delete (out as Record<string, unknown>)[k];
  return out;
}

function pickConstraints(s: NSchema): Partial<NSchema> {
  const out: Partial<NSchema> = {};
  for (const k of [
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
  ] as const) {
    if (s[k] !== undefined) (out as Record<string, unknown>)[k] = s[k];
  }
  return out;
}

function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

function clean(o: Record<string, unknown>): NSchema {
  return stripUndefined(o) as unknown as NSchema;
}
