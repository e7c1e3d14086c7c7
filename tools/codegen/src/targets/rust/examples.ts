// Example code for the README and the rustdoc of each method: it must compile as shown
// (tools/scripts/readme-examples.ts compiles the README's, `cargo test --doc` the rustdoc ones).
// Request bodies are written as struct literals of the value example-values.ts gives (the
// document's example, completed); what a literal cannot express (enums, unions, maps, boxed
// members) is built from JSON with serde_json instead.
import type { Operation, Parameter, TypeRef } from "../../ir/types.ts";
import { snakeCase } from "../../naming/index.ts";
import { RUST_KEYWORDS } from "../../naming/reserved.ts";
import { exampleJson } from "../example-values.ts";
import type { Render } from "../types.ts";
import type { RequestBody } from "./bodies.ts";
import { bare } from "./names.ts";
import { type RustTypes, rustString } from "./types.ts";

/** One method's example: the `use` lines it needs and its statements. */
export interface RustExample {
  uses: string[];
  lines: string[];
  /** The body is built from JSON: the user needs serde_json. */
  usesJson: boolean;
}

/** What a method's example needs to know of the method. */
export interface MethodShape {
  libName: string;
  module: string;
  /** The client variable (the client's name in snake case). */
  client: string;
  property: string;
  name: string;
  pathParams: Parameter[];
  body: RequestBody | null;
  bodyArg: string;
  /** Required query, header and cookie parameters, passed after the path parameters. */
  positional: Parameter[];
  /** The optional parameters' setters. */
  setters: { setter: string; ref: TypeRef; wire: string; default: unknown; deprecated: boolean }[];
  /** A required Last-Event-ID's argument. */
  lastEventIdArg: string | null;
  ifMatch: boolean;
  returns: string;
}

/**
 * A method's example: the call with example arguments, after the statements building them, and
 * the first optional parameter with a plain example value set (`.limit(20)`). `compiles` is
 * false when the example cannot build an argument (a form with required members): the README
 * shows it with a placeholder, the rustdoc leaves it out.
 */
export function methodExample(
  types: RustTypes,
  op: Operation,
  m: MethodShape,
): { example: RustExample; compiles: boolean } {
  const uses = new Set<string>();
  const lines: string[] = [];
  let usesJson = false;
  let bodyExpr = "";
  const body = m.body;
  // Path and required parameters: scalars inline; others (unions, arrays, objects, date-times)
  // built first.
  const pathArgs = [...m.pathParams, ...m.positional].map((p) => {
    if (p.in === "header" && p.role === "if-match") return "3";
    const t = types.bare(types.resolve(p.type));
    if (t === "String") return '"…"';
    if (t === "bool") return "false";
    if (t === "f64") return "1.0";
    if (t === "i64" || t === "i32") return "1";
    const name = p.names?.rust?.param ?? p.name;
    const statement = bodyStatement(types, p.type, name);
    lines.push(statement.line.replaceAll("crate::runtime::", `${m.libName}::runtime::`));
    if (/(?<![\w:])models::/.test(statement.line)) uses.add(`use ${m.libName}::models;`);
    usesJson ||= statement.usesJson;
    // Passed as the method takes it (see pathParameters, operationParams): what is not Copy borrowed.
    const rust = types.type(p.type, "models::");
    if (p.in === "path") return rust.startsWith("models::") || rust.startsWith("Vec<") ? `&${name}` : name;
    return types.copy(p.type) || rust.startsWith("Option<") ? name : `&${name}`;
  });
  if (m.lastEventIdArg !== null) pathArgs.push('"…"');
  if (body !== null) {
    if (body.kind === "binary") bodyExpr = 'b"..."';
    else if (body.kind === "text") bodyExpr = '"…"';
    else if (body.kind === "multipart") {
      // A form of optional parts starts from its Default; one with required parts is a literal
      // of example values (files as a few bytes); an undescribed one is the user's `Multipart`.
      const literal = body.form === null || body.form.derivesDefault ? null : formLiteral(types, body.form.fields);
      if (body.form?.derivesDefault) {
        uses.add(`use ${m.libName}::resources::${bare(m.module)}::${body.type};`);
        bodyExpr = `${body.type}::default()`;
      } else if (literal !== null) {
        uses.add(`use ${m.libName}::resources::${bare(m.module)}::${body.type};`);
        if (literal.includes("FilePart::")) uses.add(`use ${m.libName}::runtime::FilePart;`);
        lines.push(`let form = ${body.type} { ${literal} };`);
        bodyExpr = "&form";
      } else bodyExpr = "form";
    } else {
      const statement = bodyStatement(types, body.ref, m.bodyArg);
      uses.add(`use ${m.libName}::models;`);
      usesJson = statement.usesJson;
      lines.push(statement.line);
      bodyExpr = `&${m.bodyArg}`;
    }
  }
  const args = [...pathArgs, ...(body ? [body.required ? bodyExpr : `Some(${bodyExpr})`] : [])].join(", ");
  const setter = setterExample(types, op, m.setters);
  if (setter.includes("models::")) uses.add(`use ${m.libName}::models;`);
  const call = `${m.client}.${m.property}().${m.name}(${args})${setter}${m.ifMatch ? ".if_match(3)" : ""}`;
  const resultType = m.returns.replace(/^PendingRequest<(.*?)(, \w+Params)?>$/, "$1");
  lines.push(
    op.pagination
      ? `let page = ${call}.await?;`
      : op.streaming
        ? `let mut events = ${call};`
        : resultType === "()"
          ? `${call}.await?;`
          : `let ${resultName(resultType, "result")} = ${call}.await?;`,
  );
  const title = `// ${(op.summary ?? `${op.method.toUpperCase()} ${op.path}`).replace(/\s+/g, " ").trim()}`;
  return {
    example: { uses: [...uses], lines: [title, ...lines], usesJson },
    compiles: bodyExpr !== "form",
  };
}

/**
 * `.setter(value)` of the first optional parameter (not deprecated, not a page cursor) that is a string, has a
 * plain default (a number is not made up: 0 may be out of range), or is a string enum or an
 * array of one (its first member), or "".
 */
function setterExample(types: RustTypes, op: Operation, setters: MethodShape["setters"]): string {
  for (const s of setters) {
    if (s.deprecated || (op.pagination !== null && s.wire === op.pagination.cursorParam)) continue;
    const r = types.resolve(s.ref);
    const member = enumMember(types, r.kind === "array" ? r.items : r);
    if (member !== null) return `.${s.setter}(${r.kind === "array" ? `[${member}]` : member})`;
    if (r.kind !== "primitive" || (r.type === "string" && r.format !== undefined)) continue;
    const value = s.default ?? (r.type === "string" ? exampleJson(types.ir, s.ref) : undefined);
    const literal =
      typeof value === "string" && r.type === "string"
        ? rustString(value)
        : (typeof value === "boolean" && r.type === "boolean") ||
            (typeof value === "number" && Number.isInteger(value) && r.type === "integer")
          ? String(value)
          : null;
    if (literal !== null) return `.${s.setter}(${literal})`;
  }
  return "";
}

/** The first member of a string enum (`models::EventType::SequenceCreated`), or null. */
function enumMember(types: RustTypes, ref: TypeRef): string | null {
  const r = types.resolve(ref);
  if (r.kind !== "model" || types.nullable(ref)) return null;
  const m = types.model(r.name);
  const first = m.kind === "enum" && m.valueType === "string" ? m.members[0] : undefined;
  if (first === undefined) return null;
  return `models::${types.typeName(m.name)}::${first.names?.rust?.member ?? String(first.value)}`;
}

/** The members of a struct literal: example values for required fields, `None` for optional ones. */
function structLiteral(types: RustTypes, fields: { name: string; type: string; ref: TypeRef }[]): string | null {
  const members: string[] = [];
  for (const f of fields) {
    if (f.type.startsWith("Option<")) {
      members.push(`${f.name}: None`);
      continue;
    }
    const value = rustLiteral(types, f.ref, exampleJson(types.ir, f.ref), 0);
    if (value === null) return null;
    members.push(`${f.name}: ${value}`);
  }
  return members.join(", ");
}

/** A multipart form's members: files as a few bytes, other parts as in `structLiteral`. */
function formLiteral(
  types: RustTypes,
  fields: { name: string; type: string; ref: TypeRef; file: "one" | "many" | null }[],
): string | null {
  const file = 'FilePart::new(b"...".to_vec())';
  const members: string[] = [];
  for (const f of fields) {
    if (f.type.startsWith("Option<")) members.push(`${f.name}: None`);
    else if (f.file === "one") members.push(`${f.name}: ${file}`);
    else if (f.file === "many") members.push(`${f.name}: vec![${file}]`);
    else {
      const value = structLiteral(types, [f]);
      if (value === null) return null;
      members.push(value);
    }
  }
  return members.join(", ");
}

/** The statement that builds the example body `name` of type `ref`, and whether it needs serde_json. */
export function bodyStatement(types: RustTypes, ref: TypeRef, name: string): { line: string; usesJson: boolean } {
  const value = exampleJson(types.ir, ref);
  const literal = rustLiteral(types, ref, value, 0);
  if (literal !== null) return { line: `let ${name} = ${literal};`, usesJson: false };
  return {
    line: `let ${name}: ${types.type(ref, "models::")} = serde_json::from_value(serde_json::json!(${JSON.stringify(value)}))?;`,
    usesJson: true,
  };
}

/** A variable name for a value of this Rust type: the type's name in snake_case, else `fallback`. */
export function resultName(rustType: string, fallback: string): string {
  const m = /^(?:models::)?([A-Z]\w*)$/.exec(rustType);
  const name = m === null ? fallback : snakeCase(m[1] as string);
  return RUST_KEYWORDS.includes(name) || name === "body" || name === "models" ? `${name}_${fallback}` : name;
}

/** The value as a Rust expression of the type, or null where a literal cannot say it simply. */
function rustLiteral(types: RustTypes, ref: TypeRef, value: unknown, depth: number): string | null {
  if (depth > 8) return null;
  const r = types.resolve(ref);
  switch (r.kind) {
    case "primitive":
      if (r.type === "string" && r.format !== "date-time" && typeof value === "string")
        return `${rustString(value)}.to_string()`;
      if (r.type === "boolean" && typeof value === "boolean") return String(value);
      if (r.type === "integer" && typeof value === "number" && Number.isInteger(value)) return String(value);
      if (r.type === "number" && typeof value === "number" && Number.isFinite(value))
        return Number.isInteger(value) ? `${value}.0` : String(value);
      return null;
    case "array": {
      if (!Array.isArray(value)) return null;
      const items = value.map((v) => rustLiteral(types, r.items, v, depth + 1));
      if (items.some((i) => i === null)) return null;
      return `vec![${items.join(", ")}]`;
    }
    case "model": {
      const m = types.model(r.name);
      if (m.kind !== "object" || typeof value !== "object" || value === null || Array.isArray(value)) return null;
      const fields: string[] = [];
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        const p = m.properties.find((x) => x.wireName === key);
        if (p === undefined || types.bare(p.type, "", m.name).startsWith("Box<")) return null;
        const nullable = types.nullable(p.type);
        const name = p.names?.rust?.field ?? p.wireName;
        if (v === null) {
          if (!nullable) return null;
          fields.push(`${name}: ${p.required ? "None" : "Some(None)"}`);
          continue;
        }
        const inner = rustLiteral(types, p.type, v, depth + 1);
        if (inner === null) return null;
        const wrapped = p.required
          ? nullable
            ? `Some(${inner})`
            : inner
          : nullable
            ? `Some(Some(${inner}))`
            : `Some(${inner})`;
        fields.push(`${name}: ${wrapped}`);
      }
      const given = new Set(Object.keys(value as Record<string, unknown>));
      const complete = m.properties.every((p) => given.has(p.wireName));
      if (!complete) {
        if (!types.objectHasDefault(m.name)) return null;
        fields.push("..Default::default()");
      }
      return `models::${types.typeName(m.name)} { ${fields.join(", ")} }`;
    }
    default:
      return null;
  }
}

/** A method's rustdoc `# Example` section: its example's statements as a `no_run` doctest. */
export function exampleDoc(render: Render, example: RustExample, client: string, libName: string, clientType: string) {
  return render("rust/method/example.rs.hbs", {
    client,
    libName,
    clientType,
    lines: [...example.uses, ...example.lines.filter((l) => !l.startsWith("// "))],
  });
}
