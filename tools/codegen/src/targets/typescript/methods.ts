import { GeneratorError } from "../../errors.ts";
import type { ApiIR, BodyContent, Operation, Parameter, TypeRef, WebSocketChannel } from "../../ir/types.ts";
import { snakeCase } from "../../naming/index.ts";
import { exampleJson } from "../example-values.ts";
import { errorBodies, requestPath, sendableBody, taggedUnionFor, webSocketConventions } from "../sdk-common.ts";
import {
  arrayDelimiter,
  flatShape,
  isObjectType,
  isScalarOrScalarArray,
  isStyleable,
  type MultipartField,
  modelsByName,
  multipartFields,
  needsStyle,
  resolveType,
} from "../shapes.ts";
import { docComment, propertyKey, unknownArm } from "../ts-types.ts";
import type { Decoders } from "./decoders.ts";

export function successContent(op: Operation) {
  const success = op.responses.find((r) => r.status === op.successStatus);
  return success?.contents[0];
}

/** The body a method sends (see sendableBody). */
export function requestBody(ir: ApiIR, op: Operation): BodyContent | null {
  return sendableBody(ir, op, "typescript");
}

/** The name a header or cookie parameter takes in the params object: snake_case, like the wire names. */
export function paramKey(p: Parameter, taken: Set<string>): string {
  if (p.in === "query") return p.name;
  const base = p.names?.python?.param ?? snakeCase(p.name);
  let key = base;
  for (let i = 2; taken.has(key); i++) key = i === 2 ? `${base}_${p.in}` : `${base}_${p.in}${i}`;
  return key;
}

/** What resource.ts.hbs renders for one method; `false` marks what a method does not have. */
export interface MethodView {
  doc: string;
  name: string;
  args: Array<{ name: string; type: string; default: string | false }>;
  params: Array<{ key: string; type: string; doc: string; etag: boolean }> | false;
  method: string;
  path: string;
  pathParams: Array<{ key: string; value: string }> | false;
  query: QueryEntry[] | false;
  headers: Array<{ name: string; value: string; etag: boolean }> | false;
  cookies: Array<{ key: string; value: string }> | false;
  body: boolean;
  /** A multipart body: sent as `multipartBody(body, encoding?)` (the encoding as JSON, or false). */
  multipart: { encoding: string | false } | false;
  contentType: string | false;
  accept: string | false;
  responseType: string | false;
  errors: string | false;
  /**
   * The idempotency header the operation declares (JSON string): the runtime sends a key generated
   * once per call in it and retries the call; without one only safe methods are retried.
   */
  idempotencyHeader: string | false;
  /** The answer's decoder: `(json) => <expr> as <type>`. */
  decode: { expr: string; type: string } | false;
  page:
    | {
        cursorParam: string;
        /** Each item's decoder: `(item) => <expr> as <type>`. */
        decodeItem: { expr: string; type: string } | false;
        /** The page body's member names (JSON strings), unless the runtime's defaults. */
        fields: { items: string; nextCursor: string; hasMore: string } | false;
        style: string | false;
        limitParam: string | false;
      }
    | false;
  streaming: { decode: string } | false;
  websocket: Record<string, string | false> | false;
  /** The client method: request, requestPage, requestStream (or websocket). */
  call: string;
  typeArg: string;
  returns: string;
  usesDecoders: boolean;
}

export interface QueryEntry {
  key: string;
  name: string;
  value: string;
  delimiter: string | false;
  deepObject: boolean;
  object: boolean;
}

/** The view of one HTTP operation's method, rendered by resource.ts.hbs. */
export function operationMethod(
  ir: ApiIR,
  op: Operation,
  type: (ref: TypeRef) => string,
  decoders: Decoders,
  property: string,
  groupName: string,
  examples: { group: string; line: string }[],
): MethodView {
  const name = op.names?.typescript?.method ?? op.id;
  const pathParams = op.parameters.filter((p) => p.in === "path");
  const extra = op.parameters.filter(
    (p) =>
      (p.in === "query" || p.in === "header" || p.in === "cookie") &&
      p.role !== "idempotency-key" &&
      p.role !== "last-event-id",
  );
  for (const p of extra) checkParameter(ir, p);
  for (const p of pathParams) {
    if (!isStyleable(ir, p.type)) {
      throw new GeneratorError(
        p.source.file,
        p.source.pointer,
        "the typescript target sends path parameters that are scalars, arrays of scalars or flat objects only",
      );
    }
  }
  // Query, header and cookie parameters share one params object: query parameters by their wire
  // names, headers and cookies in snake_case (`if_match`), so every key reads the same way.
  const taken = new Set(extra.filter((p) => p.in === "query").map((p) => p.name));
  const keys = new Map<Parameter, string>();
  for (const p of extra) {
    const key = paramKey(p, taken);
    taken.add(key);
    keys.set(p, key);
  }
  const access = (p: Parameter) => `params[${JSON.stringify(keys.get(p))}]`;
  const isETag = (p: Parameter) =>
    p.in === "header" && (p.role === "if-match" || p.role === "if-none-match") && isStringType(ir, p.type);
  const body = requestBody(ir, op);
  const content = successContent(op);
  const parts = body?.kind === "multipart" ? multipartFields(ir, body) : null;
  const bodyType = (b: NonNullable<typeof body>) =>
    b.kind === "binary"
      ? "BinaryBody"
      : b.kind === "text"
        ? "string"
        : b.kind === "multipart"
          ? multipartType(parts, type)
          : inputType(ir, b.type, type);
  const args = [
    ...pathParams.map((p) => ({
      name: p.names?.typescript?.param ?? p.name,
      type: type(p.type),
      default: false as const,
    })),
    ...(body ? [{ name: "body", type: bodyType(body), default: false as const }] : []),
  ];
  const params = extra.map((p) => ({
    key: propertyKey(keys.get(p) as string),
    type: isETag(p) ? "ETagInput" : type(p.type),
    doc: docComment(
      [p.description, isETag(p) ? "A version number or a resource with a `version` is sent as its strong tag." : ""]
        .filter(Boolean)
        .join("\n\n"),
      "      ",
    ),
    etag: isETag(p),
  }));
  const query: QueryEntry[] = extra
    .filter((p) => p.in === "query")
    .map((p) => {
      const delimiter = arrayDelimiter(ir, p);
      const object = delimiter === null && isObjectType(ir, p.type);
      // A non-exploded object (form, pipeDelimited, spaceDelimited) is one joined value.
      const joined =
        object && p.style !== "deepObject" && !p.explode
          ? p.style === "pipeDelimited"
            ? "|"
            : p.style === "spaceDelimited"
              ? " "
              : ","
          : null;
      return {
        key: propertyKey(p.name),
        name: JSON.stringify(p.name),
        value: joined === null ? access(p) : `joinedObject(${access(p)} as StyleValue, ${JSON.stringify(joined)})`,
        delimiter: delimiter === null ? false : JSON.stringify(delimiter),
        deepObject: object && p.style === "deepObject",
        object: object && p.style !== "deepObject" && joined === null,
      };
    });
  // Arrays and objects in headers and cookies are written in their style (simple, form).
  const styled = (p: Parameter, expr: string) => {
    if (!needsStyle(ir, p)) return expr;
    const value = `${expr} as StyleValue`;
    return p.in === "header"
      ? `styleHeader(${value}, ${p.explode})`
      : p.in === "cookie"
        ? `styleCookie(${JSON.stringify(p.name)}, ${value}, ${p.explode})`
        : `stylePath(${JSON.stringify(p.style)}, ${JSON.stringify(p.name)}, ${value}, ${p.explode})`;
  };
  const headers = extra
    .filter((p) => p.in === "header")
    .map((p) => ({ name: JSON.stringify(p.name), value: styled(p, access(p)), etag: isETag(p) }));
  const cookies = extra
    .filter((p) => p.in === "cookie")
    .map((p) => ({ key: propertyKey(p.name), value: styled(p, access(p)) }));
  const declared = errorBodies(op).map((e) => e.status);
  const view: MethodView = {
    doc: docComment([op.summary, op.description].filter(Boolean).join("\n\n"), "  "),
    name,
    args,
    params: params.length > 0 ? params : false,
    method: op.method,
    path: JSON.stringify(requestPath(op)),
    pathParams:
      pathParams.length > 0
        ? pathParams.map((p) => ({ key: propertyKey(p.name), value: styled(p, p.names?.typescript?.param ?? p.name) }))
        : false,
    query: query.length > 0 ? query : false,
    headers: headers.length > 0 ? headers : false,
    cookies: cookies.length > 0 ? cookies : false,
    body: body !== null,
    multipart:
      body?.kind === "multipart"
        ? { encoding: body.encoding === undefined ? false : JSON.stringify(body.encoding) }
        : false,
    // A multipart body's Content-Type (with its boundary) is set by fetch from the FormData.
    contentType:
      body && body.kind !== "multipart" && body.mediaType !== "application/json"
        ? JSON.stringify(body.mediaType)
        : false,
    accept: false,
    responseType: false,
    errors: declared.length > 0 ? JSON.stringify(declared.join(" ")) : false,
    idempotencyHeader: op.idempotencyKey ? JSON.stringify(op.idempotencyKey.header) : false,
    decode: false,
    page: false,
    streaming: false,
    websocket: false,
    call: "request",
    typeArg: "",
    returns: "",
    usesDecoders: false,
  };
  if (op.pagination) {
    const item = type(op.pagination.itemType);
    const decodeItem = decoders.expr(op.pagination.itemType, "item");
    view.call = "requestPage";
    view.typeArg = item;
    view.returns = `PagePromise<${item}>`;
    const p = op.pagination;
    const standard = p.itemsField === "data" && p.nextCursorField === "next_cursor" && p.hasMoreField === "has_more";
    view.page = {
      cursorParam: JSON.stringify(p.cursorParam),
      decodeItem: decodeItem === null ? false : { expr: prefixDecoders(decodeItem), type: item },
      fields: standard
        ? false
        : {
            items: JSON.stringify(p.itemsField),
            nextCursor: JSON.stringify(p.nextCursorField),
            hasMore: JSON.stringify(p.hasMoreField),
          },
      style: p.style === "cursor" ? false : JSON.stringify(p.style),
      limitParam:
        (p.style === "offset" || p.style === "page") && p.limitParam !== null ? JSON.stringify(p.limitParam) : false,
    };
    view.usesDecoders = decodeItem !== null;
  } else if (op.streaming) {
    const events = content?.stream?.events ?? [];
    // A stream whose events are exactly a discriminated union's variants yields that (open) union.
    const union = taggedUnionFor(ir, events);
    const eventType = union
      ? type(union)
      : events.length > 0
        ? [...new Set(events.map((e) => type(e.type)))].join(" | ")
        : "string";
    const decode = union ? decoders.expr(union, "JSON.parse(message.data)") : null;
    view.call = "requestStream";
    view.typeArg = eventType;
    view.returns = `EventStream<${eventType}>`;
    view.streaming = {
      decode: decode === null ? `JSON.parse(message.data) as ${eventType}` : prefixDecoders(decode),
    };
    view.usesDecoders = decode !== null;
  } else {
    let result = content?.type ? type(content.type) : "void";
    // Binary and text answers: the exact bytes or the text, with a matching Accept.
    if (content?.kind === "binary" || content?.kind === "text") {
      result = content.kind === "binary" ? "Uint8Array" : "string";
      view.accept = JSON.stringify(content.mediaType);
      view.responseType = content.kind === "binary" ? '"bytes"' : '"text"';
    } else if (content?.type !== undefined) {
      const decode = decoders.expr(content.type, "json");
      if (decode !== null) {
        view.decode = { expr: prefixDecoders(decode), type: result };
        view.usesDecoders = true;
      }
    }
    view.typeArg = result;
    view.returns = `APIPromise<${result}>`;
  }

  const exampleBody =
    body?.kind === "multipart"
      ? `{ ${(parts ?? [])
          .filter((p) => p.required || p.file !== null)
          .map(
            (p) =>
              `${propertyKey(p.wireName)}: ${p.file === "one" ? "new Blob([/* … */])" : p.file === "many" ? "[new Blob([/* … */])]" : '"…"'}`,
          )
          .join(", ")} }`
      : body?.kind === "binary"
        ? "new Uint8Array([/* … */])"
        : body?.kind === "text"
          ? `"…"`
          : body?.type !== undefined
            ? tsLiteral(exampleJson(ir, body.type))
            : "{}";
  const exampleArgs = [...pathParams.map(() => `"…"`), ...(body ? [exampleBody] : [])];
  const etagParam = params.find((p) => p.etag);
  if (etagParam !== undefined) exampleArgs.push(`{ ${etagParam.key}: 3 }`);
  const exampleCall = `client.${property}.${name}(${exampleArgs.join(", ")})`;
  const title = `// ${(op.summary ?? `${op.method.toUpperCase()} ${op.path}`).replace(/\s+/g, " ").trim()}\n`;
  examples.push({
    group: groupName,
    line:
      title +
      (op.pagination
        ? `for await (const item of ${exampleCall}) console.log(item);`
        : op.streaming
          ? `for await (const event of ${exampleCall}) console.log(event);`
          : `console.log(await ${exampleCall});`),
  });
  return view;
}

/**
 * The argument type of a multipart body: its parts as an object (files as `Uploadable`: a Blob,
 * a File or bytes), or a `FormData` built by the caller; any `FormData` when the document does
 * not describe the parts.
 */
export function multipartType(parts: MultipartField[] | null, type: (ref: TypeRef) => string): string {
  if (parts === null) return "FormData";
  const members = parts.map((p) => {
    const t = p.file === "one" ? "Uploadable" : p.file === "many" ? "Uploadable[]" : type(p.type);
    return `${propertyKey(p.wireName)}${p.required ? "" : "?"}: ${t}`;
  });
  return `{ ${members.join("; ")} } | FormData`;
}

/** The style helpers the methods of a resource call (`stylePath`, `styleHeader`, `styleCookie`). */
export function styleImportOf(methods: MethodView[]): string {
  const text = methods
    .flatMap((m) => [
      ...(m.pathParams || []).map((p) => p.value),
      ...(m.headers || []).map((h) => h.value),
      ...(m.cookies || []).map((c) => c.value),
      ...(m.query || []).map((q) => q.value),
    ])
    .join("\n");
  const names = ["joinedObject", "styleCookie", "styleHeader", "stylePath"].filter((n) => text.includes(`${n}(`));
  if (names.length === 0) return "";
  return `import { ${[...names, "type StyleValue"].join(", ")} } from "../runtime/internal/style.ts";`;
}

/** Decoder calls are made from the resource modules, through the `D` namespace import. */
export function prefixDecoders(expr: string): string {
  return expr.replace(/\b(decode[A-Z]\w*|isRecord)\(/g, "D.$1(");
}

/**
 * The type of a value the client sends: an open union without its Unknown arm (that arm only
 * describes what a newer server may answer; sending it makes no sense).
 */
export function inputType(ir: ApiIR, ref: TypeRef, type: (ref: TypeRef) => string): string {
  const model = ref.kind === "model" ? modelsByName(ir).get(ref.name) : undefined;
  const arm = model === undefined ? null : unknownArm(ir, model);
  return arm === null ? type(ref) : `Exclude<${type(ref)}, M.${arm.typeName}>`;
}

export function isStringType(ir: ApiIR, ref: TypeRef): boolean {
  const resolved = resolveType(ir, ref);
  return resolved.kind === "primitive" && resolved.type === "string";
}

/**
 * Refuses a parameter the runtime cannot write: headers and cookies take scalars; the query also
 * arrays of scalars and flat objects (scalars and arrays of scalars) with style deepObject, or
 * form with explode.
 */
export function checkParameter(ir: ApiIR, p: Parameter): void {
  if (p.in !== "query") {
    if (isStyleable(ir, p.type)) return;
    throw new GeneratorError(
      p.source.file,
      p.source.pointer,
      `the typescript target sends ${p.in} parameters that are scalars, arrays of scalars or flat objects only`,
    );
  }
  if (isScalarOrScalarArray(ir, p.type)) return;
  if (flatShape(ir, p.type) !== null) return;
  throw new GeneratorError(
    p.source.file,
    p.source.pointer,
    "the typescript target sends query parameters that are scalars, arrays of scalars or flat objects (scalars and arrays of scalars) only",
  );
}

/**
 * The view of a method that opens a WebSocket channel with the runtime's reconnecting client,
 * configured from the channel's `x-websocket.protocol` conventions. Credentials go in the first
 * message (browsers cannot set headers on a WebSocket).
 */
export function websocketMethod(
  ir: ApiIR,
  channel: WebSocketChannel,
  type: (ref: TypeRef) => string,
  op: Operation,
  decoders: Decoders,
): MethodView | null {
  const conventions = webSocketConventions(channel);
  if (!conventions) return null;
  const { welcome, subscribe, lastEventIdField, typeField, event, auth, tokenField } = conventions;
  if (welcome === undefined || subscribe === undefined || lastEventIdField === undefined) return null;
  const client = inputType(ir, channel.clientMessage, type);
  const server = type(channel.serverMessage);
  const pointer = conventions.eventIdPointer.split("/").slice(1);
  const decode = decoders.expr(channel.serverMessage, "json");
  return {
    doc: docComment(
      [
        op.summary,
        op.description,
        "Returns a reconnecting client: iterate it with `for await`, `send()` messages; it resumes after the last event id on reconnect.",
      ]
        .filter(Boolean)
        .join("\n\n"),
      "  ",
    ),
    name: op.names?.typescript?.method ?? op.id,
    args: [],
    params: false,
    method: op.method,
    path: JSON.stringify(channel.path),
    pathParams: false,
    query: false,
    headers: false,
    cookies: false,
    body: false,
    multipart: false,
    contentType: false,
    accept: false,
    responseType: false,
    errors: false,
    idempotencyHeader: false,
    decode: false,
    page: false,
    streaming: false,
    call: "websocket",
    typeArg: "",
    returns: `ReconnectingWebSocket<${client}, ${server}>`,
    usesDecoders: decode !== null,
    websocket: {
      client,
      server,
      path: JSON.stringify(channel.path),
      typeField: JSON.stringify(typeField),
      welcome: JSON.stringify(welcome),
      heartbeat: JSON.stringify(conventions.heartbeat),
      subscribe: JSON.stringify(subscribe),
      lastEventIdField: JSON.stringify(lastEventIdField),
      eventIdAccess: pointer.map((k) => `?.[${JSON.stringify(k)}]`).join(""),
      eventType: event === undefined ? false : JSON.stringify(event),
      finalCloseCodes:
        conventions.finalCloseCodes === undefined ? "undefined" : JSON.stringify(conventions.finalCloseCodes),
      decode: decode === null ? false : `(json) => ${prefixDecoders(decode)} as ${server}`,
      authType: auth === undefined ? false : JSON.stringify(auth),
      tokenField: JSON.stringify(tokenField),
      heartbeatIntervalField:
        conventions.heartbeatIntervalField === undefined ? false : JSON.stringify(conventions.heartbeatIntervalField),
    },
  };
}

/** A JSON value as a TypeScript literal (identifier keys unquoted). */
export function tsLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(tsLiteral).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const members = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k)}: ${tsLiteral(v)}`,
    );
    return members.length === 0 ? "{}" : `{ ${members.join(", ")} }`;
  }
  return JSON.stringify(value) ?? "undefined";
}
