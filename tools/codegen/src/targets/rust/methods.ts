import { GeneratorError } from "../../errors.ts";
import type { BodyContent, Operation, Parameter, TypeRef, WebSocketChannel } from "../../ir/types.ts";
import { pascalCase, snakeCase } from "../../naming/index.ts";
import { errorBodies, requestPath, taggedUnionFor, webSocketConventions } from "../sdk-common.ts";
import {
  arrayDelimiter,
  flatShape,
  isScalarOrArrayUnion,
  isStyleable,
  multipartFields,
  needsStyle,
} from "../shapes.ts";
import { bodyStatement, type RustExample, resultName } from "./examples.ts";
import { chain, type RustTypes, rustDoc, rustString, signature } from "./types.ts";

/** Trait methods clippy wants implemented as the trait when a method has their name. */
export const TRAIT_METHODS = new Set([
  "add",
  "as_mut",
  "as_ref",
  "bitand",
  "bitor",
  "bitxor",
  "borrow",
  "borrow_mut",
  "clone",
  "cmp",
  "default",
  "deref",
  "deref_mut",
  "div",
  "drop",
  "eq",
  "from_iter",
  "from_str",
  "hash",
  "index",
  "index_mut",
  "into_iter",
  "mul",
  "neg",
  "next",
  "not",
  "rem",
  "shl",
  "shr",
  "sub",
]);

export const bare = (name: string) => name.replace(/^r#/, "");

export interface Method {
  code: string;
  /** Module-level items the method needs (its params struct, event enum, decoder). */
  items: string[];
  example: RustExample;
  usesModels: boolean;
  imports: string[];
}

/** Rejects a parameter the target cannot send. */
export function refuse(p: Parameter, reason: string): never {
  throw new GeneratorError(p.source.file, p.source.pointer, `the rust target ${reason}`);
}

export function operationMethod(
  types: RustTypes,
  op: Operation,
  property: string,
  className: string,
  clientName: string,
  errorMaps: Map<string, string>,
  where: { libName: string; module: string },
): Method {
  const name = op.names?.rust?.method ?? snakeCase(op.id);
  const imports = new Set<string>(["RequestSpec"]);
  let usesModels = false;
  const q = (ref: TypeRef) => {
    const t = types.type(ref, "models::");
    if (t.includes("models::")) usesModels = true;
    return t;
  };

  // Body: the first of JSON (and merge patch), form-urlencoded (a flat object), binary and text.
  let body: { type: string; mediaType: string; required: boolean; kind: string } | null = null;
  let bodyRef: TypeRef | undefined;
  // A multipart body: the statements building its form, and the form struct (when described).
  const formLines: string[] = [];
  let formStruct = "";
  if (op.requestBody !== null) {
    const content = op.requestBody.contents.find((c) =>
      ["json", "merge-patch", "form", "multipart", "binary", "text"].includes(c.kind),
    );
    const pointer = `${op.source.pointer}/requestBody`;
    if (content === undefined) {
      throw new GeneratorError(
        op.source.file,
        pointer,
        "the rust target sends JSON, form-urlencoded, binary and text request bodies only",
      );
    }
    if (content.kind === "form" && flatShape(types.ir, content.type) === null) {
      throw new GeneratorError(
        op.source.file,
        pointer,
        "the rust target form-encodes objects of scalars and arrays of scalars only",
      );
    }
    let type = content.kind === "binary" ? "[u8]" : content.kind === "text" ? "str" : q(content.type);
    if (content.kind === "multipart") {
      const built = multipartForm(
        types,
        content,
        `${className}${pascalCase(bare(op.names?.rust?.method ?? snakeCase(op.id)))}Form`,
        `${className}::${bare(op.names?.rust?.method ?? snakeCase(op.id))}`,
        q,
      );
      type = built.type;
      formStruct = built.struct;
      formLines.push(...built.lines);
      imports.add("Multipart");
    }
    // A multipart form is always given (a form of optional parts has a Default).
    const required = op.requestBody.required || content.kind === "multipart";
    body = { type, mediaType: content.mediaType, required, kind: content.kind };
    bodyRef = content.type;
  }

  // Success response: JSON (also problem documents), an event stream, text or bytes.
  const success = op.responses.find((r) => r.status === op.successStatus);
  const content = success?.contents[0];

  const pathParams = op.parameters.filter((p) => p.in === "path");
  // An optional If-Match of a plain call is set on the request (`.if_match(3)`), not in a params
  // struct: a call whose only other parameter it is needs no `&XParams::default()`.
  const plainCall = !op.streaming && op.pagination === null;
  const onRequest = (p: Parameter) =>
    plainCall && p.in === "header" && p.role === "if-match" && !p.required && types.scalar(p.type);
  const ifMatch = op.parameters.find(onRequest);
  const extra = op.parameters.filter(
    (p) =>
      (p.in === "query" || p.in === "header" || p.in === "cookie") &&
      p.role !== "idempotency-key" &&
      !onRequest(p) &&
      !(op.streaming && p.role === "last-event-id"),
  );
  const lastEventId = op.streaming ? op.parameters.find((p) => p.role === "last-event-id") : undefined;
  const pascal = pascalCase(bare(name));
  // Named after the resource too (`SequencesListParams`), so names never repeat across modules.
  const paramsStruct = `${className}${pascal}Params`;
  const argNames = new Set(pathParams.map((p) => bare(p.names?.rust?.param ?? p.name)));
  const paramsArg = argNames.has("params") ? "request_params" : "params";
  const bodyArg = argNames.has("body") ? "request_body" : "body";

  const args: string[] = ["&self"];
  const calls: string[] = [];
  for (const p of pathParams) {
    const pname = p.names?.rust?.param ?? p.name;
    if (!isStyleable(types.ir, p.type))
      refuse(p, "sends path parameters that are scalars, arrays of scalars or flat objects only");
    const t = types.bare(types.resolve(p.type), "models::");
    const styled = needsStyle(types.ir, p);
    args.push(
      `${pname}: ${t === "String" ? "&str" : t.startsWith("models::") ? `&${t}` : t.startsWith("Vec<") ? `&[${t.slice(4, -1)}]` : t}`,
    );
    if (t.startsWith("models::")) usesModels = true;
    if (styled) {
      // Label, matrix, or an array or object: written in its style.
      imports.add("Style");
      const style = p.style === "label" ? "Label" : p.style === "matrix" ? "Matrix" : "Simple";
      const ref = t === "String" || t.startsWith("models::") || t.startsWith("Vec<") ? pname : `&${pname}`;
      calls.push(`.path_param_styled(${rustString(p.name)}, Style::${style}, ${ref}, ${p.explode})`);
    } else {
      calls.push(`.path_param(${rustString(p.name)}, ${pname})`);
    }
  }
  if (body) args.push(`${bodyArg}: ${body.required ? `&${body.type}` : `Option<&${body.type}>`}`);
  const structFields: string[] = [];
  const fieldsWithParams = [...extra, ...(lastEventId ? [lastEventId] : [])];
  let structDefault = true;
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
    if (p.required && !types.hasDefault(p.type)) structDefault = false;
    const doc = rustDoc(p.description, "    ", `The \`${p.name}\` ${p.in} parameter.`);
    structFields.push(`${doc}${p.deprecated ? "    #[deprecated]\n" : ""}    pub ${fname}: ${type},\n`);
    if (p === lastEventId) continue;
    if (spread !== null) {
      const optional = type.startsWith("Option<");
      for (const m of spread) {
        calls.push(
          optional
            ? `.query(${rustString(m.wire)}, ${paramsArg}.${fname}.as_ref().map(|v| ${m.copy ? "" : "&"}v.${m.field}))`
            : `.query(${rustString(m.wire)}, ${m.copy ? "" : "&"}${paramsArg}.${fname}.${m.field})`,
        );
      }
    } else if (deepMap) {
      const entries = type.startsWith("Option<") ? `${paramsArg}.${fname}.iter().flatten()` : `&${paramsArg}.${fname}`;
      calls.push(`.query_deep_object(${rustString(p.name)}, ${entries})`);
    } else if (joined !== null) {
      const optional = type.startsWith("Option<");
      calls.push(
        `.query_joined(${rustString(p.name)}, ${optional ? `${paramsArg}.${fname}.as_ref()` : `Some(&${paramsArg}.${fname})`}, ${rustString(joined)})`,
      );
    } else if (p.in === "query" && arrayDelimiter(types.ir, p) !== null) {
      const delimiter = arrayDelimiter(types.ir, p) as string;
      calls.push(`.query_delimited(${rustString(p.name)}, &${paramsArg}.${fname}, ${rustString(delimiter)})`);
    } else if (p.in === "query")
      calls.push(`.query(${rustString(p.name)}, ${types.copy(p.type) ? "" : "&"}${paramsArg}.${fname})`);
    else {
      const optional = type.startsWith("Option<");
      const value = optional ? `${paramsArg}.${fname}.as_ref()` : `Some(&${paramsArg}.${fname})`;
      // Arrays and objects in headers and cookies are written in their style (simple, form).
      calls.push(
        needsStyle(types.ir, p)
          ? `.${p.in === "cookie" ? "cookie" : "header"}_styled(${rustString(p.name)}, ${value}, ${p.explode})`
          : `.${p.in === "cookie" ? "cookie" : "header"}(${rustString(p.name)}, ${value})`,
      );
    }
  }
  if (structFields.length > 0) args.push(`${paramsArg}: &${paramsStruct}`);
  const bodyCalls: string[] = [];
  if (body?.kind === "multipart") {
    bodyCalls.push(body.type === "Multipart" ? `.multipart(${bodyArg})` : ".multipart(&form)");
  } else if (body?.kind === "binary" || body?.kind === "text") {
    bodyCalls.push(`.body(${bodyArg}, ${rustString(body.mediaType)})`);
  } else if (body?.kind === "form") {
    bodyCalls.push(`.form(${bodyArg})`);
    if (body.mediaType !== "application/x-www-form-urlencoded")
      bodyCalls.push(`.content_type(${rustString(body.mediaType)})`);
  } else if (body) {
    bodyCalls.push(`.json(${bodyArg})`);
    if (body.mediaType !== "application/json") bodyCalls.push(`.content_type(${rustString(body.mediaType)})`);
  }
  if (body?.required) calls.push(...bodyCalls);
  if (content?.kind === "text" || content?.kind === "binary") calls.push(`.accept(${rustString(content.mediaType)})`);
  const declared = errorBodies(op);
  if (declared.length > 0) {
    const entries = declared.map((e) => `(${rustString(e.status)}, decode_error::<${q(e.type)}>)`).join("\n");
    let name = errorMaps.get(entries);
    if (name === undefined) {
      name = `ERRORS_${errorMaps.size + 1}`;
      errorMaps.set(entries, name);
    }
    calls.push(`.errors(${name})`);
  }

  const ctor = ["get", "post", "put", "patch", "delete"].includes(op.method)
    ? `RequestSpec::${op.method}(${rustString(requestPath(op))})`
    : `RequestSpec::new(crate::runtime::http::Method::${op.method.toUpperCase()}, ${rustString(requestPath(op))})`;
  const mutable = body !== null && !body.required;
  const lines: string[] = formLines.map((l) => l.replaceAll("BODY", bodyArg));
  lines.push(chain(mutable ? "let mut spec = " : "let spec = ", ctor, calls, ";", "        "));
  if (mutable) {
    lines.push(`        if let Some(${bodyArg}) = ${bodyArg} {\n`);
    lines.push(chain("spec = ", "spec", bodyCalls, ";", "            "));
    lines.push("        }\n");
  }

  const extraItems: string[] = [];
  let returns: string;
  let docTail: string;
  if (op.pagination) {
    const pg = op.pagination;
    const item = q(pg.itemType);
    imports.add("Paginator");
    returns = `Paginator<${item}>`;
    const pcalls =
      pg.cursorParam === "cursor" || pg.cursorParam === "" ? [] : [`.cursor_param(${rustString(pg.cursorParam)})`];
    if (!(pg.itemsField === "data" && pg.nextCursorField === "next_cursor" && pg.hasMoreField === "has_more")) {
      // The page body's member names, unless the runtime's defaults.
      pcalls.push(
        `.page_fields(${pg.itemsField === null ? "None" : `Some(${rustString(pg.itemsField)})`}, ${rustString(pg.nextCursorField)}, ${pg.hasMoreField === null ? "None" : `Some(${rustString(pg.hasMoreField)})`})`,
      );
    }
    if (pg.style !== "cursor") {
      imports.add("PageStyle");
      const style = { nextUrl: "NextUrl", link: "Link", offset: "Offset", page: "PageNumber" }[pg.style];
      const limit =
        (pg.style === "offset" || pg.style === "page") && pg.limitParam !== null
          ? `Some(${rustString(pg.limitParam)})`
          : "None";
      pcalls.push(`.page_style(PageStyle::${style}, ${limit})`);
    }
    lines.push(chain("", "self.core", [".paginate(spec)", ...pcalls], "", "        "));
    docTail = "`.await` gives the first page; `.items()` streams every item across pages.";
  } else if (op.streaming) {
    imports.add("EventStream");
    const events = content?.stream?.events ?? [];
    let eventType: string;
    let decoder: string;
    const union =
      events.length > 0
        ? taggedUnionFor(
            types.ir,
            events.map((e) => ({ event: e.event, type: e.type })),
          )
        : null;
    const distinct = [...new Set(events.map((e) => JSON.stringify(e.type)))];
    const jsonTyped = (e: (typeof events)[number]) =>
      !(e.contentMediaType === null && e.type.kind === "primitive" && e.type.type === "string");
    if (union !== null) {
      eventType = q(union);
      decoder = `crate::runtime::sse::json_data::<${eventType}>()`;
    } else if (events.length > 0 && distinct.length === 1 && events.every(jsonTyped)) {
      eventType = q(events[0]?.type as TypeRef);
      decoder = `crate::runtime::sse::json_data::<${eventType}>()`;
    } else if (events.length === 0) {
      eventType = "String";
      decoder = `decode_${bare(name)}`;
      extraItems.push(
        `/// The raw \`data\` of every message of [\`${className}::${bare(name)}\`] (the document does not type the events).\n` +
          `fn decode_${bare(name)}(message: &SseMessage) -> crate::runtime::Result<Option<String>> {\n    Ok(Some(message.data.clone()))\n}\n`,
      );
      imports.add("SseMessage");
    } else {
      // Named events of different types: an enum keyed by the SSE event name.
      const enumName = `${pascal}Event`;
      eventType = enumName;
      decoder = `decode_${bare(name)}`;
      imports.add("SseMessage");
      const variantNames = events.map((e, i) => e.names?.rust?.variant ?? `Event${i + 1}`);
      const unknown = variantNames.includes("Unknown") ? "Other" : "Unknown";
      const variants = events
        .map((e, i) => {
          const t = jsonTyped(e) ? q(e.type) : "String";
          return `${rustDoc(undefined, "    ", e.event === null ? "A `message` event." : `A \`${e.event}\` event.`)}    ${variantNames[i]}(${t}),\n`;
        })
        .join("");
      const arms = events
        .map((e, i) => {
          const pattern = rustString(e.event ?? "message");
          const value = jsonTyped(e)
            ? `serde_json::from_str(&message.data).map(${enumName}::${variantNames[i]})`
            : `Ok(${enumName}::${variantNames[i]}(message.data.clone()))`;
          const line = `        ${pattern} => ${value},`;
          return line.length <= 100 ? `${line}\n` : `        ${pattern} => {\n            ${value}\n        }\n`;
        })
        .join("");
      extraItems.push(
        `/// The events of [\`${className}::${bare(name)}\`], by SSE event name.\n` +
          `#[derive(Debug, Clone, PartialEq)]\n#[allow(clippy::large_enum_variant, clippy::enum_variant_names)]\npub enum ${enumName} {\n${variants}` +
          `    /// An event this version of the SDK does not know, as received.\n    ${unknown}(SseMessage),\n}\n`,
        `/// Decodes one message of [\`${className}::${bare(name)}\`].\nfn decode_${bare(name)}(message: &SseMessage) -> crate::runtime::Result<Option<${enumName}>> {\n` +
          `    let decoded = match message.event.as_str() {\n${arms}        _ => Ok(${enumName}::${unknown}(message.clone())),\n    };\n` +
          "    decoded\n        .map(Some)\n        .map_err(|error| crate::runtime::Error::Decode {\n            message: error.to_string(),\n            body: message.data.clone(),\n            source: Some(error),\n        })\n}\n",
      );
    }
    returns = `EventStream<${eventType}>`;
    const scalls = lastEventId
      ? [
          `.last_event_id_start(${
            lastEventId.required
              ? `Some(${paramsArg}.${lastEventId.names?.rust?.param ?? lastEventId.name}.to_string())`
              : `${paramsArg}.${lastEventId.names?.rust?.param ?? lastEventId.name}.clone()`
          })`,
        ]
      : [];
    if (decoder.includes("::")) {
      // A named decoder keeps the chain within rustfmt's call width.
      lines.push(`        let decode = ${decoder};\n`);
      decoder = "decode";
    }
    lines.push(chain("", "self.core", [`.event_stream(spec, ${decoder})`, ...scalls], "", "        "));
    docTail = "A reconnecting Server-Sent Events stream: it resumes after the last event id by itself.";
  } else {
    imports.add("PendingRequest");
    let result = content?.type !== undefined ? q(content.type) : "()";
    let call = "request";
    // Text and binary answers: the text or the exact bytes (not JSON), with a matching Accept.
    if (content?.kind === "text" || content?.kind === "binary") {
      result = content.kind === "text" ? "String" : "Vec<u8>";
      call = content.kind === "text" ? "request_text" : "request_bytes";
    }
    returns = `PendingRequest<${result}>`;
    lines.push(`        self.core.${call}(spec)\n`);
    docTail = "`.await` for the result, `.with_response().await` for the raw response too.";
  }

  const text = [op.summary, op.description].filter(Boolean).join("\n\n");
  const notes = [
    `\`${op.method.toUpperCase()} ${op.path}\`.`,
    docTail,
    ifMatch ? "`.if_match(version)` makes a stale change fail with `Error::PreconditionFailed`." : "",
    !["get", "head", "options"].includes(op.method)
      ? "An idempotency key is generated once and reused on every retry, so a retry is never applied twice (`.idempotency_key(k)` sets yours)."
      : "",
  ]
    .filter(Boolean)
    .join(" ");
  let code = rustDoc(text === "" ? notes : `${text}\n\n${notes}`, "    ", notes);
  if (op.deprecated) code += "    #[deprecated]\n";
  const lints: string[] = [];
  if (args.length > 7) lints.push("clippy::too_many_arguments");
  if (TRAIT_METHODS.has(bare(name))) lints.push("clippy::should_implement_trait");
  if (/^(to|into|from|as|is)_/.test(bare(name))) lints.push("clippy::wrong_self_convention");
  if (lints.length > 0) code += `    #[allow(${lints.join(", ")})]\n`;
  code += signature("    ", `pub fn ${name}`, args, ` -> ${returns} {`);
  code += lines.join("");
  code += "    }\n";

  const paramsItem =
    structFields.length === 0
      ? ""
      : `/// The query and header parameters of [\`${className}::${bare(name)}\`].\n` +
        `#[derive(Debug, Clone, PartialEq${structDefault ? ", Default" : ""})]\npub struct ${paramsStruct} {\n${structFields.join("")}}\n`;

  // The example: what the README shows and the method's rustdoc compiles (`no_run`).
  const uses = new Set<string>();
  const exampleLines: string[] = [];
  let usesJson = false;
  let bodyExpr = "";
  if (body !== null) {
    if (body.kind === "binary") bodyExpr = 'b"..."';
    else if (body.kind === "text") bodyExpr = '"…"';
    else if (body.kind === "multipart") {
      // A form of optional parts starts from its Default; one with required parts is the user's.
      const form = body.type.replace(/^models::/, "");
      if (body.type !== "Multipart" && !body.type.startsWith("models::") && /Default/.test(formStruct)) {
        uses.add(`use ${where.libName}::resources::${bare(where.module)}::${form};`);
        bodyExpr = `${form}::default()`;
      } else bodyExpr = "form";
    } else if (bodyRef !== undefined) {
      const statement = bodyStatement(types, bodyRef, bodyArg);
      uses.add(`use ${where.libName}::models;`);
      usesJson = statement.usesJson;
      exampleLines.push(statement.line);
      bodyExpr = `&${bodyArg}`;
    }
  }
  if (structFields.length > 0) uses.add(`use ${where.libName}::resources::${bare(where.module)}::${paramsStruct};`);
  const exampleArgs = [
    ...pathParams.map((p) => {
      const t = types.bare(types.resolve(p.type));
      return t === "String" ? '"…"' : t === "bool" ? "false" : t === "f64" ? "1.0" : "1";
    }),
    ...(body ? [body.required ? bodyExpr : `Some(${bodyExpr})`] : []),
    ...(structFields.length > 0 ? [structDefault ? `&${paramsStruct}::default()` : "&params"] : []),
  ].join(", ");
  const call = `${snakeCase(clientName)}.${property}().${name}(${exampleArgs})${ifMatch ? ".if_match(3)" : ""}`;
  const resultType = returns.replace(/^PendingRequest<(.*)>$/, "$1");
  exampleLines.push(
    op.pagination
      ? `let page = ${call}.await?;`
      : op.streaming
        ? `let mut events = ${call};`
        : resultType === "()"
          ? `${call}.await?;`
          : `let ${resultName(resultType, "result")} = ${call}.await?;`,
  );
  const title = `// ${(op.summary ?? `${op.method.toUpperCase()} ${op.path}`).replace(/\s+/g, " ").trim()}`;
  const example: RustExample = { uses: [...uses], lines: [title, ...exampleLines], usesJson };
  // A call whose arguments the example cannot build (a params struct or form with required
  // members) is shown in the README with a placeholder, never as a doctest that fails to compile.
  if (!exampleArgs.includes("&params") && bodyExpr !== "form") {
    code = withDocExample(code, example, where.libName, snakeCase(clientName), clientName);
  }
  return {
    code,
    items: [paramsItem, formStruct, ...extraItems].filter(Boolean),
    example,
    usesModels,
    imports: [...imports],
  };
}

/**
 * A multipart body: a struct of its parts (files as `FilePart`) and the statements filling a
 * `Multipart` from it (`BODY` stands for the argument); the runtime's `Multipart` itself when
 * the document does not describe the parts.
 */
export function multipartForm(
  types: RustTypes,
  content: BodyContent,
  structName: string,
  method: string,
  q: (ref: TypeRef) => string,
): { type: string; struct: string; lines: string[] } {
  const encodings = Object.entries(content.encoding ?? {});
  const ctor =
    encodings.length === 0
      ? "Multipart::new()"
      : `Multipart::with_content_types(&[${encodings.map(([k, v]) => `(${rustString(k)}, ${rustString(v)})`).join(", ")}])`;
  const fields = multipartFields(types.ir, content);
  if (fields === null) {
    return { type: "Multipart", struct: "", lines: [] };
  }
  const structFields: string[] = [];
  const lines: string[] = [];
  for (const f of fields) {
    const name = f.names?.rust?.field ?? snakeCase(f.wireName);
    const inner =
      f.file === "one" ? "crate::runtime::FilePart" : f.file === "many" ? "Vec<crate::runtime::FilePart>" : q(f.type);
    const optional = !f.required && !inner.startsWith("Option<");
    const type = optional ? `Option<${inner}>` : inner;
    const doc = rustDoc(f.description, "    ", `The \`${f.wireName}\` part.`);
    structFields.push(`${doc}    pub ${name}: ${type},\n`);
    const wire = rustString(f.wireName);
    const resolved = types.resolve(f.type);
    const add = (value: string, indent: string): string[] => {
      if (f.file === "one") return [`${indent}form.file(${wire}, ${value});\n`];
      if (f.file === "many")
        return [`${indent}for file in ${value} {\n`, `${indent}    form.file(${wire}, file);\n`, `${indent}}\n`];
      if (types.scalar(f.type)) return [`${indent}form.text(${wire}, ${value});\n`];
      if (resolved.kind === "array" && types.scalar(resolved.items))
        return [`${indent}for item in ${value} {\n`, `${indent}    form.text(${wire}, item);\n`, `${indent}}\n`];
      return [`${indent}form.json(${wire}, ${value});\n`];
    };
    if (type.startsWith("Option<")) {
      lines.push(`        if let Some(value) = &BODY.${name} {\n`, ...add("value", "            "), "        }\n");
    } else {
      lines.push(...add(`&BODY.${name}`, "        "));
    }
  }
  const allOptional = fields.every((f) => !f.required);
  const struct =
    `/// The parts of the multipart body of [\`${method}\`].\n` +
    `#[derive(Debug, Clone, PartialEq${allOptional ? ", Default" : ""})]\npub struct ${structName} {\n${structFields.join("")}}\n`;
  const mutable = lines.length > 0 ? "mut " : "";
  return {
    type: structName,
    struct,
    lines: [`        let ${mutable}form = ${ctor};\n`, ...lines],
  };
}

/**
 * A WebSocket channel with `x-websocket.protocol` conventions: a method opening the runtime's
 * reconnecting client (credentials go in the upgrade request's headers). Without the conventions
 * the channel is skipped (see the resource file's note).
 */
export function websocketMethod(
  types: RustTypes,
  op: Operation,
  channel: WebSocketChannel,
  property: string,
  clientName: string,
  libName: string,
): Method | null {
  const conventions = webSocketConventions(channel);
  const welcome = conventions?.welcome;
  const lastEventIdField = conventions?.lastEventIdField;
  if (!conventions || welcome === undefined || lastEventIdField === undefined) return null;
  const opt = (v: string | undefined) => (v === undefined ? "None" : `Some(${rustString(v)})`);
  const codes = conventions.finalCloseCodes ?? [];
  const client = types.type(channel.clientMessage, "models::");
  const server = types.type(channel.serverMessage, "models::");
  const name = op.names?.rust?.method ?? snakeCase(op.id);
  const doc = rustDoc(
    [
      op.summary,
      op.description,
      "Returns a reconnecting client (a `Stream` of server messages with `send`); it resumes after the last event id on reconnect.",
    ]
      .filter(Boolean)
      .join("\n\n"),
    "    ",
    "Open the WebSocket channel.",
  );
  const code = `${doc}    pub fn ${name}(
        &self,
        options: WsOptions,
    ) -> crate::runtime::Result<WebSocket<${client}, ${server}>> {
        const PROTOCOL: WsProtocol = WsProtocol {
            type_field: ${rustString(conventions.typeField)},
            welcome_type: ${rustString(welcome)},
            heartbeat_type: ${opt(conventions.heartbeat)},
            subscribe_type: ${opt(conventions.subscribe)},
            last_event_id_field: ${rustString(lastEventIdField)},
            event_id_pointer: ${rustString(conventions.eventIdPointer)},
            final_close_codes: &[${codes.join(", ")}],
            heartbeat_interval_field: ${opt(conventions.heartbeatIntervalField)},
        };
        self.core
            .websocket(RequestSpec::get(${rustString(channel.path)}), PROTOCOL, options)
    }`;
  return {
    code,
    items: [],
    example: {
      uses: [`use ${libName}::runtime::WsOptions;`],
      lines: [
        `// ${(op.summary ?? "WebSocket").replace(/\s+/g, " ").trim()}`,
        `let ws = ${snakeCase(clientName)}.${property}().${name}(WsOptions::default())?;`,
      ],
      usesJson: false,
    },
    usesModels: true,
    imports: ["RequestSpec", "WebSocket", "WsOptions", "WsProtocol"],
  };
}

/**
 * The method's doc comment (just before its attributes and signature) gains an `# Example`
 * section: the README's example as a `no_run` doctest, inside an async function given the client.
 */
function withDocExample(
  code: string,
  example: RustExample,
  libName: string,
  client: string,
  clientType: string,
): string {
  const lines = [
    "",
    "# Example",
    "",
    "```no_run",
    `# async fn example(${client}: &${libName}::${clientType}) -> Result<(), Box<dyn std::error::Error>> {`,
    ...example.uses,
    ...example.lines.filter((l) => !l.startsWith("// ")),
    "# Ok(())",
    "# }",
    "```",
  ].map((l) => (l === "" ? "    ///" : `    /// ${l}`));
  // The doc comment is the leading run of `///` lines.
  const codeLines = code.split("\n");
  const docEnd = codeLines.findIndex((l) => !l.trimStart().startsWith("///"));
  return [...codeLines.slice(0, docEnd), ...lines, ...codeLines.slice(docEnd)].join("\n");
}
