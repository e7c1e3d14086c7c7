// Rust types for IR type references, rustdoc comments, string literals and the small amount of
// rustfmt emulation the rust target needs (one-line-or-vertical method chains and signatures).
import type { ApiIR, Model, TypeRef } from "../../ir/types.ts";
import { isScalar } from "../shapes.ts";

/** rustfmt's default `max_width`. */
export const MAX_WIDTH = 100;
/** rustfmt's default `fn_call_width`. */
const FN_CALL_WIDTH = 60;
/** rustfmt's default `chain_width` (use_small_heuristics = "Default"). */
export const CHAIN_WIDTH = 60;

/** A Rust string literal. */
export function rustString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Rustdoc lines (`///` or `//!`) for free text. Paragraphs are joined into single lines and list
 * items kept one per line, so clippy's doc lints (lazy continuation, over-indented items) never
 * fire whatever the document's line wrapping.
 */
export function rustDoc(text: string | undefined, indent: string, fallback: string, marker = "///"): string {
  const source = (text ?? "").trim() === "" ? fallback : (text as string);
  const out: string[] = [];
  let current: string | null = null;
  let inList = false;
  const flush = () => {
    if (current !== null) out.push(current);
    current = null;
  };
  for (const raw of source.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trim();
    if (line === "") {
      flush();
      if (out.length > 0 && out[out.length - 1] !== "") out.push("");
      inList = false;
      continue;
    }
    if (/^([-*+]|\d+[.)])\s+/.test(line)) {
      flush();
      current = line;
      inList = true;
    } else if (current === null) {
      current = inList ? `  ${line}` : line;
    } else current += ` ${line}`;
  }
  flush();
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out.map((l) => (l === "" ? `${indent}${marker}\n` : `${indent}${marker} ${l}\n`)).join("");
}

/** Resolves named models and answers questions about types. */
export class RustTypes {
  readonly byName: Map<string, Model>;
  /** Models that hold another model directly (not through Vec/map) form cycles: Box those. */
  private readonly direct: Map<string, string[]>;
  private readonly defaults = new Map<string, boolean>();
  usesMap = false;
  readonly ir: ApiIR;

  constructor(ir: ApiIR) {
    this.ir = ir;
    this.byName = new Map(ir.models.map((m) => [m.name, m]));
    this.direct = new Map(
      ir.models.map((m) => {
        const refs: TypeRef[] =
          m.kind === "object"
            ? m.properties.map((p) => p.type)
            : m.kind === "union"
              ? m.variants.map((v) => v.type)
              : m.kind === "alias"
                ? [m.type]
                : [];
        return [m.name, refs.flatMap((r) => (r.kind === "model" ? [r.name] : []))];
      }),
    );
  }

  model(name: string): Model {
    const m = this.byName.get(name);
    if (m === undefined) throw new Error(`unknown model ${name}`);
    return m;
  }

  typeName(name: string): string {
    return this.model(name).names?.rust?.type ?? name;
  }

  /** True when `from` reaches `to` through direct (unboxed) containment. */
  reaches(from: string, to: string, seen = new Set<string>()): boolean {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return (this.direct.get(from) ?? []).some((n) => this.reaches(n, to, seen));
  }

  /** The value may be JSON null (the use site's flag or the named type's own). */
  nullable(ref: TypeRef): boolean {
    if (ref.kind === "any" || ref.kind === "null") return false; // Value / () hold null themselves.
    if (ref.nullable) return true;
    if (ref.kind !== "model") return false;
    const m = this.model(ref.name);
    if (m.kind === "enum" || m.kind === "union") return m.nullable;
    if (m.kind === "alias") return this.nullable(m.type);
    return false;
  }

  /** The alias's underlying reference (through alias chains), or the ref itself. */
  resolve(ref: TypeRef): TypeRef {
    if (ref.kind !== "model") return ref;
    const m = this.model(ref.name);
    return m.kind === "alias" ? this.resolve(m.type) : ref;
  }

  /** The Rust type without the nullability wrapper; `owner` boxes direct recursion. */
  bare(ref: TypeRef, qualifier = "", owner?: string): string {
    switch (ref.kind) {
      case "primitive":
        return primitive(ref.type, ref.format);
      case "literal":
        return typeof ref.value === "string"
          ? "String"
          : typeof ref.value === "boolean"
            ? "bool"
            : Number.isInteger(ref.value)
              ? "i64"
              : "f64";
      case "null":
        return "()";
      case "any":
        return "serde_json::Value";
      case "array":
        return `Vec<${this.type(ref.items, qualifier)}>`;
      case "map":
        this.usesMap = true;
        return `BTreeMap<String, ${this.type(ref.values, qualifier)}>`;
      case "model": {
        const name = `${qualifier}${this.typeName(ref.name)}`;
        return owner !== undefined && this.reaches(ref.name, owner) ? `Box<${name}>` : name;
      }
    }
  }

  /** The Rust type of a value, `Option<…>` when it may be null. */
  type(ref: TypeRef, qualifier = "", owner?: string): string {
    const bare = this.bare(ref, qualifier, owner);
    return this.nullable(ref) ? `Option<${bare}>` : bare;
  }

  /** Whether a value of this type has a `Default` (so a struct of them can derive it). */
  hasDefault(ref: TypeRef, stack: string[] = []): boolean {
    if (this.nullable(ref)) return true;
    switch (ref.kind) {
      case "model": {
        const m = this.model(ref.name);
        if (m.kind === "alias") return this.hasDefault(m.type, stack);
        if (m.kind !== "object") return false;
        return this.objectHasDefault(m.name, stack);
      }
      default:
        return true;
    }
  }

  objectHasDefault(name: string, stack: string[] = []): boolean {
    const known = this.defaults.get(name);
    if (known !== undefined) return known;
    if (stack.includes(name)) return false;
    const m = this.model(name);
    if (m.kind !== "object") return false;
    const result = m.properties.every((p) => !p.required || this.hasDefault(p.type, [...stack, name]));
    this.defaults.set(name, result);
    return result;
  }

  /** Whether the Rust type is `Copy` (numbers, booleans, numeric enums; not strings). */
  copy(ref: TypeRef): boolean {
    const r = this.resolve(ref);
    if (r.kind === "primitive") return r.type !== "string" || r.format === "date-time";
    if (r.kind === "literal") return typeof r.value !== "string";
    if (r.kind === "model") {
      const m = this.model(r.name);
      return m.kind === "enum" && m.valueType !== "string";
    }
    return false;
  }

  /**
   * The value kinds that can go into a query string or a header (`QueryValue` / `Display`): also
   * unions of scalars, whose generated enums implement both.
   */
  scalar(ref: TypeRef): boolean {
    return isScalar(this.ir, ref);
  }
}

function primitive(type: string, format: string | undefined): string {
  switch (type) {
    case "string":
      // RFC 3339 date-times are the runtime's `DateTime` (a `time::OffsetDateTime` with serde).
      return format === "date-time" ? "crate::runtime::DateTime" : "String";
    case "boolean":
      return "bool";
    case "integer":
      return format === "int32" || format === "int16" || format === "int8" ? "i32" : "i64";
    default:
      return "f64";
  }
}

/**
 * A method chain laid out as rustfmt does: on one line when it fits `chain_width` and the line,
 * else the root then one `.call(..)` per line, indented one level.
 */
export function chain(prefix: string, root: string, calls: string[], suffix: string, indent: string): string {
  const flat = root + calls.join("");
  // rustfmt applies chain_width only to chains of two or more calls.
  // A field access in the root (`self.core`) is one more child of the chain.
  const children = calls.length + (root.match(/\.[a-z_][a-z0-9_]*/g)?.length ?? 0);
  const fitsChain = children === 1 || flat.length <= CHAIN_WIDTH;
  if (calls.length === 0 || (fitsChain && indent.length + prefix.length + flat.length + suffix.length <= MAX_WIDTH)) {
    if (prefix.endsWith("= ") && indent.length + prefix.length + flat.length + suffix.length > MAX_WIDTH) {
      // Too long after `let x =` even on its own: rustfmt moves it to the next line.
      return `${indent}${prefix.trimEnd()}\n${chain("", root, calls, suffix, `${indent}    `)}`;
    }
    return `${indent}${prefix}${flat}${suffix}\n`;
  }
  if (prefix.endsWith("= ") && indent.length + prefix.length + root.length + 1 > MAX_WIDTH) {
    // The root does not fit after `let x =` (rustfmt keeps a column for the `;`): the whole
    // chain moves to the next line, indented.
    return `${indent}${prefix.trimEnd()}\n${chain("", root, calls, suffix, `${indent}    `)}`;
  }
  return `${indent}${prefix}${root}\n${calls.map((c, i) => chainLink(`${indent}    `, c, i === calls.length - 1 ? suffix : "")).join("")}`;
}

/**
 * One `.call(args)` line of a vertical chain; too long for the line, its arguments go one per
 * line (rustfmt's vertical layout, with a trailing comma).
 */
function chainLink(indent: string, call: string, suffix: string): string {
  const line = `${indent}${call}${suffix}`;
  const open = call.indexOf("(");
  if (open < 0 || !call.endsWith(")")) return `${line}\n`;
  // rustfmt's fn_call_width: arguments longer than 60 columns go one per line.
  if (line.length <= MAX_WIDTH && call.length - open - 2 <= FN_CALL_WIDTH) return `${line}\n`;
  const args = splitArguments(call.slice(open + 1, -1));
  if (args.length === 0) return `${line}\n`;
  return `${indent}${call.slice(0, open + 1)}\n${args.map((a) => `${indent}    ${a},\n`).join("")}${indent})${suffix}\n`;
}

/** Top-level comma-separated arguments (brackets, closures' bars and strings respected). */
function splitArguments(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if ("([{<".includes(ch)) depth++;
    else if (")]}>".includes(ch) && text[i - 1] !== "-" && text[i - 1] !== "=") depth--;
    else if (ch === "," && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== "") out.push(last);
  return out;
}

/** A function signature laid out as rustfmt does (one line, or one parameter per line). */
export function signature(indent: string, head: string, params: string[], tail: string): string {
  const flat = `${indent}${head}(${params.join(", ")})${tail}`;
  if (flat.length <= MAX_WIDTH) return `${flat}\n`;
  return `${indent}${head}(\n${params.map((p) => `${indent}    ${p},\n`).join("")}${indent})${tail}\n`;
}

/** rustfmt's default `array_width` (60% of max_width). */
const ARRAY_WIDTH = 60;

/** An array expression (`&[a, b]`) after `head`, laid out as rustfmt does (one line, or one item per line). */
export function arrayLiteral(indent: string, head: string, items: string[], tail: string): string {
  const inner = items.join(", ");
  const flat = `${indent}${head}[${inner}]${tail}`;
  if (inner.length <= ARRAY_WIDTH && flat.length <= MAX_WIDTH) return `${flat}\n`;
  return `${indent}${head}[\n${items.map((i) => `${indent}    ${i},\n`).join("")}${indent}]${tail}\n`;
}

/** A `use path::{a, b};` line laid out as rustfmt does (wrapped, items filling lines, past 100 columns). */
export function useList(path: string, items: string[]): string {
  const flat = `use ${path}::{${items.join(", ")}};`;
  if (flat.length <= MAX_WIDTH) return `${flat}\n`;
  const lines: string[] = [];
  let line = "   ";
  for (const item of items) {
    const next = `${line} ${item},`;
    if (next.length > MAX_WIDTH && line.trim() !== "") {
      lines.push(line);
      line = `    ${item},`;
    } else {
      line = next;
    }
  }
  lines.push(line);
  return `use ${path}::{\n${lines.join("\n")}\n};\n`;
}

/** rustfmt's default `attr_fn_like_width`. */
const ATTR_WIDTH = 70;

/** A `#[name(args)]` attribute laid out as rustfmt does. */
export function attribute(indent: string, name: string, args: string[]): string {
  const flat = `${indent}#[${name}(${args.join(", ")})]`;
  if (args.join(", ").length <= ATTR_WIDTH && flat.length <= MAX_WIDTH) return `${flat}\n`;
  return `${indent}#[${name}(\n${args.map((a, i) => `${indent}    ${a}${i === args.length - 1 ? "" : ","}\n`).join("")}${indent})]\n`;
}
