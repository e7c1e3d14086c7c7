// What a contract change means for the users of each SDK, computed on the generator's IR named
// for every language: the same change can break one SDK and not another (a member that becomes
// optional is `T | undefined` in TypeScript and Python, a different field type, `Option<T>`, in
// Rust; int32 -> int64 changes nothing in TypeScript and Python but `i32` -> `i64` in Rust; a new
// variant of a union breaks exhaustive `match`es in Rust only). Plain OpenAPI diff tools see the
// document; this sees the SDKs' names and types.
import type { ApiIR, Model, Operation, Parameter, Property, TypeRef } from "@tka/codegen/src/api.ts";
import { modelUsage, type Usage } from "./usage.ts";

export const LANGUAGES = ["typescript", "python", "rust"] as const;
export type Lang = (typeof LANGUAGES)[number];

export interface Change {
  severity: "breaking" | "additive";
  message: string;
}

export type CompatReport = Record<Lang, Change[]>;

/** Compares two IRs named for all three languages (`generateIR(doc, { languages: [...] })`). */
export function compareIR(before: ApiIR, after: ApiIR): CompatReport {
  const report: CompatReport = { typescript: [], python: [], rust: [] };
  const ctx = { before, after, usage: { before: modelUsage(before), after: modelUsage(after) } };
  for (const L of LANGUAGES) {
    const out = report[L];
    const add = (severity: Change["severity"], message: string) => out.push({ severity, message });
    compareOperations(ctx, L, add);
    compareModels(ctx, L, add);
    // Breaking first, each group in a stable order.
    out.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "breaking" ? -1 : 1));
  }
  return report;
}

type Add = (severity: Change["severity"], message: string) => void;
interface Context {
  before: ApiIR;
  after: ApiIR;
  usage: { before: Usage; after: Usage };
}

// ---- names as each SDK spells them -------------------------------------------------------------

function call(L: Lang, ir: ApiIR, op: Operation): string {
  const group = ir.groups.find((g) => g.name === op.group);
  const resource = group?.names?.[L]?.property ?? op.group;
  const method = op.names?.[L]?.method ?? op.id;
  return L === "rust" ? `client.${resource}().${method}()` : `client.${resource}.${method}()`;
}

function typeName(L: Lang, m: Model): string {
  return m.names?.[L]?.type ?? m.name;
}

/** TypeScript models keep the wire names; Python and Rust have fields of their own. */
function fieldName(L: Lang, p: Property): string {
  return L === "typescript" ? p.wireName : (p.names?.[L]?.field ?? p.wireName);
}

function paramName(L: Lang, p: Parameter): string {
  return L === "typescript" && p.in === "query" ? p.name : (p.names?.[L]?.param ?? p.name);
}

function memberName(L: Lang, m: Extract<Model, { kind: "enum" }>, value: string | number | boolean): string {
  const member = m.members.find((x) => x.value === value);
  return L === "typescript" ? JSON.stringify(value) : (member?.names?.[L]?.member ?? String(value));
}

/** A type as the language writes it (model names in the language's spelling). */
function typeKey(L: Lang, ir: ApiIR, ref: TypeRef): string {
  const nullable = ref.nullable && ref.kind !== "null" ? " | null" : "";
  switch (ref.kind) {
    case "primitive":
      return primitive(L, ref.type, ref.format) + nullable;
    case "model": {
      const m = ir.models.find((x) => x.name === ref.name);
      return (m ? typeName(L, m) : ref.name) + nullable;
    }
    case "array":
      return `${typeKey(L, ir, ref.items)}[]${nullable}`;
    case "map":
      return `{ [key]: ${typeKey(L, ir, ref.values)} }${nullable}`;
    case "literal":
      return JSON.stringify(ref.value) + nullable;
    case "null":
      return "null";
    default:
      return `any${nullable}`;
  }
}

function primitive(L: Lang, type: string, format: string | undefined): string {
  if (L === "typescript") return type === "integer" || type === "number" ? "number" : type;
  if (L === "python") {
    if (type === "string") {
      if (format === "date-time") return "datetime";
      if (format === "date") return "date";
      return format === "binary" ? "bytes" : "str";
    }
    return type === "integer" ? "int" : type === "number" ? "float" : "bool";
  }
  if (type === "integer") return format === "int32" || format === "int16" || format === "int8" ? "i32" : "i64";
  return type === "number" ? "f64" : type === "string" ? "String" : "bool";
}

// ---- operations ------------------------------------------------------------------------------

/** Parameters an SDK method takes (the runtime sets idempotency keys and resume ids itself). */
function sdkParams(op: Operation): Parameter[] {
  return op.parameters.filter((p) => p.role !== "idempotency-key" && p.role !== "last-event-id");
}

function paramKey(p: Parameter): string {
  return `${p.in}:${p.in === "header" ? p.name.toLowerCase() : p.name}`;
}

function bodyType(op: Operation): TypeRef | undefined {
  return op.requestBody?.contents.find((c) => ["json", "merge-patch", "form", "binary", "text"].includes(c.kind))?.type;
}

function resultType(op: Operation): TypeRef | undefined {
  const success = op.responses.find((r) => r.status === op.successStatus)?.contents[0];
  return op.pagination ? op.pagination.itemType : success?.type;
}

function compareOperations(ctx: Context, L: Lang, add: Add): void {
  const { before, after } = ctx;
  const matched = new Map<Operation, Operation>();
  const taken = new Set<Operation>();
  for (const a of before.operations) {
    const b = after.operations.find((o) => o.id === a.id);
    if (b) {
      matched.set(a, b);
      taken.add(b);
    }
  }
  // An operationId that changed: the same method and path.
  for (const a of before.operations) {
    if (matched.has(a)) continue;
    const b = after.operations.find((o) => !taken.has(o) && o.method === a.method && o.path === a.path);
    if (b) {
      matched.set(a, b);
      taken.add(b);
    }
  }
  for (const a of before.operations) {
    const b = matched.get(a);
    if (!b) add("breaking", `${call(L, before, a)}: removed (${a.method.toUpperCase()} ${a.path})`);
  }
  for (const b of after.operations) {
    if (!taken.has(b)) add("additive", `${call(L, after, b)}: new (${b.method.toUpperCase()} ${b.path})`);
  }
  for (const [a, b] of matched) compareOperation(ctx, L, a, b, add);
}

function compareOperation(ctx: Context, L: Lang, a: Operation, b: Operation, add: Add): void {
  const { before, after } = ctx;
  const was = call(L, before, a);
  const is = call(L, after, b);
  if (was !== is) add("breaking", `${was}: renamed to ${is}`);
  const subject = is;
  if (!a.deprecated && b.deprecated) add("additive", `${subject}: deprecated`);

  // Path parameters are positional arguments in every SDK.
  const positional = (ir: Operation) => ir.parameters.filter((p) => p.in === "path").map((p) => p.name);
  const pa = positional(a);
  const pb = positional(b);
  if (pa.length === pb.length && pa.join() !== pb.join() && [...pa].sort().join() === [...pb].sort().join()) {
    add("breaking", `${subject}: arguments reordered (${pa.join(", ")} -> ${pb.join(", ")})`);
  }

  const paramsA = new Map(sdkParams(a).map((p) => [paramKey(p), p]));
  const paramsB = new Map(sdkParams(b).map((p) => [paramKey(p), p]));
  for (const [key, p] of paramsA) {
    if (!paramsB.has(key)) add("breaking", `${subject}: parameter \`${paramName(L, p)}\` removed`);
  }
  for (const [key, q] of paramsB) {
    const p = paramsA.get(key);
    const name = `\`${paramName(L, q)}\``;
    if (!p) {
      add(
        q.required ? "breaking" : "additive",
        `${subject}: new ${q.required ? "required" : "optional"} parameter ${name}`,
      );
      continue;
    }
    if (paramName(L, p) !== paramName(L, q))
      add("breaking", `${subject}: parameter \`${paramName(L, p)}\` renamed to ${name}`);
    const ta = typeKey(L, before, p.type);
    const tb = typeKey(L, after, q.type);
    if (ta !== tb) add("breaking", `${subject}: parameter ${name} changes type (${ta} -> ${tb})`);
    if (!p.required && q.required) add("breaking", `${subject}: parameter ${name} is now required`);
    if (p.required && !q.required && q.in !== "path") {
      // Rust's params structs hold an optional parameter as Option<T>: the field's type changes.
      add(
        L === "rust" ? "breaking" : "additive",
        `${subject}: parameter ${name} is now optional${L === "rust" ? " (its field becomes an Option)" : ""}`,
      );
    }
  }

  const ba = bodyType(a);
  const bb = bodyType(b);
  if (ba === undefined && bb !== undefined) add("breaking", `${subject}: now takes a body (${typeKey(L, after, bb)})`);
  else if (ba !== undefined && bb === undefined) add("breaking", `${subject}: no longer takes a body`);
  else if (ba !== undefined && bb !== undefined) {
    const ka = typeKey(L, before, ba);
    const kb = typeKey(L, after, bb);
    if (ka !== kb) add("breaking", `${subject}: body type changes (${ka} -> ${kb})`);
  }

  if ((a.pagination === null) !== (b.pagination === null)) {
    add("breaking", `${subject}: ${b.pagination ? "now returns pages" : "no longer returns pages"}`);
  }
  if (a.streaming !== b.streaming)
    add("breaking", `${subject}: ${b.streaming ? "now returns an event stream" : "no longer streams"}`);
  const ra = resultType(a);
  const rb = resultType(b);
  const ka = ra === undefined ? "nothing" : typeKey(L, before, ra);
  const kb = rb === undefined ? "nothing" : typeKey(L, after, rb);
  if (ka !== kb && a.streaming === b.streaming) add("breaking", `${subject}: returns ${kb} instead of ${ka}`);
}

// ---- models ----------------------------------------------------------------------------------

type Direction = { input: boolean; output: boolean };

function direction(ctx: Context, name: string): Direction {
  const { before, after } = ctx.usage;
  return {
    input: before.inputs.has(name) || after.inputs.has(name),
    output: before.outputs.has(name) || after.outputs.has(name),
  };
}

function compareModels(ctx: Context, L: Lang, add: Add): void {
  const { before, after } = ctx;
  const afterByName = new Map(after.models.map((m) => [m.name, m]));
  const beforeNames = new Set(before.models.map((m) => m.name));
  for (const a of before.models) {
    const b = afterByName.get(a.name);
    if (!b) {
      add("breaking", `type \`${typeName(L, a)}\`: removed`);
      continue;
    }
    const subject = `\`${typeName(L, b)}\``;
    if (typeName(L, a) !== typeName(L, b)) add("breaking", `type \`${typeName(L, a)}\`: renamed to ${subject}`);
    if (a.kind !== b.kind) {
      add("breaking", `type ${subject}: changes from ${a.kind} to ${b.kind}`);
      continue;
    }
    const dir = direction(ctx, a.name);
    if (a.kind === "object" && b.kind === "object") compareObject(ctx, L, a, b, dir, add);
    else if (a.kind === "enum" && b.kind === "enum") compareEnum(L, a, b, add);
    else if (a.kind === "union" && b.kind === "union") compareUnion(ctx, L, a, b, dir, add);
    else if (a.kind === "alias" && b.kind === "alias") {
      const ka = typeKey(L, before, a.type);
      const kb = typeKey(L, after, b.type);
      if (ka !== kb) add("breaking", `type ${subject}: now ${kb} (was ${ka})`);
    }
  }
  for (const b of after.models) if (!beforeNames.has(b.name)) add("additive", `type \`${typeName(L, b)}\`: new`);
}

function compareObject(
  ctx: Context,
  L: Lang,
  a: Extract<Model, { kind: "object" }>,
  b: Extract<Model, { kind: "object" }>,
  dir: Direction,
  add: Add,
): void {
  const t = typeName(L, b);
  const propsB = new Map(b.properties.map((p) => [p.wireName, p]));
  const propsA = new Map(a.properties.map((p) => [p.wireName, p]));
  for (const p of a.properties) {
    if (!propsB.has(p.wireName)) add("breaking", `\`${t}.${fieldName(L, p)}\`: removed`);
  }
  for (const q of b.properties) {
    const field = `\`${t}.${fieldName(L, q)}\``;
    const p = propsA.get(q.wireName);
    if (!p) {
      if (q.required && dir.input) add("breaking", `${field}: new required member (callers must set it)`);
      else add("additive", `${field}: new${q.required ? "" : " optional"} member`);
      continue;
    }
    if (fieldName(L, p) !== fieldName(L, q)) add("breaking", `\`${t}.${fieldName(L, p)}\`: renamed to ${field}`);
    const ka = typeKey(L, ctx.before, { ...p.type, nullable: false } as TypeRef);
    const kb = typeKey(L, ctx.after, { ...q.type, nullable: false } as TypeRef);
    if (ka !== kb) add("breaking", `${field}: type changes (${ka} -> ${kb})`);
    compareOptionality(L, field, p, q, dir, add);
  }
  if (a.additionalProperties !== false && b.additionalProperties === false && dir.input) {
    add("breaking", `\`${t}\`: now refuses members it does not list`);
  }
}

/**
 * A member that may now be absent or null breaks readers; one that must now be present breaks
 * writers. Rust holds optional and nullable members as `Option`s, so any change there changes a
 * field's type.
 */
function compareOptionality(L: Lang, field: string, p: Property, q: Property, dir: Direction, add: Add): void {
  const widened: string[] = [];
  const narrowed: string[] = [];
  if (p.required && !q.required) widened.push("may now be absent");
  if (!p.required && q.required) narrowed.push("is now required");
  if (!p.nullable && q.nullable) widened.push("may now be null");
  if (p.nullable && !q.nullable) narrowed.push("may no longer be null");
  for (const what of widened) {
    const breaks = dir.output || L === "rust";
    add(
      breaks ? "breaking" : "additive",
      `${field}: ${what}${L === "rust" && !dir.output ? " (its Rust type changes)" : ""}`,
    );
  }
  for (const what of narrowed) {
    const breaks = dir.input || L === "rust";
    add(
      breaks ? "breaking" : "additive",
      `${field}: ${what}${L === "rust" && !dir.input ? " (its Rust type changes)" : ""}`,
    );
  }
}

function compareEnum(
  L: Lang,
  a: Extract<Model, { kind: "enum" }>,
  b: Extract<Model, { kind: "enum" }>,
  add: Add,
): void {
  const t = typeName(L, b);
  if (a.valueType !== b.valueType)
    add("breaking", `enum \`${t}\`: values change from ${a.valueType} to ${b.valueType}`);
  const valuesB = new Set(b.members.map((m) => m.value));
  const valuesA = new Set(a.members.map((m) => m.value));
  for (const m of a.members) {
    if (valuesB.has(m.value)) {
      const was = memberName(L, a, m.value);
      const is = memberName(L, b, m.value);
      if (was !== is) add("breaking", `enum \`${t}\`: member ${was} renamed to ${is}`);
      continue;
    }
    // TypeScript's open enum type still compiles; the value is gone from the API all the same.
    const note = L === "typescript" ? " (still compiles: the type is open; the API no longer takes or sends it)" : "";
    add("breaking", `enum \`${t}\`: value ${JSON.stringify(m.value)} removed${note}`);
  }
  for (const m of b.members) {
    // Every SDK's enums are open (unknown values decode; Rust's are #[non_exhaustive]).
    if (!valuesA.has(m.value)) add("additive", `enum \`${t}\`: new value ${JSON.stringify(m.value)}`);
  }
}

function compareUnion(
  ctx: Context,
  L: Lang,
  a: Extract<Model, { kind: "union" }>,
  b: Extract<Model, { kind: "union" }>,
  dir: Direction,
  add: Add,
): void {
  const t = typeName(L, b);
  const key = (ir: ApiIR, ref: TypeRef) => typeKey(L, ir, ref);
  const variantsA = new Set(a.variants.map((v) => key(ctx.before, v.type)));
  const variantsB = new Set(b.variants.map((v) => key(ctx.after, v.type)));
  if (a.discriminator?.propertyName !== b.discriminator?.propertyName) {
    add(
      "breaking",
      `union \`${t}\`: discriminated by ${b.discriminator?.propertyName ?? "nothing"} (was ${a.discriminator?.propertyName ?? "nothing"})`,
    );
  }
  for (const v of variantsA) if (!variantsB.has(v)) add("breaking", `union \`${t}\`: variant ${v} removed`);
  for (const v of variantsB) {
    if (variantsA.has(v)) continue;
    // Rust unions are enums with an Unknown arm but not #[non_exhaustive]: exhaustive matches on
    // an answer need the new arm. TypeScript and Python readers get a wider type.
    const breaks = L === "rust" && dir.output;
    add(
      breaks ? "breaking" : "additive",
      `union \`${t}\`: new variant ${v}${breaks ? " (exhaustive `match`es need an arm for it)" : ""}`,
    );
  }
}
