import { GeneratorError, type Refusal } from "../errors.ts";
import type { LoadedDocument, NSchema } from "../loader/index.ts";
import { valueType } from "../loader/schema.ts";
import { pascalJoin } from "../naming/words.ts";
import type {
  Constraints,
  Discriminator,
  EnumModel,
  Model,
  ObjectModel,
  PrimitiveType,
  Property,
  SourceRef,
  TypeRef,
  UnionModel,
} from "./types.ts";

const CONSTRAINT_KEYS = [
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
  "minProperties",
  "maxProperties",
] as const;

export function constraintsOf(s: NSchema): Constraints | undefined {
  const c: Record<string, unknown> = {};
  for (const k of CONSTRAINT_KEYS) if (s[k] !== undefined) c[k] = s[k];
  return Object.keys(c).length > 0 ? (c as Constraints) : undefined;
}

function src(s: NSchema): SourceRef {
  return { file: s.at.file, pointer: s.at.pointer };
}

/**
 * A schema that only constrains an object without describing one (`{required: [a]}`, a title, a
 * description): as a union member next to `properties` it says which members must be present.
 */
function isConstraintOnly(s: NSchema): boolean {
  return (
    !s.ref &&
    (s.type === undefined || s.type === "object") &&
    !s.properties?.length &&
    !s.enum &&
    !s.items &&
    !s.oneOf &&
    !s.anyOf &&
    !s.allOf &&
    s.additionalProperties === undefined
  );
}

/** A string holding raw bytes of a non-text media type (`contentMediaType: image/png`, no encoding). */
function isBinaryMedia(s: NSchema): boolean {
  const media = s.contentMediaType?.toLowerCase();
  if (media === undefined || s.contentEncoding !== undefined) return false;
  return !media.startsWith("text/") && !/[/+]json$/.test(media) && !/[/+]xml$/.test(media);
}

/** Preferred discriminator property names when inferring one. */
const TAG_PREFERENCE = ["type", "kind", "event", "object", "tag"];

/**
 * Builds named models from normalised schemas: component schemas keep their names, inline
 * object/enum/union schemas are hoisted under derived names (parent + property, operation +
 * "Request"/"Response", ...). Derived names are made unique with a numeric suffix.
 */
export class ModelBuilder {
  readonly doc: LoadedDocument;
  readonly models = new Map<string, Model>();
  private readonly keyToName = new Map<string, string>();
  private readonly inlineToName = new Map<string, string>();
  private readonly taken = new Set<string>();
  private readonly pending: Array<[string, () => void]> = [];
  private readonly flattening = new Set<string>();

  constructor(doc: LoadedDocument) {
    this.doc = doc;
    for (const named of doc.docs.named.values()) this.nameForKey(named.key);
  }

  fail(s: { at: { file: string; pointer: string } }, reason: string): never {
    throw new GeneratorError(s.at.file, s.at.pointer, reason);
  }

  /** Component models that could not be built, by name, with the refusal. */
  readonly refused = new Map<string, Refusal>();

  /**
   * Build every component schema and everything reachable; returns models sorted by name. A
   * component that is refused is left out (see `refused`); what uses it is pruned later.
   */
  finish(): Model[] {
    while (this.pending.length > 0) {
      const [name, build] = this.pending.shift() as [string, () => void];
      try {
        build();
      } catch (error) {
        if (!(error instanceof GeneratorError)) throw error;
        this.refused.set(name, { file: error.file, pointer: error.pointer, reason: error.reason });
      }
    }
    this.linkBaseDiscriminators();
    return [...this.models.values()].sort((a, b) => cmp(a.name, b.name));
  }

  private unique(base: string): string {
    let name = base === "" ? "Model" : base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}${i}`;
    this.taken.add(name);
    return name;
  }

  nameForKey(key: string): string {
    const existing = this.keyToName.get(key);
    if (existing) return existing;
    const named = this.doc.docs.named.get(key);
    if (!named) throw new Error(`unknown schema key ${key}`);
    const name = this.unique(named.name);
    this.keyToName.set(key, name);
    this.pending.push([
      name,
      () => {
        const s = this.doc.schemas.named(key);
        this.models.set(name, this.modelFrom(name, s, "component"));
      },
    ]);
    return name;
  }

  /** The normalised schema behind a model-referencing schema node (follows `ref`). */
  resolve(s: NSchema): NSchema {
    const seen = new Set<string>();
    let cur = s;
    while (cur.ref) {
      if (seen.has(cur.ref)) this.fail(s, `schema ${cur.ref} is an alias of itself`);
      seen.add(cur.ref);
      cur = this.doc.schemas.named(cur.ref);
    }
    return cur;
  }

  /** A use of a schema. `hint` names any model hoisted from it. */
  typeRef(s: NSchema, hint: readonly string[]): TypeRef {
    const constraints = constraintsOf(s);
    const withC = <T extends object>(t: T): T => (constraints ? { ...t, constraints } : t);
    if (s.ref) {
      const target = this.doc.schemas.named(s.ref);
      return withC({ kind: "model", name: this.nameForKey(s.ref), nullable: s.nullable || target.nullable });
    }
    if (s.enum) {
      if (s.enum.length === 1 && !s.enumDescriptions) {
        const v = s.enum[0];
        if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean")
          this.fail(s, "only string, number and boolean enum values are supported");
        return { kind: "literal", value: v, nullable: s.nullable };
      }
      return { kind: "model", name: this.hoist(s, hint), nullable: s.nullable };
    }
    if (s.allOf && !s.oneOf && !s.anyOf && !s.properties?.length) {
      const scalar = this.scalarAllOf(s, hint);
      if (scalar !== null) return scalar;
    }
    if (s.oneOf || s.anyOf || s.allOf) return { kind: "model", name: this.hoist(s, hint), nullable: s.nullable };
    if (s.type === "object" || s.properties || s.additionalProperties !== undefined) {
      if ((s.properties && s.properties.length > 0) || s.additionalProperties === false) {
        return { kind: "model", name: this.hoist(s, hint), nullable: s.nullable };
      }
      const values: TypeRef =
        s.additionalProperties === undefined || s.additionalProperties === true
          ? { kind: "any", nullable: true }
          : this.typeRef(s.additionalProperties, [...hint, "Value"]);
      return withC({ kind: "map", values, nullable: s.nullable });
    }
    if (s.type === "array" || s.items) {
      const items: TypeRef = s.items ? this.typeRef(s.items, [...hint, "Item"]) : { kind: "any", nullable: true };
      return withC({ kind: "array", items, nullable: s.nullable });
    }
    if (s.type === "null") return { kind: "null", nullable: true };
    if (s.type === "string" || s.type === "integer" || s.type === "number" || s.type === "boolean") {
      // 3.1 spells raw file content as a string with a non-text `contentMediaType` (3.0: format binary).
      const format = s.format ?? (s.type === "string" && isBinaryMedia(s) ? "binary" : undefined);
      return withC({
        kind: "primitive",
        type: s.type,
        ...(format ? { format } : {}),
        nullable: s.nullable,
      });
    }
    return { kind: "any", nullable: true };
  }

  /** Hoist an inline schema into a model; the same schema node always gives the same model. */
  hoist(s: NSchema, hint: readonly string[]): string {
    const key = `${s.at.file}#${s.at.pointer}`;
    const existing = this.inlineToName.get(key);
    if (existing) return existing;
    const name = this.unique(pascalJoin(hint));
    this.inlineToName.set(key, name);
    this.models.set(name, this.modelFrom(name, s, "inline"));
    return name;
  }

  private base(
    name: string,
    s: NSchema,
    origin: "component" | "inline",
  ): Omit<ObjectModel, "kind" | "properties" | "additionalProperties" | "bases"> {
    return {
      name,
      origin,
      source: src(s),
      ...(s.title !== undefined ? { title: s.title } : {}),
      ...(s.description !== undefined ? { description: s.description } : {}),
      deprecated: s.deprecated === true,
      ...(s.examples !== undefined ? { examples: s.examples } : {}),
    };
  }

  private modelFrom(name: string, s: NSchema, origin: "component" | "inline"): Model {
    const base = this.base(name, s, origin);
    if (s.ref) return { ...base, kind: "alias", type: this.typeRef(s, [name]) };
    if (s.enum) return this.enumModel(name, s, base);
    if ((s.oneOf || s.anyOf) && (s.properties?.length || s.allOf)) {
      const members = [...(s.oneOf ?? []), ...(s.anyOf ?? [])];
      // `oneOf: [{required: [a]}, {required: [b]}]` next to properties only constrains which
      // members are present: the type is the object (the server checks the constraint).
      if (members.every(isConstraintOnly)) {
        const { oneOf: _o, anyOf: _a, ...object } = s;
        return this.modelFrom(name, object, origin);
      }
      if (s.oneOf && s.anyOf) this.fail(s, "a schema with both `oneOf` and `anyOf` is not supported");
      return this.unionModel(name, this.sharedIntoVariants(s), base, members);
    }
    if (s.oneOf && s.anyOf) this.fail(s, "a schema with both `oneOf` and `anyOf` is not supported");
    if (s.oneOf || s.anyOf) return this.unionModel(name, s, base);
    if (s.allOf && !s.properties?.length) {
      const scalar = this.scalarAllOf(s, [name]);
      if (scalar !== null) return { ...base, kind: "alias", type: scalar };
    }
    if (s.allOf || s.properties?.length || s.additionalProperties === false || s.discriminator)
      return this.objectModel(name, s, base);
    return { ...base, kind: "alias", type: this.typeRef(s, [name]) };
  }

  private enumModel(name: string, s: NSchema, base: ReturnType<ModelBuilder["base"]>): EnumModel | UnionModel {
    const values = s.enum as unknown[];
    const types = new Set(values.map(valueType));
    if (types.has(undefined)) this.fail(s, "only string, number and boolean enum values are supported");
    let valueType_: PrimitiveType;
    if (types.size === 1) valueType_ = [...types][0] as PrimitiveType;
    else if (types.size === 2 && types.has("integer") && types.has("number")) valueType_ = "number";
    else return this.mixedEnum(name, s, base);
    if (s.type === "number" && valueType_ === "integer") valueType_ = "number";
    const seen = new Set<string>();
    // A value listed twice is one member (the first listing's docs and name).
    const members = values.flatMap((v, i) => {
      const k = JSON.stringify(v);
      if (seen.has(k)) return [];
      seen.add(k);
      const d = s.enumDescriptions?.[i];
      const n = s.enumNames?.[i];
      return [
        {
          value: v as string | number | boolean,
          ...(d ? { description: d } : {}),
          ...(n ? { suggestedName: n } : {}),
        },
      ];
    });
    return {
      ...base,
      kind: "enum",
      valueType: valueType_,
      ...(s.format ? { format: s.format } : {}),
      members,
      nullable: s.nullable,
    };
  }

  /**
   * `originals`: when the variants were merged with shared properties (`sharedIntoVariants`), the
   * members as written, so a discriminator mapping naming a component lands on its merged variant.
   */
  /**
   * An enum mixing value types (`["auto", 1, 2, true]`): a union of one enum per value type
   * (`<Name>String`, `<Name>Integer`, ...), a single value of its type being a literal.
   */
  private mixedEnum(name: string, s: NSchema, base: ReturnType<ModelBuilder["base"]>): UnionModel {
    const values = s.enum as unknown[];
    const order: PrimitiveType[] = [];
    const byType = new Map<PrimitiveType, unknown[]>();
    for (const v of values) {
      let t = valueType(v) as PrimitiveType;
      if (t === "integer" && values.some((x) => valueType(x) === "number")) t = "number";
      if (!byType.has(t)) order.push(t);
      byType.set(t, [...(byType.get(t) ?? []), v]);
    }
    const variants = order.map((t) => {
      const group = byType.get(t) as unknown[];
      if (group.length === 1)
        return { type: { kind: "literal", value: group[0], nullable: false } as TypeRef, discriminatorValues: [] };
      const member: NSchema = {
        at: s.at,
        nullable: false,
        type: t,
        enum: group,
        ...(s.enumDescriptions
          ? { enumDescriptions: group.map((v) => s.enumDescriptions?.[values.indexOf(v)] ?? null) }
          : {}),
        ...(s.enumNames ? { enumNames: group.map((v) => s.enumNames?.[values.indexOf(v)] ?? null) } : {}),
      };
      const memberName = this.unique(pascalJoin([name, t]));
      this.models.set(memberName, {
        ...(this.enumModel(memberName, member, { ...base, name: memberName, origin: "inline" }) as EnumModel),
      });
      return { type: { kind: "model", name: memberName, nullable: false } as TypeRef, discriminatorValues: [] };
    });
    return { ...base, kind: "union", composition: "oneOf", variants, nullable: s.nullable };
  }

  private unionModel(
    name: string,
    s: NSchema,
    base: ReturnType<ModelBuilder["base"]>,
    originals?: NSchema[],
  ): UnionModel {
    const composition = s.oneOf ? "oneOf" : "anyOf";
    const members = (s.oneOf ?? s.anyOf) as NSchema[];
    const types = members.map((m, i) => this.typeRef(m, [name, this.variantHint(originals?.[i] ?? m, s, i)]));
    let discriminator: Discriminator | undefined;
    if (s.discriminator) discriminator = this.declaredDiscriminator(s, members, types, originals);
    else discriminator = this.inferDiscriminator(members, types);
    const variants = types.map((type) => ({
      type,
      discriminatorValues:
        discriminator && type.kind === "model"
          ? discriminator.mapping.filter((m) => m.model === type.name).map((m) => m.value)
          : [],
    }));
    return {
      ...base,
      kind: "union",
      composition,
      variants,
      ...(discriminator ? { discriminator } : {}),
      nullable: s.nullable,
    };
  }

  /**
   * A union whose schema also has `properties` (and `allOf`): the shared members are merged into
   * every variant (`allOf: [shared..., variant]`), so each variant is a complete object; the
   * discriminator stays on the union.
   */
  private sharedIntoVariants(s: NSchema): NSchema {
    const key = s.oneOf ? "oneOf" : "anyOf";
    const shared: NSchema = {
      at: s.at,
      nullable: false,
      type: "object",
      ...(s.properties ? { properties: s.properties } : {}),
      ...(s.required ? { required: s.required } : {}),
      ...(s.additionalProperties !== undefined ? { additionalProperties: s.additionalProperties } : {}),
    };
    const variants = (s[key] as NSchema[]).map((v): NSchema => {
      const target = this.resolve(v);
      const objectLike =
        isConstraintOnly(target) ||
        target.type === "object" ||
        (!target.type && !target.enum && !target.items && (target.properties || target.allOf));
      if (!objectLike || target.oneOf || target.anyOf) {
        this.fail(v, "a variant of a union with shared `properties` must be an object schema");
      }
      return {
        at: v.at,
        nullable: false,
        ...(v.title ? { title: v.title } : {}),
        allOf: [...(s.allOf ?? []), shared, v],
      };
    });
    const { properties: _p, required: _r, allOf: _a, additionalProperties: _ap, type: _t, ...rest } = s;
    return { ...rest, [key]: variants };
  }

  /**
   * `allOf` whose members are not objects (a `$ref` to a string schema refined with a pattern):
   * the refinements apply to that type. Null when some member is an object (or a union).
   */
  private scalarAllOf(s: NSchema, hint: readonly string[]): TypeRef | null {
    const members = s.allOf as NSchema[];
    let carrier: NSchema | null = null;
    const extra: Constraints[] = [];
    for (const m of members) {
      const r = this.resolve(m);
      if (r.properties?.length || r.oneOf || r.anyOf || r.allOf || r.additionalProperties !== undefined) return null;
      if (r.type === "object") return null;
      if (r.type !== undefined || r.enum || r.items || m.ref) {
        if (carrier !== null) {
          // A second typed member only refines the first (same type).
          if (r.type !== this.resolve(carrier).type) return null;
          const c = constraintsOf(r);
          if (c) extra.push(c);
          continue;
        }
        carrier = m;
      } else {
        const c = constraintsOf(m);
        if (c) extra.push(c);
      }
    }
    if (carrier === null) return null;
    const own = constraintsOf(s);
    const merged = Object.assign({}, ...extra, own ?? {}) as Constraints;
    const type = this.typeRef(carrier, hint);
    if (type.kind === "literal" || type.kind === "null" || type.kind === "any") return type;
    const constraints = { ...(type.constraints ?? {}), ...merged };
    return {
      ...type,
      nullable: type.nullable || s.nullable,
      ...(Object.keys(constraints).length > 0 ? { constraints } : {}),
    } as TypeRef;
  }

  private variantHint(m: NSchema, parent: NSchema, i: number): string {
    const tag = parent.discriminator?.propertyName;
    if (tag) {
      const p = m.properties?.find((x) => x.name === tag)?.schema;
      if (p?.enum?.length === 1) return String(p.enum[0]);
    }
    if (m.title) return m.title;
    // A component merged with shared properties (`sharedIntoVariants`) is named after it.
    if (m.ref) return this.doc.docs.named.get(m.ref)?.name ?? `Variant${i + 1}`;
    if (m.type && !m.properties) return m.type === "array" ? "List" : m.type;
    return `Variant${i + 1}`;
  }

  /** Properties (flattened through allOf) and required names of an object-like schema. */
  objectShape(s: NSchema): { props: Map<string, NSchema>; required: Set<string> } {
    const r = this.resolve(s);
    const props = new Map<string, NSchema>();
    const required = new Set<string>(r.required ?? []);
    for (const m of r.allOf ?? []) {
      const sub = this.objectShape(m);
      for (const [k, v] of sub.props) props.set(k, v);
      for (const k of sub.required) required.add(k);
    }
    for (const p of r.properties ?? []) props.set(p.name, p.schema);
    return { props, required };
  }

  private tagValue(s: NSchema, prop: string): string | null {
    const shape = this.objectShape(s);
    const p = shape.props.get(prop);
    if (!p) return null;
    const rp = this.resolve(p);
    if (rp.enum?.length === 1 && typeof rp.enum[0] === "string") return rp.enum[0];
    return null;
  }

  private declaredDiscriminator(
    s: NSchema,
    members: NSchema[],
    types: TypeRef[],
    originals?: NSchema[],
  ): Discriminator {
    const d = s.discriminator as NonNullable<NSchema["discriminator"]>;
    // A mapping to a component that a merged variant was made from names that variant.
    const merged = new Map<string, string>();
    originals?.forEach((o, i) => {
      const t = types[i];
      if (o.ref && t?.kind === "model") merged.set(o.ref, t.name);
    });
    const mapping: Discriminator["mapping"] = d.mapping.map((m) => ({
      value: m.value,
      model: merged.get(m.ref) ?? this.nameForKey(m.ref),
    }));
    members.forEach((m, i) => {
      const t = types[i] as TypeRef;
      if (t.kind !== "model") this.fail(m, "a discriminated union variant must be an object schema");
      if (mapping.some((x) => x.model === t.name)) return;
      // Implicit mapping: the variant's const tag, else (per OpenAPI) the schema name.
      const ref = originals?.[i]?.ref ?? m.ref;
      const value = this.tagValue(m, d.propertyName) ?? (ref ? (this.doc.docs.named.get(ref)?.name as string) : null);
      if (value === null)
        this.fail(m, `cannot tell the \`${d.propertyName}\` value of this variant; add a discriminator mapping`);
      mapping.push({ value, model: t.name });
    });
    return { propertyName: d.propertyName, source: "declared", mapping };
  }

  private inferDiscriminator(members: NSchema[], types: TypeRef[]): Discriminator | undefined {
    if (members.length < 2 || types.some((t) => t.kind !== "model")) return undefined;
    const shapes = members.map((m) => {
      const r = this.resolve(m);
      return r.enum || r.oneOf || r.anyOf ? null : this.objectShape(m);
    });
    if (shapes.some((x) => x === null)) return undefined;
    const first = shapes[0] as NonNullable<(typeof shapes)[number]>;
    const candidates = [...first.props.keys()].filter((prop) => {
      const values = members.map((m, i) =>
        (shapes[i] as NonNullable<(typeof shapes)[number]>).required.has(prop) ? this.tagValue(m, prop) : null,
      );
      return values.every((v) => v !== null) && new Set(values).size === values.length;
    });
    if (candidates.length === 0) return undefined;
    candidates.sort((a, b) => rank(a) - rank(b) || cmp(a, b));
    const prop = candidates[0] as string;
    return {
      propertyName: prop,
      source: "inferred",
      mapping: members.map((m, i) => ({
        value: this.tagValue(m, prop) as string,
        model: (types[i] as { name: string }).name,
      })),
    };
  }

  private objectModel(name: string, s: NSchema, base: ReturnType<ModelBuilder["base"]>): ObjectModel {
    const props = new Map<string, Property>();
    const required = new Set<string>(s.required ?? []);
    const bases: string[] = [];
    let additional: ObjectModel["additionalProperties"] = null;
    const addProps = (owner: NSchema, ownerName: string, inheritedFrom: string | null): void => {
      for (const p of owner.properties ?? []) {
        const prop = this.property(p.name, p.schema, ownerName, false);
        props.set(p.name, inheritedFrom ? { ...prop, inheritedFrom } : prop);
      }
    };
    for (const m of s.allOf ?? []) {
      if (m.ref) {
        const key = m.ref;
        if (this.flattening.has(key)) this.fail(m, `allOf cycle through ${key}`);
        this.flattening.add(key);
        try {
          const target = this.resolve(m);
          if (target.oneOf || target.anyOf || target.enum || (target.type && target.type !== "object")) {
            this.fail(
              m,
              "`allOf` members of different types (an object and a non-object, or two non-object types): no value matches them all",
            );
          }
          const baseName = this.nameForKey(key);
          bases.push(baseName);
          const shape = this.flatProperties(target, baseName);
          for (const [k, v] of shape.props) props.set(k, { ...v, inheritedFrom: v.inheritedFrom ?? baseName });
          for (const k of shape.required) required.add(k);
          if (shape.additional !== null) additional = shape.additional;
        } finally {
          this.flattening.delete(key);
        }
      } else {
        if (m.oneOf || m.anyOf || m.enum || (m.type && m.type !== "object"))
          this.fail(
            m,
            "`allOf` members of different types (an object and a non-object, or two non-object types): no value matches them all",
          );
        const shape = this.flatProperties(m, name);
        for (const [k, v] of shape.props) props.set(k, v);
        for (const k of shape.required) required.add(k);
        if (shape.additional !== null) additional = shape.additional;
      }
    }
    addProps(s, name, null);
    if (s.additionalProperties !== undefined) additional = this.additional(s, name);
    const properties = [...props.values()].map((p) => ({ ...p, required: required.has(p.wireName) }));
    for (const r of s.required ?? []) {
      if (!props.has(r) && additional === null) {
        // Required but undeclared: an untyped property (JSON Schema allows it).
        properties.push({ ...this.property(r, { at: s.at, nullable: false }, name, true), required: true });
      }
    }
    const model: ObjectModel = { ...base, kind: "object", properties, additionalProperties: additional, bases };
    if (s.discriminator) {
      model.discriminator = {
        propertyName: s.discriminator.propertyName,
        source: "declared",
        mapping: s.discriminator.mapping.map((m) => ({ value: m.value, model: this.nameForKey(m.ref) })),
      };
    }
    return model;
  }

  private flatProperties(
    s: NSchema,
    ownerName: string,
  ): { props: Map<string, Property>; required: Set<string>; additional: ObjectModel["additionalProperties"] } {
    const props = new Map<string, Property>();
    const required = new Set<string>(s.required ?? []);
    let additional: ObjectModel["additionalProperties"] = null;
    for (const m of s.allOf ?? []) {
      const target = this.resolve(m);
      const inner = this.flatProperties(target, m.ref ? this.nameForKey(m.ref) : ownerName);
      for (const [k, v] of inner.props)
        props.set(k, m.ref ? { ...v, inheritedFrom: v.inheritedFrom ?? this.nameForKey(m.ref) } : v);
      for (const k of inner.required) required.add(k);
      if (inner.additional !== null) additional = inner.additional;
    }
    for (const p of s.properties ?? []) props.set(p.name, this.property(p.name, p.schema, ownerName, false));
    if (s.additionalProperties !== undefined) additional = this.additional(s, ownerName);
    return { props, required, additional };
  }

  private additional(s: NSchema, ownerName: string): ObjectModel["additionalProperties"] {
    const a = s.additionalProperties;
    if (a === undefined) return null;
    if (a === false) return false;
    if (a === true) return { kind: "any", nullable: true };
    return this.typeRef(a, [ownerName, "Value"]);
  }

  private property(wireName: string, s: NSchema, ownerName: string, untyped: boolean): Property {
    const type: TypeRef = untyped ? { kind: "any", nullable: true } : this.typeRef(s, [ownerName, wireName]);
    const target = s.ref ? this.doc.schemas.named(s.ref) : s;
    return {
      wireName,
      type,
      required: false,
      nullable: type.nullable,
      readOnly: s.readOnly === true || (s.ref !== undefined && target.readOnly === true),
      writeOnly: s.writeOnly === true || (s.ref !== undefined && target.writeOnly === true),
      deprecated: s.deprecated === true,
      ...(s.description !== undefined ? { description: s.description } : {}),
      ...(s.hasDefault ? { default: s.default } : {}),
      ...(s.examples !== undefined ? { examples: s.examples } : {}),
      source: src(s),
    };
  }

  /** 3.0-style inheritance: a base with a discriminator learns its allOf subtypes. */
  private linkBaseDiscriminators(): void {
    for (const m of this.models.values()) {
      if (m.kind !== "object" || !m.discriminator) continue;
      const d = m.discriminator;
      const subtypes = [...this.models.values()]
        .filter((x): x is ObjectModel => x.kind === "object" && x.bases.includes(m.name))
        .sort((a, b) => cmp(a.name, b.name));
      for (const sub of subtypes) {
        if (d.mapping.some((x) => x.model === sub.name)) continue;
        const tag = sub.properties.find((p) => p.wireName === d.propertyName);
        const value = tag?.type.kind === "literal" && typeof tag.type.value === "string" ? tag.type.value : sub.name;
        d.mapping.push({ value, model: sub.name });
      }
    }
  }
}

function rank(prop: string): number {
  const i = TAG_PREFERENCE.indexOf(prop);
  return i < 0 ? TAG_PREFERENCE.length : i;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
