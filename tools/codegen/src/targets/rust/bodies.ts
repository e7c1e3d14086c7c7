import type { BodyContent, Operation, TypeRef } from "../../ir/types.ts";
import { pascalCase, snakeCase } from "../../naming/index.ts";
import { sendableBody } from "../sdk-common.ts";
import { multipartFields } from "../shapes.ts";
import type { Render } from "../types.ts";
import { bare } from "./names.ts";
import { call } from "./parameters.ts";
import { type RustTypes, rustDoc, rustString } from "./types.ts";

export interface RequestBody {
  /** The argument's type, borrowed by the method (`models::X`, `[u8]`, `str`, a form struct). */
  type: string;
  mediaType: string;
  required: boolean;
  kind: string;
  ref: TypeRef;
  /** The multipart form built from the argument, when its parts are described. */
  form: MultipartForm | null;
}

export interface MultipartForm {
  /** The `Multipart` constructor expression. */
  ctor: string;
  /** The parts, in order (flags for method.rs.hbs). */
  parts: Record<string, unknown>[];
  /** The struct of the parts, rendered. */
  struct: string;
  /** Every part is optional: the struct derives `Default`. */
  derivesDefault: boolean;
  /** The struct's fields, for examples. */
  fields: { name: string; type: string; ref: TypeRef; file: "one" | "many" | null }[];
}

export function requestBody(
  render: Render,
  types: RustTypes,
  op: Operation,
  className: string,
  name: string,
  q: (ref: TypeRef) => string,
): RequestBody | null {
  const content = sendableBody(types.ir, op, "rust");
  if (op.requestBody === null || content === null) return null;
  let type = content.kind === "binary" ? "[u8]" : content.kind === "text" ? "str" : q(content.type);
  let form: MultipartForm | null = null;
  if (content.kind === "multipart") {
    const structName = `${className}${pascalCase(bare(name))}Form`;
    form = multipartForm(render, types, content, structName, `${className}::${bare(name)}`, q);
    type = form === null ? "Multipart" : structName;
  }
  // A multipart form is always given (a form of optional parts has a Default).
  const required = op.requestBody.required || content.kind === "multipart";
  return { type, mediaType: content.mediaType, required, kind: content.kind, ref: content.type, form };
}

/** The calls attaching the body `arg` to the request. */
export function bodyCalls(render: Render, body: RequestBody, arg: string): string[] {
  const mediaType = rustString(body.mediaType);
  if (body.kind === "multipart") return [call(render, "multipart", { arg: body.form === null ? arg : "&form" })];
  if (body.kind === "binary" || body.kind === "text") return [call(render, "bytes", { arg, mediaType })];
  const calls = [call(render, body.kind === "form" ? "form" : "json", { arg })];
  const usual = body.kind === "form" ? "application/x-www-form-urlencoded" : "application/json";
  if (body.mediaType !== usual) calls.push(call(render, "contentType", { mediaType }));
  return calls;
}

/**
 * A multipart body: a struct of its parts (files as `FilePart`) and the parts the method adds
 * to a `Multipart` from it; null (the runtime's `Multipart` itself) when the document does not
 * describe the parts.
 */
function multipartForm(
  render: Render,
  types: RustTypes,
  content: BodyContent,
  structName: string,
  method: string,
  q: (ref: TypeRef) => string,
): MultipartForm | null {
  const encodings = Object.entries(content.encoding ?? {});
  const ctor =
    encodings.length === 0
      ? "Multipart::new()"
      : `Multipart::with_content_types(&[${encodings.map(([k, v]) => `(${rustString(k)}, ${rustString(v)})`).join(", ")}])`;
  const fields = multipartFields(types.ir, content);
  if (fields === null) return null;
  const structFields: MultipartForm["fields"] = [];
  const docs: string[] = [];
  const parts: Record<string, unknown>[] = [];
  for (const f of fields) {
    const name = f.names?.rust?.field ?? snakeCase(f.wireName);
    const inner =
      f.file === "one" ? "crate::runtime::FilePart" : f.file === "many" ? "Vec<crate::runtime::FilePart>" : q(f.type);
    const type = !f.required && !inner.startsWith("Option<") ? `Option<${inner}>` : inner;
    structFields.push({ name, type, ref: f.type, file: f.file ?? null });
    docs.push(rustDoc(f.description, "    ", `The \`${f.wireName}\` part.`));
    const resolved = types.resolve(f.type);
    const kind =
      f.file === "one"
        ? "file"
        : f.file === "many"
          ? "files"
          : types.scalar(f.type)
            ? "text"
            : resolved.kind === "array" && types.scalar(resolved.items)
              ? "texts"
              : "json";
    parts.push({ [kind]: true, name, wire: rustString(f.wireName), optional: type.startsWith("Option<") });
  }
  const derivesDefault = fields.every((f) => !f.required);
  const struct = render("rust/method/form.rs.hbs", {
    method,
    name: structName,
    default: derivesDefault,
    fields: structFields.map((f, i) => ({ ...f, doc: docs[i] })),
  });
  return { ctor, parts, struct, derivesDefault, fields: structFields };
}
