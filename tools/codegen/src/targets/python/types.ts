// Python annotations for IR type references, docstrings and string literals. Layout is left to
// ruff's formatter (see ../format.ts), so code here only has to be correct, not pretty.
import type { ApiIR, Model, TypeRef } from "../../ir/types.ts";
import { isScalar, resolveType } from "../shapes.ts";

/** A Python string literal (double quotes, escapes for everything not printable). */
export function pyString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A Python literal for a JSON scalar. */
export function pyLiteral(value: string | number | boolean): string {
  if (typeof value === "string") return pyString(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
}

/**
 * A docstring at `indent` (empty string when there is no text). Paragraph breaks are kept;
 * backslashes and quote runs are escaped so any document text is a valid literal.
 */
export function pyDoc(text: string | undefined, indent: string): string {
  const source = (text ?? "").replace(/\r\n?/g, "\n").trim();
  if (source === "") return "";
  const lines = source.split("\n").map((l) => l.trimEnd().replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"'));
  let body = lines.map((l, i) => (i === 0 || l === "" ? l : `${indent}${l}`)).join("\n");
  if (body.endsWith('"')) body = `${body.slice(0, -1)}\\"`;
  return lines.length === 1 ? `${indent}"""${body}"""\n` : `${indent}"""${body}\n${indent}"""\n`;
}

/** Resolves named models and renders annotations. */
export class PyTypes {
  readonly byName: Map<string, Model>;
  readonly ir: ApiIR;
  /** typing names an annotation used (`List`, `Dict`, `Any`, `Literal`, `Union`). */
  readonly typing = new Set<string>();
  usesDatetime = false;

  constructor(ir: ApiIR) {
    this.ir = ir;
    this.byName = new Map(ir.models.map((m) => [m.name, m]));
  }

  model(name: string): Model {
    const m = this.byName.get(name);
    if (m === undefined) throw new Error(`unknown model ${name}`);
    return m;
  }

  typeName(name: string): string {
    return this.model(name).names?.python?.type ?? name;
  }

  #byTypeName: Map<string, Model> | undefined;

  /** Models by their Python class name. */
  byTypeName(): Map<string, Model> {
    this.#byTypeName ??= new Map(this.ir.models.map((m) => [this.typeName(m.name), m]));
    return this.#byTypeName;
  }

  /** The alias's underlying reference (through alias chains), or the ref itself. */
  resolve(ref: TypeRef): TypeRef {
    return resolveType(this.ir, ref);
  }

  /** The value may be JSON null (the use site's flag or the named type's own). */
  nullable(ref: TypeRef): boolean {
    if (ref.kind === "any" || ref.kind === "null") return false; // Any / None hold null themselves.
    if (ref.nullable) return true;
    if (ref.kind !== "model") return false;
    const m = this.model(ref.name);
    if (m.kind === "enum" || m.kind === "union") return m.nullable;
    if (m.kind === "alias") return this.nullable(m.type);
    return false;
  }

  /** The annotation without the `| None` of nullability; `qualify` renders model names. */
  bare(ref: TypeRef, qualify: (name: string) => string = (n) => n): string {
    switch (ref.kind) {
      case "primitive":
        return this.primitive(ref.type, ref.format);
      case "literal":
        this.typing.add("Literal");
        return `Literal[${pyLiteral(ref.value)}]`;
      case "null":
        return "None";
      case "any":
        this.typing.add("Any");
        return "Any";
      case "array":
        this.typing.add("List");
        return `List[${this.type(ref.items, qualify)}]`;
      case "map":
        this.typing.add("Dict");
        return `Dict[str, ${this.type(ref.values, qualify)}]`;
      case "model":
        return qualify(this.typeName(ref.name));
    }
  }

  /** The annotation of a value, `X | None` when it may be null. */
  type(ref: TypeRef, qualify?: (name: string) => string): string {
    const bare = this.bare(ref, qualify);
    return this.nullable(ref) ? `${bare} | None` : bare;
  }

  private primitive(type: string, format: string | undefined): string {
    switch (type) {
      case "string":
        if (format === "date-time") {
          this.usesDatetime = true;
          return "datetime.datetime";
        }
        if (format === "date") {
          this.usesDatetime = true;
          return "datetime.date";
        }
        return format === "binary" ? "bytes" : "str";
      case "boolean":
        return "bool";
      case "integer":
        return "int";
      default:
        return "float";
    }
  }

  /** Values the runtime can put in a query string or a header (scalars and enums). */
  scalar(ref: TypeRef): boolean {
    return isScalar(this.ir, ref);
  }

  /**
   * Whether the annotation names a class mypy accepts as `type[T]` (a model class, an enum, a
   * primitive); anything else (unions, lists, aliases of them) is passed through `cast`.
   */
  isClass(ref: TypeRef): boolean {
    if (this.nullable(ref)) return false;
    const r = this.resolve(ref);
    // `List[X]` / `Dict[str, X]` are generic classes to mypy (`type[list[X]]`).
    if (r.kind === "primitive" || r.kind === "array" || r.kind === "map") return true;
    if (r.kind !== "model") return false;
    const m = this.model(r.name);
    return m.kind === "object" || m.kind === "enum";
  }
}
