// The parameters of an operation's method: path and required parameters as arguments, the
// optional query, header and cookie parameters as one params struct the returned request carries
// (with a setter each), each with the `RequestSpec` call that sends it. The
// calls' code is templates/rust/method/call/*.rs.hbs; this module decides which call and its values.
import type { Operation, Parameter } from "../../ir/types.ts";
import { arrayDelimiter, flatShape, isScalarOrArrayUnion, isStyleable, needsStyle } from "../shapes.ts";
import type { Render } from "../types.ts";
import { bare, refuse } from "./names.ts";
import { type RustTypes, rustDoc, rustString } from "./types.ts";

/**
 * One call of the builder chain: templates/rust/method/call/<kind>.rs.hbs (`pathParam` ->
 * `path-param.rs.hbs`), one small template per kind so rendering one evaluates no conditions.
 */
export function call(render: Render, kind: string, view: Record<string, unknown>): string {
  return render(`rust/method/call/${kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}.rs.hbs`, view).trimEnd();
}

export interface PathParameters {
  /** `name: type` arguments of the method. */
  args: string[];
  calls: string[];
  usesModels: boolean;
  usesStyle: boolean;
}

export function pathParameters(render: Render, types: RustTypes, params: Parameter[]): PathParameters {
  const out: PathParameters = { args: [], calls: [], usesModels: false, usesStyle: false };
  for (const p of params) {
    const pname = p.names?.rust?.param ?? p.name;
    if (!isStyleable(types.ir, p.type))
      refuse(p, "sends path parameters that are scalars, arrays of scalars or flat objects only");
    const t = types.bare(types.resolve(p.type), "models::");
    const borrowed =
      t === "String" ? "&str" : t.startsWith("models::") ? `&${t}` : t.startsWith("Vec<") ? `&[${t.slice(4, -1)}]` : t;
    out.args.push(`${pname}: ${borrowed}`);
    if (t.startsWith("models::")) out.usesModels = true;
    const wire = rustString(p.name);
    if (needsStyle(types.ir, p)) {
      // Label, matrix, or an array or object: written in its style.
      out.usesStyle = true;
      const style = p.style === "label" ? "Label" : p.style === "matrix" ? "Matrix" : "Simple";
      const arg = t === "String" || t.startsWith("models::") || t.startsWith("Vec<") ? pname : `&${pname}`;
      out.calls.push(call(render, "pathStyled", { wire, style, arg, explode: p.explode }));
    } else {
      out.calls.push(call(render, "pathParam", { wire, arg: pname }));
    }
  }
  return out;
}

/** One optional parameter: a field of the params struct and a setter on what the method returns. */
export interface ParamField {
  doc: string;
  deprecated: boolean;
  /** The field's name (the naming layer's, maybe raw: `r#type`). */
  name: string;
  /** `Option<…>`. */
  type: string;
  ref: Parameter["type"];
  /** The setter's name: the field's, or with `_param` where the runtime's type has a method of that name. */
  setter: string;
  /** What the setter takes (`impl Into<String>`, `i32`, ...) and how it makes the field's value of it. */
  takes: string;
  value: string;
  wire: string;
  default: unknown;
}

export interface OperationParams {
  /** Required parameters: positional `name: type` arguments, sent by calls in the method's chain. */
  args: string[];
  /** The example of each positional argument needs its parameter. */
  positional: Parameter[];
  argCalls: string[];
  /** Optional parameters: the params struct's fields, sent by the calls of its `apply` (on `self`). */
  fields: ParamField[];
  applyCalls: string[];
}

/**
 * The type a required query, header or cookie parameter takes as an argument (`inner`: its Rust
 * type). Borrowed as path parameters are: `&str`, `&[T]`, `&T`; Copy values and `Option`s by
 * value; aliases resolved (`&str`, not `&models::Slug`). A required If-Match takes what
 * `.if_match()` takes: a version number or the tag as sent. The conformance runner uses it too.
 */
export function requiredArgType(types: RustTypes, p: Parameter, inner: string): string {
  if (p.role === "if-match" && inner === "String") return "impl Into<crate::runtime::ETag>";
  const t = types.bare(types.resolve(p.type), "models::");
  const copy = types.copy(p.type) && !inner.startsWith("Option<");
  if (copy || inner.startsWith("Option<")) return inner;
  return t === "String" ? "&str" : t.startsWith("Vec<") ? `&[${t.slice(4, -1)}]` : `&${inner}`;
}

/**
 * The query, header and cookie parameters of an operation: the required ones are positional
 * arguments (borrowed like path parameters), the optional ones fields of a params struct the
 * returned request carries, each with a setter named clear of `reserved` (the runtime type's own
 * methods). `lastEventId` is neither: the event stream sends it, and its successors, itself.
 */
export function operationParams(
  render: Render,
  types: RustTypes,
  params: Parameter[],
  reserved: ReadonlySet<string>,
  q: (ref: Parameter["type"]) => string,
): OperationParams {
  const out: OperationParams = { args: [], positional: [], argCalls: [], fields: [], applyCalls: [] };
  // A parameter keeps its own name unless the runtime type has a method of that name; such a one
  // takes `_param` (then `_param2`, ...), clear of every other parameter's name too.
  const setters = new Set(
    params
      .filter((p) => !p.required)
      .map((p) => bare(p.names?.rust?.param ?? p.name))
      .filter((n) => !reserved.has(n)),
  );
  for (const p of params) {
    const fname = p.names?.rust?.param ?? p.name;
    const inner = q(p.type);
    let expr: { expr: string; optional: boolean; isRef: boolean };
    if (p.required && p.role === "if-match" && inner === "String") {
      out.args.push(`${fname}: ${requiredArgType(types, p, inner)}`);
      out.positional.push(p);
      const value = `Some(Into::<crate::runtime::ETag>::into(${fname}))`;
      out.argCalls.push(call(render, "header", { location: "header", wire: rustString(p.name), value }));
      continue;
    }
    if (p.required) {
      const arg = requiredArgType(types, p, inner);
      out.args.push(`${fname}: ${arg}`);
      out.positional.push(p);
      expr = { expr: fname, optional: inner.startsWith("Option<"), isRef: arg.startsWith("&") };
    } else {
      const type = inner.startsWith("Option<") ? inner : `Option<${inner}>`;
      const bareType = type.slice(7, -1);
      let setter = fname;
      if (reserved.has(bare(fname))) {
        let n = 1;
        setter = `${bare(fname)}_param`;
        while (reserved.has(setter) || setters.has(setter)) setter = `${bare(fname)}_param${++n}`;
        setters.add(setter);
      }
      // Strings, also through aliases (`pub type Slug = String`), take `impl Into<String>`.
      const isString = (ref: Parameter["type"]) => {
        const r = types.resolve(ref);
        return r.kind === "primitive" && r.type === "string" && r.format !== "date-time" && !types.nullable(ref);
      };
      const resolved = types.resolve(p.type);
      const string = bareType === "String" || isString(p.type);
      const strings = bareType === "Vec<String>" || (resolved.kind === "array" && isString(resolved.items));
      const takes = string
        ? "impl Into<String>"
        : strings
          ? "impl IntoIterator<Item = impl Into<String>>"
          : bareType.startsWith("Vec<")
            ? `impl IntoIterator<Item = ${bareType.slice(4, -1)}>`
            : bareType;
      const value = string
        ? "value.into()"
        : strings
          ? "value.into_iter().map(Into::into).collect()"
          : bareType.startsWith("Vec<")
            ? "value.into_iter().collect()"
            : "value";
      const doc = rustDoc(p.description, "    ", `The \`${p.name}\` ${p.in} parameter.`);
      out.fields.push({
        doc,
        deprecated: p.deprecated,
        name: fname,
        type,
        ref: p.type,
        setter,
        takes,
        value,
        wire: p.name,
        default: p.default,
      });
      expr = { expr: `self.${fname}`, optional: true, isRef: false };
    }
    const calls = p.required ? out.argCalls : out.applyCalls;
    calls.push(...paramCalls(render, types, p, expr));
  }
  return out;
}

/** The calls that send one parameter whose value is `v.expr` (an `Option` when `v.optional`, a reference when `v.isRef`). */
function paramCalls(
  render: Render,
  types: RustTypes,
  p: Parameter,
  v: { expr: string; optional: boolean; isRef: boolean },
): string[] {
  // An object in the query is spread into one pair per member (form + explode, or deepObject);
  // a map with style deepObject into one `name[key]` pair per entry.
  let spread: { wire: string; field: string; copy: boolean }[] | null = null;
  let deepMap = false;
  let joined: string | null = null;
  if (!types.scalar(p.type)) {
    const r = types.resolve(p.type);
    const arrayOk =
      p.in === "query" && ((r.kind === "array" && types.scalar(r.items)) || isScalarOrArrayUnion(types.ir, p.type));
    const object = r.kind === "model" ? types.model(r.name) : undefined;
    const shape = p.in === "query" ? flatShape(types.ir, p.type) : null;
    if (
      object?.kind === "object" &&
      shape?.kind === "object" &&
      ((p.style === "form" && p.explode) || p.style === "deepObject")
    ) {
      spread = object.properties.map((m) => ({
        wire: p.style === "deepObject" ? `${p.name}[${m.wireName}]` : m.wireName,
        field: m.names?.rust?.field ?? m.wireName,
        copy: types.copy(m.type) && m.required && !types.nullable(m.type),
      }));
    } else if (r.kind === "map" && shape?.kind === "map" && p.style === "deepObject") {
      deepMap = true;
    } else if (p.in === "query" && shape !== null && !p.explode) {
      joined = p.style === "pipeDelimited" ? "|" : p.style === "spaceDelimited" ? " " : ",";
    } else if (!arrayOk && !(p.in !== "query" && isStyleable(types.ir, p.type)))
      refuse(
        p,
        `sends ${p.in} parameters that are scalars, arrays of scalars or flat objects only (query objects with style deepObject, form, pipeDelimited or spaceDelimited; maps with deepObject)`,
      );
  }
  const wire = rustString(p.name);
  const { expr, optional, isRef } = v;
  const borrowed = isRef ? expr : `&${expr}`;
  if (spread !== null) {
    return spread.map((m) =>
      call(render, optional ? "optionalQueryMember" : "queryMember", {
        wire: rustString(m.wire),
        ref: m.copy ? "" : "&",
        value: expr,
        member: m.field,
      }),
    );
  }
  if (deepMap) return [call(render, "deepObject", { wire, entries: optional ? `${expr}.iter().flatten()` : borrowed })];
  if (joined !== null) {
    const value = optional ? `${expr}.as_ref()` : `Some(${borrowed})`;
    return [call(render, "joined", { wire, value, delimiter: rustString(joined) })];
  }
  if (p.in === "query" && arrayDelimiter(types.ir, p) !== null) {
    const delimiter = rustString(arrayDelimiter(types.ir, p) as string);
    return [call(render, "delimited", { wire, value: borrowed, delimiter })];
  }
  if (p.in === "query") return [call(render, "query", { wire, value: types.copy(p.type) ? expr : borrowed })];
  const value = optional ? `${expr}.as_ref()` : types.copy(p.type) ? `Some(${expr})` : `Some(${borrowed})`;
  // Arrays and objects in headers and cookies are written in their style (simple, form).
  const location = p.in === "cookie" ? "cookie" : "header";
  return [
    call(render, needsStyle(types.ir, p) ? "headerStyled" : "header", { location, wire, value, explode: p.explode }),
  ];
}

/** An optional If-Match of a plain call is set on the request (`.if_match(3)`), not in a params struct. */
/**
 * The query, header and cookie parameters the method takes (as arguments or setters): not the
 * idempotency key (the runtime sends it), an optional If-Match set on the request, or a stream's
 * Last-Event-ID.
 */
export function methodParameters(types: RustTypes, op: Operation): Parameter[] {
  return op.parameters.filter(
    (p) =>
      (p.in === "query" || p.in === "header" || p.in === "cookie") &&
      p.role !== "idempotency-key" &&
      !onRequest(types, op, p) &&
      !(op.streaming && p.role === "last-event-id"),
  );
}

export function onRequest(types: RustTypes, op: Operation, p: Parameter): boolean {
  const plainCall = !op.streaming && op.pagination === null;
  return plainCall && p.in === "header" && p.role === "if-match" && !p.required && types.scalar(p.type);
}
