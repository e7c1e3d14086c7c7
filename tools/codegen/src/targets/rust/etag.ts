// Which models convert into the runtime's `ETag`, so that `.if_match(&sequence)` takes the
// resource itself. The rule is the TypeScript and Python targets' (their `ETagInput` accepts any
// object with a `version` that is a number or a string, on the If-Match / If-None-Match
// parameters the document declares), decided per model here since Rust has no structural
// types: in a document with such a parameter, an object model with a required, non-null
// `version` member of integer, number or plain string type (through aliases). The impl is
// rendered by templates/rust/model/struct.rs.hbs.
import type { ObjectModel } from "../../ir/types.ts";
import type { RustTypes } from "./types.ts";

const takesETags = new WeakMap<RustTypes, boolean>();

/** The document declares an If-Match or If-None-Match header parameter (computed once). */
function documentTakesETags(types: RustTypes): boolean {
  let known = takesETags.get(types);
  if (known === undefined) {
    known = types.ir.operations.some((op) =>
      op.parameters.some((p) => p.in === "header" && (p.role === "if-match" || p.role === "if-none-match")),
    );
    takesETags.set(types, known);
  }
  return known;
}

/**
 * The argument of `ETag::strong` in `From<&Model>` (`value.version`, borrowed when a `String`),
 * when `&model` converts into an `ETag`.
 */
export function etagVersionArg(types: RustTypes, m: ObjectModel): string | null {
  const p = m.properties.find((q) => q.wireName === "version");
  if (p === undefined || !p.required || types.nullable(p.type) || !documentTakesETags(types)) return null;
  const t = types.resolve(p.type);
  if (t.kind !== "primitive") return null;
  const plain = t.type === "integer" || t.type === "number" || (t.type === "string" && t.format !== "date-time");
  if (!plain) return null;
  const field = `value.${p.names?.rust?.field ?? p.wireName}`;
  return t.type === "string" ? `&${field}` : field;
}
