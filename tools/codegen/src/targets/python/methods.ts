// The python target's methods: one operation as a sync and an async method (signature, runtime
// call, docs and example); streams and WebSocket channels: channels.ts; the views: views.ts.
import { GeneratorError } from "../../errors.ts";
import type { Operation, Parameter, Property, TypeRef } from "../../ir/types.ts";
import { snakeCase } from "../../naming/index.ts";
import { PY_KEYWORDS, PY_SOFT_KEYWORDS } from "../../naming/reserved.ts";
import { errorBodies, requestPath, sendableBody } from "../sdk-common.ts";
import {
  arrayDelimiter,
  flatShape,
  isScalarOrScalarArray,
  isStyleable,
  multipartFields,
  needsStyle,
} from "../shapes.ts";
import { streamDecoder } from "./channels.ts";
import { castExpr, exampleValue } from "./examples.ts";
import { paramName, paramType } from "./models.ts";
import { type PyTypes, pyString } from "./types.ts";
import { OPTION_NAMES, type PyEntry, type PyItem, type PyMethod, type PyRequest, pname } from "./views.ts";

export function refuse(file: string, pointer: string, reason: string): never {
  throw new GeneratorError(file, pointer, `the python target ${reason}`);
}

export function operationMethod(
  types: PyTypes,
  op: Operation,
  q: (name: string) => string,
  runtime: Set<string>,
  property: string,
  inputOnly: Set<string>,
  /** Error maps by their entries (JSON) -> the module constant's name. */
  errorMaps: Map<string, string>,
): PyMethod {
  const name = op.names?.python?.method ?? snakeCase(op.id);
  const ann = (ref: TypeRef) => types.type(ref, q);
  const params: string[] = [];
  let result: PyRequest["result"] = { name: "cast_to", value: "object" };
  let accept: string | false = false;
  let overload: PyMethod["overload"] = false;
  let body: NonNullable<PyRequest["body"]> = { plain: true, members: false, multipart: false };

  const pathParams = op.parameters.filter((p) => p.in === "path");
  for (const p of pathParams) {
    if (!isStyleable(types.ir, p.type)) {
      refuse(
        p.source.file,
        p.source.pointer,
        "sends path parameters that are scalars, arrays of scalars or flat objects only",
      );
    }
    params.push(`${pname(p)}: ${ann(p.type)}`);
  }

  // Body.
  let bodyType: string | null = null;
  let bodyExample = "body";
  let contentType: string | null = null;
  const multipartKeywords: string[] = [];
  const sent = sendableBody(types.ir, op, "python");
  if (op.requestBody !== null && sent?.kind === "multipart") {
    // A multipart body: its parts as keyword arguments (files as `FileTypes`), or a mapping of
    // fields when the document does not describe them.
    runtime.add("Multipart");
    const encodings =
      sent.encoding === undefined
        ? false
        : Object.entries(sent.encoding).map(([k, v]) => ({ key: pyString(k), value: pyString(v) }));
    const fields = multipartFields(types.ir, sent);
    bodyType = "multipart";
    if (fields === null) {
      types.typing.add("Any").add("Mapping");
      params.push(op.requestBody.required ? "body: Mapping[str, Any]" : "body: Mapping[str, Any] | None = None");
      body = {
        plain: false,
        members: false,
        multipart: { fields: false, encodings, optional: !op.requestBody.required },
      };
    } else {
      const taken = new Set(["self", ...OPTION_NAMES, ...op.parameters.map(pname)]);
      const entries: PyEntry[] = [];
      for (const f of fields) {
        let name = pyParamName(f.names?.python?.field ?? snakeCase(f.wireName));
        if (taken.has(name)) name = `${name}_part`;
        taken.add(name);
        if (f.file !== null) runtime.add("FileTypes");
        // `List`, not `list`: a method named `list` would shadow the builtin in the class body.
        if (f.file === "many") types.typing.add("List");
        let t = f.file === "one" ? "FileTypes" : f.file === "many" ? "List[FileTypes]" : ann(f.type);
        if (!f.required && !t.endsWith("| None")) t = `${t} | None`;
        multipartKeywords.push(f.required ? `${name}: ${t}` : `${name}: ${t} = None`);
        entries.push({ key: pyString(f.wireName), value: name });
      }
      body = { plain: false, members: false, multipart: { fields: entries, encodings, optional: false } };
      bodyExample = fields
        .filter((f) => f.required)
        .map(
          (f) =>
            `${pyParamName(f.names?.python?.field ?? snakeCase(f.wireName))}=${f.file === null ? exampleValue(types, f.type) : f.file === "one" ? 'b"..."' : '[b"..."]'}`,
        )
        .join(", ");
    }
  } else if (op.requestBody !== null && sent !== null) {
    bodyType = sent.kind === "binary" ? "bytes" : sent.kind === "text" ? "str" : ann(sent.type);
    // An input-only model is also accepted as its TypedDict (`SequenceCreateParam`).
    const bodyModel = sent.type.kind === "model" ? types.model(sent.type.name) : undefined;
    if (bodyModel?.kind === "object" && inputOnly.has(bodyModel.name) && !types.nullable(sent.type)) {
      bodyType = `${bodyType} | ${q(paramName(types, bodyModel.name))}`;
    }
    bodyExample = sent.kind === "binary" ? 'b"..."' : sent.kind === "text" ? '"..."' : exampleValue(types, sent.type);
    if (sent.mediaType !== "application/json") contentType = sent.mediaType;
    const bodyParam = op.requestBody.required ? `body: ${bodyType}` : `body: ${bodyType} | None = None`;
    // The body's members as keyword arguments too (a second overload), unless a name clashes.
    const members =
      bodyModel?.kind === "object" && (sent.kind === "json" || sent.kind === "merge-patch")
        ? bodyModel.properties.filter((p) => !p.readOnly)
        : [];
    const taken = new Set([
      "self",
      "body",
      ...OPTION_NAMES,
      ...pathParams.map(pname),
      ...op.parameters.filter((p) => p.in !== "path").map(pname),
    ]);
    // Fields may be soft keywords (`type`), parameters may not: the method body uses `type(None)`
    // and `cast("type[...]", ...)`.
    const memberName = (p: Property) => pyParamName(p.names?.python?.field ?? p.wireName);
    if (members.length > 0 && members.every((p) => !taken.has(memberName(p))) && !types.nullable(sent.type)) {
      runtime.add("NOT_GIVEN").add("NotGiven").add("body_from");
      const memberParam = (p: Property, impl: boolean) => {
        const t = paramType(types, p.type, inputOnly, q);
        if (p.required && !impl) return `${memberName(p)}: ${t}`;
        const withNotGiven = t.endsWith(" | None") ? `${t.slice(0, -7)} | NotGiven | None` : `${t} | NotGiven`;
        return `${memberName(p)}: ${withNotGiven} = NOT_GIVEN`;
      };
      overload = {
        body: bodyParam,
        members: members.map((p) => memberParam(p, false)),
        implBody: `body: ${bodyType} | None = None`,
        implMembers: members.map((p) => memberParam(p, true)),
      };
      body = {
        plain: false,
        members: members.map((p) => ({ key: pyString(p.wireName), value: memberName(p) })),
        multipart: false,
      };
    } else {
      params.push(bodyParam);
    }
  }

  const keyword: string[] = [];
  const query: PyEntry[] = [];
  const headers: PyEntry[] = [];
  const cookies: PyEntry[] = [];
  let lastEventId: Parameter | undefined;
  for (const p of op.parameters) {
    if (p.in === "path" || p.role === "idempotency-key") continue;
    if (op.streaming && p.role === "last-event-id") {
      lastEventId = p;
      continue;
    }
    const r = types.resolve(p.type);
    const object = r.kind === "model" ? types.model(r.name) : undefined;
    // An object in the query is spread into one pair per member (style form, explode).
    const spread =
      p.in === "query" &&
      object?.kind === "object" &&
      p.style === "form" &&
      p.explode &&
      object.properties.every((m) => isScalarOrScalarArray(types.ir, m.type));
    // deepObject: `name[member]=value` pairs of a map or a flat object, from the runtime's helper.
    const deep = p.in === "query" && p.style === "deepObject" && flatShape(types.ir, p.type) !== null;
    // A non-exploded object in the query is one joined value (`R,100,G,200`).
    const joined =
      p.in === "query" &&
      !spread &&
      !deep &&
      !p.explode &&
      flatShape(types.ir, p.type) !== null &&
      !isScalarOrScalarArray(types.ir, p.type)
        ? p.style === "pipeDelimited"
          ? "|"
          : p.style === "spaceDelimited"
            ? " "
            : ","
        : null;
    const ok =
      spread ||
      deep ||
      joined !== null ||
      (p.in === "query" ? isScalarOrScalarArray(types.ir, p.type) : isStyleable(types.ir, p.type));
    if (!ok) {
      refuse(
        p.source.file,
        p.source.pointer,
        `sends ${p.in} parameters that are scalars, arrays of scalars or flat objects only`,
      );
    }
    // If-Match / If-None-Match take a version or the resource too; the runtime adds the quotes.
    const etag = isETag(types, p);
    if (etag) runtime.add("ETagInput").add("format_etag");
    let annotation = etag ? "ETagInput" : ann(p.type);
    if (!p.required && !annotation.endsWith("| None")) annotation = `${annotation} | None`;
    keyword.push(p.required ? `${pname(p)}: ${annotation}` : `${pname(p)}: ${annotation} = None`);
    if (deep) {
      runtime.add("deep_object_query");
      query.push({ key: false, value: `deep_object_query(${pyString(p.name)}, ${pname(p)})` });
      continue;
    }
    const delimiter = arrayDelimiter(types.ir, p);
    if (delimiter !== null) runtime.add("delimited");
    let value = spread
      ? `${pname(p)}.model_dump(mode="json", by_alias=True, exclude_unset=True)${p.required && !annotation.endsWith("| None") ? "" : ` if ${pname(p)} is not None else None`}`
      : delimiter !== null
        ? `delimited(${pname(p)}, ${pyString(delimiter)})`
        : pname(p);
    if (etag) {
      value = `format_etag(${pname(p)})`;
    } else if (joined !== null) {
      runtime.add("joined_object");
      value = `joined_object(${pname(p)}, ${pyString(joined)})`;
    } else if (needsStyle(types.ir, p)) {
      // Arrays and objects in headers and cookies are written in their style (simple, form).
      runtime.add(p.in === "header" ? "style_header" : "style_cookie");
      value =
        p.in === "header"
          ? `style_header(${pname(p)}, ${p.explode ? "True" : "False"})`
          : `style_cookie(${pyString(p.name)}, ${pname(p)}, ${p.explode ? "True" : "False"})`;
    }
    (p.in === "query" ? query : p.in === "cookie" ? cookies : headers).push({ key: pyString(p.name), value });
  }
  if (lastEventId) keyword.push(`${pname(lastEventId)}: str | None = None`);
  keyword.push(...multipartKeywords);

  const success = op.responses.find((r) => r.status === op.successStatus);
  const content = success?.contents[0];
  const pointer = `${op.source.pointer}/responses/${success?.status}`;
  const castOf = (ref: TypeRef): [string, string] => [ann(ref), castExpr(types, ref, q)];

  const items: PyItem[] = [];
  let kind: PyMethod["kind"] = "plain";
  let returns: [string, string];
  let notes: string;
  const paginated = op.pagination !== null;
  if (paginated && op.pagination) {
    kind = "page";
    runtime.add("SyncCursorPage").add("AsyncPageRequest");
    const [item, expr] = castOf(op.pagination.itemType);
    returns = [`SyncCursorPage[${item}]`, `AsyncPageRequest[${item}]`];
    result = { name: "item", value: expr };
    notes = `Iterate the result for every item of every page (\`for item in client.${property}.${name}(...)\`); \`.data\`, \`.next_cursor\` and \`.get_next_page()\` give page-by-page access.`;
  } else if (op.streaming) {
    kind = "stream";
    runtime.add("SyncEventStream").add("AsyncEventStream");
    const [eventType, decoder] = streamDecoder(types, content?.stream?.events ?? [], q, runtime, name);
    items.push(decoder.item);
    returns = [`SyncEventStream[${eventType}]`, `AsyncEventStream[${eventType}]`];
    result = { name: "decode", value: decoder.value };
    notes =
      "A Server-Sent Events stream (use it in `with` / `async with`); it reconnects by itself and resumes after the last event id.";
  } else {
    let cast: string;
    if (content === undefined) {
      returns = ["None", "None"];
      cast = "type(None)";
    } else if (content.kind === "json" || content.kind === "problem") {
      const [t, expr] = castOf(content.type as TypeRef);
      returns = [t, t];
      cast = expr;
    } else if (content.kind === "binary") {
      returns = ["bytes", "bytes"];
      cast = "bytes";
    } else if (content.kind === "text") {
      returns = ["str", "str"];
      cast = "str";
    } else {
      refuse(op.source.file, pointer, `decodes JSON, text and binary responses only (got ${content.mediaType})`);
    }
    if (success === undefined) {
      returns = ["object", "object"];
      cast = "object";
    }
    result = { name: "cast_to", value: cast };
    notes = `\`client.${property}.with_raw_response.${name}(...)\` gives the status, headers and request id too.`;
    if (content !== undefined && content.kind !== "json" && content.kind !== "problem") {
      accept = pyString(content.mediaType);
    }
  }
  let pathEntries: PyEntry[] | false = false;
  if (pathParams.length > 0) {
    const pathValue = (p: Parameter) => {
      if (!needsStyle(types.ir, p)) return pname(p);
      runtime.add("style_path");
      return `style_path(${pyString(p.style)}, ${pyString(p.name)}, ${pname(p)}, ${p.explode ? "True" : "False"})`;
    };
    pathEntries = pathParams.map((p) => ({ key: pyString(p.name), value: pathValue(p) }));
  }
  let errors: string | false = false;
  const declared = errorBodies(op);
  if (declared.length > 0) {
    // Keyed by its entries (as JSON): operations declaring the same errors share one constant.
    const map = JSON.stringify(
      declared.map((e): PyEntry => ({ key: pyString(e.status), value: types.type(e.type, q) })),
    );
    let constant = errorMaps.get(map);
    if (constant === undefined) {
      constant = `_ERRORS_${errorMaps.size + 1}`;
      errorMaps.set(map, constant);
    }
    errors = constant;
  }
  const pg = op.pagination;
  let pageFields: PyRequest["pageFields"] = false;
  let pageStyle: PyRequest["pageStyle"] = false;
  if (
    paginated &&
    pg &&
    !(pg.itemsField === "data" && pg.nextCursorField === "next_cursor" && pg.hasMoreField === "has_more")
  ) {
    // The page body's member names, unless the runtime's defaults.
    pageFields = {
      items: pg.itemsField === null ? "None" : pyString(pg.itemsField),
      nextCursor: pyString(pg.nextCursorField),
      hasMore: pg.hasMoreField === null ? "None" : pyString(pg.hasMoreField),
    };
  }
  if (paginated && pg && pg.style !== "cursor") {
    const limit =
      (pg.style === "offset" || pg.style === "page") && pg.limitParam !== null ? pyString(pg.limitParam) : "None";
    pageStyle = { style: pyString(pg.style), limit };
  }
  const request: PyRequest = {
    method: pyString(op.method),
    path: pyString(requestPath(op)),
    result,
    accept,
    pathParams: pathEntries,
    query: query.length > 0 ? query : false,
    headers: headers.length > 0 ? headers : false,
    cookies: cookies.length > 0 ? cookies : false,
    body: bodyType !== null ? body : false,
    contentType: contentType !== null ? pyString(contentType) : false,
    errors,
    idempotencyHeader: op.idempotencyKey && !op.streaming ? pyString(op.idempotencyKey.header) : false,
    cursorParam:
      paginated && pg && pg.cursorParam !== "cursor" && pg.cursorParam !== "" ? pyString(pg.cursorParam) : false,
    pageFields,
    pageStyle,
    lastEventId: lastEventId ? pname(lastEventId) : false,
  };

  const text = [op.summary, op.description].filter(Boolean).join("\n\n");
  const lines = [
    `\`${op.method.toUpperCase()} ${op.path}\`. ${notes}`,
    overload !== false ? "The body is a model, a dict, or its members as keyword arguments." : "",
    op.idempotencyKey
      ? "An idempotency key is generated once per call and reused on every retry, so a retry is never applied twice (`idempotency_key=` sets yours)."
      : "",
    op.ifMatch
      ? "`if_match` makes the call fail with `PreconditionFailedError` (412) when the resource has changed; it takes the ETag as sent, a version number or the resource itself (quotes added)."
      : "",
    op.deprecated ? "Deprecated." : "",
  ].filter(Boolean);
  const required = op.parameters.filter(
    (p) => p.required && p.in !== "path" && p.role !== "idempotency-key" && p.role !== "last-event-id",
  );
  const ifMatchParam = op.ifMatch
    ? op.parameters.find(
        (p) =>
          p.in === "header" &&
          p.name.toLowerCase() === op.ifMatch?.header.toLowerCase() &&
          types.bare(types.resolve(p.type)) === "str",
      )
    : undefined;
  const exampleArgs = [
    ...pathParams.map((p) => (types.bare(types.resolve(p.type)) === "str" ? pyString(`<${p.name}>`) : "1")),
    ...(bodyType !== null && op.requestBody?.required ? [bodyExample] : []),
    ...required.filter((p) => p !== ifMatchParam).map((p) => `${pname(p)}=${exampleValue(types, p.type)}`),
    // A version number: the SDK sends it as the strong tag `"3"`.
    ...(ifMatchParam !== undefined ? [`${pname(ifMatchParam)}=3`] : []),
  ].join(", ");
  const exampleCall = `client.${property}.${name}(${exampleArgs})`;
  const title = `# ${(op.summary ?? `${op.method.toUpperCase()} ${op.path}`).replace(/\s+/g, " ").trim()}\n`;
  // Results are named after their type, so the examples of one README type-check together.
  const itemName = exampleVariable(returns[0].replace(/^SyncCursorPage\[(.*)\]$/, "$1"), `${name}_item`);
  const example =
    kind === "page"
      ? `${title}for ${itemName} in ${exampleCall}:\n    print(${itemName})`
      : kind === "stream"
        ? streamExample(title, exampleCall, types.ir.operations.filter((o) => o.streaming).length > 1 ? name : "")
        : returns[0] === "None"
          ? `${title}${exampleCall}`
          : `${title}${exampleVariable(returns[0], `${name}_result`)} = ${exampleCall}`;
  const call = kind === "plain" ? "request" : kind === "page" ? "request_page" : "request_stream";
  return {
    name,
    kind,
    positional: params,
    keyword,
    overload,
    call,
    request,
    options: true,
    returns,
    doc: [text, ...lines].filter(Boolean).join("\n\n"),
    items,
    example,
    websocket: false,
  };
}

/** A stream's example; with several streams in one API their variables carry the method's name (one name, one type). */
function streamExample(title: string, call: string, prefix: string): string {
  const [events, event] = prefix === "" ? ["events", "event"] : [`${prefix}_events`, `${prefix}_event`];
  return `${title}with ${call} as ${events}:\n    for ${event} in ${events}:\n        print(${event})`;
}

/**
 * A README variable for a value of this annotation: the class name in snake_case (one name, one
 * type, so a README's examples type-check together), else the fallback (named after the method).
 */
function exampleVariable(annotation: string, fallback: string): string {
  if (!/^[A-Z]\w*$/.test(annotation)) return fallback;
  const name = snakeCase(annotation);
  return ["client", "models", "events", "asyncio"].includes(name) || isPyKeyword(name) ? fallback : name;
}

/** An If-Match / If-None-Match header of string type: takes an `ETagInput` (a version, a resource, a tag). */
function isETag(types: PyTypes, p: Parameter): boolean {
  return (
    p.in === "header" &&
    (p.role === "if-match" || p.role === "if-none-match") &&
    types.bare(types.resolve(p.type)) === "str"
  );
}

/** A keyword or soft keyword (`type` is one). */
function isPyKeyword(name: string): boolean {
  return PY_KEYWORDS.includes(name) || PY_SOFT_KEYWORDS.includes(name);
}

/** A parameter name that is not a Python keyword or soft keyword (`global` -> `global_`). */
export function pyParamName(name: string): string {
  return isPyKeyword(name) ? `${name}_` : name;
}
