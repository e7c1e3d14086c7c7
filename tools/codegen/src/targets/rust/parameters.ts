// The parameters of an operation's method: path parameters as arguments, the query, header and
// cookie parameters as one params struct, each with the `RequestSpec` call that sends it. The
// calls' code is templates/rust/method/call/*.rs.hbs; this module decides which call and its values.
import type { Operation, Parameter } from "../../ir/types.ts";
import { arrayDelimiter, flatShape, isScalarOrArrayUnion, isStyleable, needsStyle } from "../shapes.ts";
import type { Render } from "../types.ts";
import { refuse } from "./names.ts";
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

export interface ParamsStruct {
  /** The struct's fields (templates/rust/method/params.rs.hbs). */
  fields: { doc: string; deprecated: boolean; name: string; type: string; ref: Parameter["type"] }[];
  /** Every field has a default: the struct derives `Default`. */
  derivesDefault: boolean;
  calls: string[];
}

/**
 * The params struct's fields and their calls. `lastEventId` is a field of a stream's struct but
 * not sent as a header (the event stream sends it, and its successors, itself).
 */
export function paramsStruct(
  render: Render,
  types: RustTypes,
  fieldsWithParams: Parameter[],
  lastEventId: Parameter | undefined,
  paramsArg: string,
  q: (ref: Parameter["type"]) => string,
): ParamsStruct {
  const out: ParamsStruct = { fields: [], derivesDefault: true, calls: [] };
  for (const p of fieldsWithParams) {
    const fname = p.names?.rust?.param ?? p.name;
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
    const inner = q(p.type);
    const type = p.required ? inner : inner.startsWith("Option<") ? inner : `Option<${inner}>`;
    const optional = type.startsWith("Option<");
    if (p.required && !types.hasDefault(p.type)) out.derivesDefault = false;
    const doc = rustDoc(p.description, "    ", `The \`${p.name}\` ${p.in} parameter.`);
    out.fields.push({ doc, deprecated: p.deprecated, name: fname, type, ref: p.type });
    if (p === lastEventId) continue;
    const wire = rustString(p.name);
    const field = `${paramsArg}.${fname}`;
    if (spread !== null) {
      for (const m of spread) {
        out.calls.push(
          call(render, optional ? "optionalQueryMember" : "queryMember", {
            wire: rustString(m.wire),
            ref: m.copy ? "" : "&",
            params: paramsArg,
            field: fname,
            member: m.field,
          }),
        );
      }
    } else if (deepMap) {
      const entries = optional ? `${field}.iter().flatten()` : `&${field}`;
      out.calls.push(call(render, "deepObject", { wire, entries }));
    } else if (joined !== null) {
      const value = optional ? `${field}.as_ref()` : `Some(&${field})`;
      out.calls.push(call(render, "joined", { wire, value, delimiter: rustString(joined) }));
    } else if (p.in === "query" && arrayDelimiter(types.ir, p) !== null) {
      const delimiter = rustString(arrayDelimiter(types.ir, p) as string);
      out.calls.push(call(render, "delimited", { wire, params: paramsArg, field: fname, delimiter }));
    } else if (p.in === "query") {
      out.calls.push(call(render, "query", { wire, value: `${types.copy(p.type) ? "" : "&"}${field}` }));
    } else {
      const value = optional ? `${field}.as_ref()` : `Some(&${field})`;
      // Arrays and objects in headers and cookies are written in their style (simple, form).
      const location = p.in === "cookie" ? "cookie" : "header";
      out.calls.push(
        call(render, needsStyle(types.ir, p) ? "headerStyled" : "header", {
          location,
          wire,
          value,
          explode: p.explode,
        }),
      );
    }
  }
  return out;
}

/** An optional If-Match of a plain call is set on the request (`.if_match(3)`), not in a params struct. */
export function onRequest(types: RustTypes, op: Operation, p: Parameter): boolean {
  const plainCall = !op.streaming && op.pagination === null;
  return plainCall && p.in === "header" && p.role === "if-match" && !p.required && types.scalar(p.type);
}
