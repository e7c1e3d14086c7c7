// The python target's methods: one operation or WebSocket channel as a sync and an async method (signature, runtime call, docs and example).
import { GeneratorError } from "../../errors.ts";
import type { Operation, Parameter, Property, TypeRef, WebSocketChannel } from "../../ir/types.ts";
import { snakeCase, upperSnakeCase } from "../../naming/index.ts";
import { PY_KEYWORDS } from "../../naming/reserved.ts";
import { errorBodies, requestPath, taggedUnionFor, webSocketConventions } from "../sdk-common.ts";
import {
  arrayDelimiter,
  flatShape,
  isScalarOrScalarArray,
  isStyleable,
  multipartFields,
  needsStyle,
} from "../shapes.ts";
import { castExpr, exampleValue } from "./examples.ts";
import { paramName, paramType } from "./models.ts";
import { type PyTypes, pyString } from "./types.ts";

/** The per-request keyword options every HTTP method takes (see `request_options`). */
export const OPTION_NAMES = ["timeout", "max_retries", "extra_headers", "extra_query", "idempotency_key"];

/** Their declarations in every HTTP method's signature. */
export const OPTION_PARAMS = [
  "timeout: TimeoutTypes | NotGiven = NOT_GIVEN",
  "max_retries: int | NotGiven = NOT_GIVEN",
  "extra_headers: Mapping[str, str | None] | None = None",
  "extra_query: Mapping[str, Any] | None = None",
  "idempotency_key: str | None = None",
].join(", ");

/** One generated method, rendered by resource.py.hbs for the sync and the async class. */
export interface PyMethod {
  name: string;
  kind: "plain" | "page" | "stream" | "websocket";
  /** Positional parameters after `self` (path parameters, then the body), as declared. */
  positional: string[];
  /** Keyword-only parameters of the operation (query, header, cookie), as declared. */
  keyword: string[];
  /**
   * When the body's members may also be passed as keyword arguments: the two overloads' body
   * parameter and member parameters, and the implementation's.
   */
  overload: { body: string; members: string[]; implBody: string; implMembers: string[] } | false;
  /** The runtime call: `request`, `request_page` or `request_stream`. */
  call: string;
  /** The runtime call's arguments, except `options`, rendered by resource.py.hbs. */
  request: PyRequest | false;
  /** Whether the method takes the per-request keyword options. */
  options: boolean;
  /** Return annotations (sync, async). */
  returns: [string, string];
  doc: string;
  /** Module-level items (stream decoders, WebSocket protocol constants), rendered by the template. */
  items: PyItem[];
  example: string;
  /** A WebSocket method's returned expressions (sync, async). */
  websocket: [string, string] | false;
}

/**
 * A module-level item of a resource module, rendered by resource.py.hbs: an error map, a stream
 * decoder (the raw data, JSON of one type, or chosen by event name) or a WebSocket channel's
 * event-id function and protocol constant. Exactly one member is not `false`.
 */
export interface PyItem {
  errorMap: { name: string; entries: PyEntry[] } | false;
  rawDecoder: { name: string } | false;
  jsonDecoder: { name: string; type: string; adapter: string } | false;
  namedDecoder:
    | { name: string; type: string; arms: Array<{ event: string; cast: string | false; adapter: string }> }
    | false;
  webSocket:
    | {
        idFn: string;
        constant: string;
        typeField: string;
        eventType: string | false;
        pointer: string[];
        oneKey: boolean;
        welcome: string;
        heartbeat: string;
        subscribe: string;
        lastEventIdField: string;
        finalCloseCodes: string;
        heartbeatIntervalField: string;
      }
    | false;
}

const NO_ITEM: PyItem = {
  errorMap: false,
  rawDecoder: false,
  jsonDecoder: false,
  namedDecoder: false,
  webSocket: false,
};

/** An item with one member set. */
export function pyItem(item: Partial<PyItem>): PyItem {
  return { ...NO_ITEM, ...item };
}

/** One `key: value` entry of a dict argument; `key: false` spreads the value (`**value`). */
export interface PyEntry {
  key: string | false;
  value: string;
}

/**
 * The arguments of a runtime call (`self._client.request(...)`), as expressions; the template
 * lays out the call. `false` marks an argument the call does not pass.
 */
export interface PyRequest {
  method: string;
  path: string;
  /** `cast_to=` (plain), `item=` (page) or `decode=` (stream) and its expression. */
  result: { name: string; value: string };
  accept: string | false;
  pathParams: PyEntry[] | false;
  query: PyEntry[] | false;
  headers: PyEntry[] | false;
  cookies: PyEntry[] | false;
  body:
    | {
        /** The body argument as it is. */
        plain: boolean;
        /** The body or its members given as keyword arguments (`body_from(body, {...})`). */
        members: PyEntry[] | false;
        /** A multipart form: its parts (false: the `body` mapping), encodings, optional body. */
        multipart: { fields: PyEntry[] | false; encodings: PyEntry[] | false; optional: boolean } | false;
      }
    | false;
  contentType: string | false;
  errors: string | false;
  cursorParam: string | false;
  pageFields: { items: string; nextCursor: string; hasMore: string } | false;
  pageStyle: { style: string; limit: string } | false;
  lastEventId: string | false;
}

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
  if (op.requestBody !== null) {
    const content = op.requestBody.contents.find((c) =>
      ["json", "merge-patch", "form", "multipart", "binary", "text"].includes(c.kind),
    );
    if (content === undefined) {
      refuse(
        op.source.file,
        `${op.source.pointer}/requestBody`,
        "sends JSON, form-urlencoded, multipart, binary and text request bodies only",
      );
    }
  }
  const multipart = op.requestBody?.contents.find((c) =>
    ["json", "merge-patch", "form", "multipart", "binary", "text"].includes(c.kind),
  );
  if (op.requestBody !== null && multipart?.kind === "multipart") {
    // A multipart body: its parts as keyword arguments (files as `FileTypes`), or a mapping of
    // fields when the document does not describe them.
    runtime.add("Multipart");
    const encodings =
      multipart.encoding === undefined
        ? false
        : Object.entries(multipart.encoding).map(([k, v]) => ({ key: pyString(k), value: pyString(v) }));
    const fields = multipartFields(types.ir, multipart);
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
        let name = f.names?.python?.field ?? snakeCase(f.wireName);
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
            `${f.names?.python?.field ?? snakeCase(f.wireName)}=${f.file === null ? exampleValue(types, f.type) : f.file === "one" ? 'b"..."' : '[b"..."]'}`,
        )
        .join(", ");
    }
  } else if (op.requestBody !== null) {
    const content = op.requestBody.contents.find((c) =>
      ["json", "merge-patch", "form", "binary", "text"].includes(c.kind),
    ) as NonNullable<typeof multipart>;
    if (content.kind === "form" && flatShape(types.ir, content.type) === null) {
      refuse(
        op.source.file,
        `${op.source.pointer}/requestBody`,
        "form-encodes objects of scalars and arrays of scalars only",
      );
    }
    bodyType = content.kind === "binary" ? "bytes" : content.kind === "text" ? "str" : ann(content.type);
    // An input-only model is also accepted as its TypedDict (`SequenceCreateParam`).
    const bodyModel = content.type.kind === "model" ? types.model(content.type.name) : undefined;
    if (bodyModel?.kind === "object" && inputOnly.has(bodyModel.name) && !types.nullable(content.type)) {
      bodyType = `${bodyType} | ${q(paramName(types, bodyModel.name))}`;
    }
    bodyExample =
      content.kind === "binary" ? 'b"..."' : content.kind === "text" ? '"..."' : exampleValue(types, content.type);
    if (content.mediaType !== "application/json") contentType = content.mediaType;
    const bodyParam = op.requestBody.required ? `body: ${bodyType}` : `body: ${bodyType} | None = None`;
    // The body's members as keyword arguments too (a second overload), unless a name clashes.
    const members =
      bodyModel?.kind === "object" && (content.kind === "json" || content.kind === "merge-patch")
        ? bodyModel.properties.filter((p) => !p.readOnly)
        : [];
    const taken = new Set([
      "self",
      "body",
      ...OPTION_NAMES,
      ...pathParams.map(pname),
      ...op.parameters.filter((p) => p.in !== "path").map(pname),
    ]);
    const memberName = (p: Property) => p.names?.python?.field ?? p.wireName;
    if (members.length > 0 && members.every((p) => !taken.has(memberName(p))) && !types.nullable(content.type)) {
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
    result = { name: "decode", value: decoder.name };
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
    !["get", "head", "options"].includes(op.method)
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
  return ["client", "models", "events", "asyncio"].includes(name) || PY_KEYWORDS.includes(name) ? fallback : name;
}

/** An If-Match / If-None-Match header of string type: takes an `ETagInput` (a version, a resource, a tag). */
function isETag(types: PyTypes, p: Parameter): boolean {
  return (
    p.in === "header" &&
    (p.role === "if-match" || p.role === "if-none-match") &&
    types.bare(types.resolve(p.type)) === "str"
  );
}

export function pname(p: Parameter): string {
  const name = p.names?.python?.param ?? snakeCase(p.name);
  // The per-request options keep their names; a parameter that shares one is renamed.
  return OPTION_NAMES.includes(name) ? `${name}_param` : name;
}

/** The module-level decoder of a stream's messages and the type it yields. */
export function streamDecoder(
  types: PyTypes,
  events: Array<{ event: string | null; type: TypeRef; contentMediaType: string | null }>,
  q: (name: string) => string,
  runtime: Set<string>,
  method: string,
): [string, { name: string; item: PyItem }] {
  const name = `_decode_${method}`;
  const jsonTyped = (e: (typeof events)[number]) =>
    !(e.contentMediaType === null && e.type.kind === "primitive" && e.type.type === "string");
  const union = taggedUnionFor(types.ir, events);
  const adapter = (ref: TypeRef) => `type_adapter(${castExpr(types, ref, q)}).validate_python`;
  runtime.add("ServerSentEvent");
  if (events.length === 0 || events.every((e) => !jsonTyped(e))) {
    // Untyped (or plain-text) events: the raw `data` of each message.
    return ["str", { name, item: pyItem({ rawDecoder: { name } }) }];
  }
  runtime.add("type_adapter");
  const distinct = [...new Set(events.map((e) => JSON.stringify(e.type)))];
  if (events.every(jsonTyped) && (union !== null || distinct.length === 1)) {
    const ref = union ?? (events[0]?.type as TypeRef);
    runtime.add("json_decoder");
    const t = types.type(ref, q);
    types.typing.add("Callable");
    return [t, { name, item: pyItem({ jsonDecoder: { name, type: t, adapter: adapter(ref) } }) }];
  }
  // Named events (of different types, or mixing JSON and text): chosen by the SSE event name;
  // names this SDK version does not know are skipped.
  const variants = [...new Set(events.map((e) => (jsonTyped(e) ? types.type(e.type, q) : "str")))];
  const t = variants.join(" | ");
  if (events.some(jsonTyped)) types.typing.add("cast");
  const arms = events.map((e): { event: string; cast: string | false; adapter: string } => ({
    event: pyString(e.event ?? "message"),
    cast: jsonTyped(e) ? pyString(types.type(e.type, q)) : false,
    adapter: castExpr(types, e.type, q),
  }));
  return [t, { name, item: pyItem({ namedDecoder: { name, type: t, arms } }) }];
}

/**
 * A WebSocket channel with `x-websocket.protocol` conventions: an async-only method returning the
 * runtime's reconnecting client. Without the conventions the channel is not generated.
 */
export function websocketMethod(
  types: PyTypes,
  op: Operation,
  channel: WebSocketChannel,
  q: (name: string) => string,
  runtime: Set<string>,
  property: string,
  asyncClient: string,
): PyMethod | null {
  const conventions = webSocketConventions(channel);
  const welcome = conventions?.welcome;
  const lastEventIdField = conventions?.lastEventIdField;
  if (!conventions || welcome === undefined || lastEventIdField === undefined) return null;
  const name = op.names?.python?.method ?? snakeCase(op.id);
  runtime.add("AsyncWebSocketClient").add("SyncWebSocketClient").add("WebSocketProtocol").add("type_adapter");
  types.typing.add("Any").add("Mapping");
  const { typeField, event: eventType } = conventions;
  const pointer = conventions.eventIdPointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const codes = conventions.finalCloseCodes ?? [];
  const constant = `_${upperSnakeCase(name)}_PROTOCOL`;
  const idFn = `_${name}_event_id`;
  const opt = (v: string | undefined) => (v === undefined ? "None" : pyString(v));
  const items = [
    pyItem({
      webSocket: {
        idFn,
        constant,
        typeField: pyString(typeField),
        eventType: eventType === undefined ? false : pyString(eventType),
        pointer: pointer.map(pyString),
        oneKey: pointer.length === 1,
        welcome: pyString(welcome),
        heartbeat: opt(conventions.heartbeat),
        subscribe: opt(conventions.subscribe),
        lastEventIdField: pyString(lastEventIdField),
        finalCloseCodes: codes.join(", "),
        heartbeatIntervalField: opt(conventions.heartbeatIntervalField),
      },
    }),
  ];
  const server = types.type(channel.serverMessage, q);
  const query = op.parameters.filter((x) => x.in === "query" && types.scalar(x.type));
  const params =
    query.length > 0 ? ["*", ...query.map((x) => `${pname(x)}: ${types.type(x.type, q)} | None = None`)] : [];
  const decode = castExpr(types, channel.serverMessage, q);
  const url =
    query.length > 0
      ? `self._client.websocket_url(${pyString(channel.path)}, query={${query.map((x) => `${pyString(x.name)}: ${pname(x)}`).join(", ")}})`
      : `self._client.websocket_url(${pyString(channel.path)})`;
  const asyncWs = `AsyncWebSocketClient(lambda: ${url}, protocol=${constant}, decode=type_adapter(${decode}).validate_python, headers=self._client.websocket_headers)`;
  const doc = [
    op.summary,
    op.description,
    `\`${op.method.toUpperCase()} ${op.path}\` (WebSocket). Returns a reconnecting client: \`with\` it, \`ws.send(message)\`, \`for message in ws\` (async client: \`async with\`, \`await ws.send(...)\`, \`async for\`). After a reconnect it re-sends the last subscribe message with the last event id, so no event is lost or repeated.`,
  ]
    .filter(Boolean)
    .join("\n\n");
  return {
    name,
    kind: "websocket",
    positional: [],
    keyword: params.filter((x) => x !== "*"),
    overload: false,
    call: "",
    request: false,
    options: false,
    websocket: [`SyncWebSocketClient(lambda: ${asyncWs})`, asyncWs],
    returns: [`SyncWebSocketClient[${server}]`, `AsyncWebSocketClient[${server}]`],
    doc,
    items,
    example: `async def watch() -> None:\n    async with ${asyncClient}() as client:\n        ws = client.${property}.${name}()\n        async with ws:\n            async for message in ws:\n                print(message)`,
  };
}

/** A parameter name that is not a Python keyword (`global` -> `global_`). */
export function pyParamName(name: string): string {
  return PY_KEYWORDS.includes(name) ? `${name}_` : name;
}
