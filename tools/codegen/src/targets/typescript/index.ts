// The `typescript` target: an SDK with zero runtime dependencies. The hand-written runtime
// (templates/typescript/runtime/src) is copied into `runtime/`; models, one resource class per
// group, the client and the README are rendered. JSON field names stay as on the wire (as the
// best hand-polished SDKs do), so nothing is converted and nothing can be lost.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GeneratorError } from "../../errors.ts";
import type { ApiIR, Operation, Parameter, TypeRef, WebSocketChannel } from "../../ir/types.ts";
import { pascalCase, snakeCase, upperSnakeCase } from "../../naming/index.ts";
import { exampleJson } from "../example-values.ts";
import { templatesRoot } from "../generate.ts";
import { ERROR_FAMILIES, errorBodies, familyCovers, taggedUnionFor, webSocketConventions } from "../sdk-common.ts";
import { arrayDelimiter, flatShape, isObjectType, isScalar, isScalarOrScalarArray, resolveType } from "../shapes.ts";
import { docComment, propertyKey, typePrinter, unknownArm } from "../ts-types.ts";
import type { Target } from "../types.ts";
import { type Decoders, planDecoders } from "./decoders.ts";

export interface TypeScriptOptions {
  /** The client class (default: from the title, "TKA API" -> "TKA"). */
  clientName?: string;
  /** The npm package name (default: "<title>-sdk" in kebab case). */
  packageName?: string;
  /** Prefix of the environment variables credentials are read from (default: from the client name). */
  envPrefix?: string;
  /** The SDK's own version, independent of the API's (default: the document's `info.version`). */
  version?: string;
}

function clientNameOf(title: string): string {
  const name = pascalCase(title.replace(/\bapi\b/i, "").trim() || title);
  return /^[A-Z0-9]+$/i.test(title.replace(/\s*api$/i, "")) ? title.replace(/\s*api$/i, "").toUpperCase() : name;
}

function successContent(op: Operation) {
  const success = op.responses.find((r) => r.status === op.successStatus);
  return success?.contents[0];
}

/**
 * The body a method sends: the first of JSON (and merge patch), form-urlencoded (a flat object),
 * binary and text. Multipart and XML-only bodies are refused.
 */
function requestBody(ir: ApiIR, op: Operation): { type: TypeRef; mediaType: string; kind: string } | null {
  if (op.requestBody === null) return null;
  const content = op.requestBody.contents.find((c) =>
    ["json", "merge-patch", "form", "binary", "text"].includes(c.kind),
  );
  const pointer = `${op.source.pointer}/requestBody`;
  if (content === undefined) {
    throw new GeneratorError(
      op.source.file,
      pointer,
      "the typescript target sends JSON, form-urlencoded, binary and text request bodies only",
    );
  }
  if (content.kind === "form" && flatShape(ir, content.type) === null) {
    throw new GeneratorError(
      op.source.file,
      pointer,
      "the typescript target form-encodes objects of scalars and arrays of scalars only",
    );
  }
  return { type: content.type, mediaType: content.mediaType, kind: content.kind };
}

/** The name a header or cookie parameter takes in the params object: snake_case, like the wire names. */
function paramKey(p: Parameter, taken: Set<string>): string {
  if (p.in === "query") return p.name;
  const base = p.names?.python?.param ?? snakeCase(p.name);
  let key = base;
  for (let i = 2; taken.has(key); i++) key = i === 2 ? `${base}_${p.in}` : `${base}_${p.in}${i}`;
  return key;
}

export function typescriptTarget(options: TypeScriptOptions = {}): Target {
  return {
    name: "typescript",
    language: "typescript",
    runtimeDir: "typescript/runtime/src",
    runtimeOut: "src/runtime",
    render(ir: ApiIR, render) {
      const clientName = options.clientName ?? clientNameOf(ir.info.title);
      const packageName =
        options.packageName ??
        `${ir.info.title
          .replace(/\s*api$/i, "")
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, "-")}-sdk`;
      const envPrefix = options.envPrefix ?? upperSnakeCase(clientName);
      const models = typePrinter(ir, { openEnums: true, openUnions: true });
      const qualified = typePrinter(ir, { openEnums: true, openUnions: true, qualifier: "M." });
      const decoders = planDecoders(ir, qualified.type);
      const apiKey = ir.securitySchemes.find((s) => s.type === "apiKey" && s.in === "header");
      const examples: { group: string; line: string }[] = [];
      const idempotencyHeader = ir.operations.find((o) => o.idempotencyKey !== null)?.idempotencyKey?.header;

      const resources = ir.groups.map((group) => {
        const property = group.names?.typescript?.property ?? group.name;
        const methods = group.operations.flatMap((id) => {
          const op = ir.operations.find((o) => o.id === id) as Operation;
          if (op.websocket !== null) {
            const channel = ir.channels.find((c) => c.id === op.websocket);
            const method = channel ? websocketMethod(ir, channel, qualified.type, op, decoders) : null;
            if (method === null) return []; // A channel without protocol conventions: no client method.
            const title = (op.summary ?? "WebSocket").replace(/\s+/g, " ").trim();
            examples.push({
              group: group.name,
              line: `// ${title}\nconst ws = client.${property}.${method.name}();\nfor await (const message of ws) console.log(message);`,
            });
            return [method];
          }
          return [operationMethod(ir, op, qualified.type, decoders, property, group.name, examples)];
        });
        const queryEntries = methods.flatMap((m) => m.query || []);
        const usesQueryObjects = queryEntries.some((q) => q.object || q.deepObject);
        const queryValues = [
          ...(queryEntries.some((q) => q.deepObject) ? ["deepObjectQuery"] : []),
          ...(queryEntries.some((q) => q.delimiter) ? ["delimitedQuery"] : []),
        ];
        const queryNames = [...queryValues, ...(usesQueryObjects ? ["type QueryValue"] : [])];
        const queryImport =
          queryNames.length === 0
            ? ""
            : queryValues.length === 0
              ? 'import type { QueryValue } from "../runtime/internal/query.ts";'
              : `import { ${queryNames.join(", ")} } from "../runtime/internal/query.ts";`;
        return {
          className: group.names?.typescript?.className ?? pascalCase(group.name),
          module: group.names?.typescript?.module ?? group.name,
          property,
          doc: docComment(group.description ?? `The ${group.name} operations.`),
          methods,
          usesPages: methods.some((m) => m.call === "requestPage"),
          usesStreams: methods.some((m) => m.streaming !== false),
          usesPromise: methods.some((m) => m.call === "request"),
          usesQueryObjects,
          queryImport,
          usesBinaryBodies: methods.some((m) => m.args.some((a) => a.type === "BinaryBody")),
          usesWebSocket: methods.some((m) => m.websocket !== false),
          usesETags: methods.some((m) => m.params !== false && m.params.some((p) => p.etag)),
          usesDecoders: methods.some((m) => m.usesDecoders),
        };
      });

      // Names the runtime exports too: the model wins in the package index (explicit re-export).
      const runtimeIndex = readFileSync(join(templatesRoot, "typescript/runtime/src/index.ts"), "utf8");
      const runtimeNames = new Set(
        [...runtimeIndex.matchAll(/\b(?:type\s+)?([A-Z]\w*)\b/g)].map((m) => m[1] as string),
      );
      const errorClasses = errorFamilies(ir, qualified.type);
      const modelNames = ir.models.flatMap((m) => {
        const name = m.names?.typescript?.type ?? m.name;
        const arm = unknownArm(ir, m);
        return arm === null ? [name] : [name, arm.typeName];
      });
      // A model named like a runtime export wins in the index (an error class of that name is
      // then exported untyped, from the runtime only).
      const shadowed = modelNames.filter((n) => runtimeNames.has(n));
      const view = {
        shadowed: shadowed.join(", "),
        errors: errorClasses
          .map((c) => c.name)
          .filter((n) => !modelNames.includes(n))
          .join(", "),
        title: ir.info.title,
        version: options.version ?? ir.info.version,
        description: ir.info.description ?? "",
        clientName,
        packageName,
        defaultBaseURL: ir.servers[0]?.url ?? "",
        apiKeyHeader: apiKey?.parameterName ?? "",
        idempotencyHeader:
          idempotencyHeader !== undefined && idempotencyHeader !== "Idempotency-Key" ? idempotencyHeader : "",
        env: {
          apiKey: `${envPrefix}_API_KEY`,
          bearerToken: `${envPrefix}_BEARER_TOKEN`,
          baseURL: `${envPrefix}_BASE_URL`,
        },
        resources,
        examples: resources.map((r) => ({
          property: r.property,
          lines: examples
            .filter(
              (e) => e.group === ir.groups.find((g) => (g.names?.typescript?.property ?? g.name) === r.property)?.name,
            )
            .map((e) => e.line),
        })),
      };
      return [
        {
          path: "src/models.ts",
          content: render("typescript/models.ts.hbs", {
            models: ir.models.map((m) => models.declaration(m)).join("\n"),
          }),
        },
        ...(decoders.functions.length > 0
          ? [{ path: "src/decode.ts", content: render("typescript/decode.ts.hbs", { functions: decoders.functions }) }]
          : []),
        {
          path: "src/errors.ts",
          content: render("typescript/errors.ts.hbs", {
            classes: errorClasses,
            usesModels: errorClasses.some((c) => c.problem.includes("M.")),
          }),
        },
        ...resources.map((r) => ({
          path: `src/resources/${r.module}.ts`,
          content: render("typescript/resource.ts.hbs", r),
        })),
        { path: "src/client.ts", content: render("typescript/client.ts.hbs", view) },
        { path: "src/index.ts", content: render("typescript/index.ts.hbs", view) },
        { path: "README.md", content: render("typescript/README.md.hbs", view) },
      ];
    },
  };
}

/** Each runtime error class with `problem` typed as the union of the bodies declared for its statuses. */
function errorFamilies(ir: ApiIR, type: (ref: TypeRef) => string) {
  const bodies = ir.operations.flatMap((op) => errorBodies(op));
  return ERROR_FAMILIES.map((family) => {
    const types = [...new Set(bodies.filter((b) => familyCovers(family, b.status)).map((b) => type(b.type)))];
    return {
      name: family.name,
      doc: family.doc,
      problem: types.length === 0 ? "never" : types.join(" | "),
      problemDoc:
        types.length === 0
          ? "always undefined: the API declares no error body for these statuses"
          : `the body decoded as the API declares it (\`${types.join(" | ").replaceAll("M.", "")}\`), when the operation declares one for the status`,
    };
  });
}

/** What resource.ts.hbs renders for one method; `false` marks what a method does not have. */
interface MethodView {
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
  contentType: string | false;
  accept: string | false;
  responseType: string | false;
  errors: string | false;
  decode: string | false;
  page: { cursorParam: string; decodeItem: string | false } | false;
  streaming: { decode: string } | false;
  websocket: Record<string, string | false> | false;
  /** The client method: request, requestPage, requestStream (or websocket). */
  call: string;
  typeArg: string;
  returns: string;
  usesDecoders: boolean;
}

interface QueryEntry {
  key: string;
  name: string;
  value: string;
  delimiter: string | false;
  deepObject: boolean;
  object: boolean;
}

/** The view of one HTTP operation's method, rendered by resource.ts.hbs. */
function operationMethod(
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
  const bodyType = (b: NonNullable<typeof body>) =>
    b.kind === "binary" ? "BinaryBody" : b.kind === "text" ? "string" : inputType(ir, b.type, type);
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
      return {
        key: propertyKey(p.name),
        name: JSON.stringify(p.name),
        value: access(p),
        delimiter: delimiter === null ? false : JSON.stringify(delimiter),
        deepObject: object && p.style === "deepObject",
        object: object && p.style !== "deepObject",
      };
    });
  const headers = extra
    .filter((p) => p.in === "header")
    .map((p) => ({ name: JSON.stringify(p.name), value: access(p), etag: isETag(p) }));
  const cookies = extra.filter((p) => p.in === "cookie").map((p) => ({ key: propertyKey(p.name), value: access(p) }));
  const declared = errorBodies(op).map((e) => e.status);
  const view: MethodView = {
    doc: docComment([op.summary, op.description].filter(Boolean).join("\n\n"), "  "),
    name,
    args,
    params: params.length > 0 ? params : false,
    method: op.method,
    path: JSON.stringify(op.path),
    pathParams:
      pathParams.length > 0
        ? pathParams.map((p) => ({ key: propertyKey(p.name), value: p.names?.typescript?.param ?? p.name }))
        : false,
    query: query.length > 0 ? query : false,
    headers: headers.length > 0 ? headers : false,
    cookies: cookies.length > 0 ? cookies : false,
    body: body !== null,
    contentType: body && body.mediaType !== "application/json" ? JSON.stringify(body.mediaType) : false,
    accept: false,
    responseType: false,
    errors: declared.length > 0 ? JSON.stringify(declared.join(" ")) : false,
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
    view.page = {
      cursorParam: JSON.stringify(op.pagination.cursorParam),
      decodeItem: decodeItem === null ? false : `(item) => ${prefixDecoders(decodeItem)} as ${item}`,
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
        view.decode = `(json) => ${prefixDecoders(decode)} as ${result}`;
        view.usesDecoders = true;
      }
    }
    view.typeArg = result;
    view.returns = `APIPromise<${result}>`;
  }

  const exampleBody =
    body?.kind === "binary"
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

/** Decoder calls are made from the resource modules, through the `D` namespace import. */
function prefixDecoders(expr: string): string {
  return expr.replace(/\b(decode[A-Z]\w*|isRecord)\(/g, "D.$1(");
}

/**
 * The type of a value the client sends: an open union without its Unknown arm (that arm only
 * describes what a newer server may answer; sending it makes no sense).
 */
function inputType(ir: ApiIR, ref: TypeRef, type: (ref: TypeRef) => string): string {
  const model = ref.kind === "model" ? ir.models.find((m) => m.name === ref.name) : undefined;
  const arm = model === undefined ? null : unknownArm(ir, model);
  return arm === null ? type(ref) : `Exclude<${type(ref)}, M.${arm.typeName}>`;
}

function isStringType(ir: ApiIR, ref: TypeRef): boolean {
  const resolved = resolveType(ir, ref);
  return resolved.kind === "primitive" && resolved.type === "string";
}

/**
 * Refuses a parameter the runtime cannot write: headers and cookies take scalars; the query also
 * arrays of scalars and flat objects (scalars and arrays of scalars) with style deepObject, or
 * form with explode.
 */
function checkParameter(ir: ApiIR, p: Parameter): void {
  if (p.in !== "query") {
    if (isScalar(ir, p.type)) return;
    throw new GeneratorError(
      p.source.file,
      p.source.pointer,
      `the typescript target sends scalar ${p.in} parameters only`,
    );
  }
  if (isScalarOrScalarArray(ir, p.type)) return;
  if (flatShape(ir, p.type) !== null && (p.style === "deepObject" || (p.style === "form" && p.explode))) return;
  throw new GeneratorError(
    p.source.file,
    p.source.pointer,
    "the typescript target sends scalar query parameters, arrays of them, and flat objects (scalars and arrays of scalars) with style deepObject or form + explode only",
  );
}

/**
 * The view of a method that opens a WebSocket channel with the runtime's reconnecting client,
 * configured from the channel's `x-websocket.protocol` conventions. Credentials go in the first
 * message (browsers cannot set headers on a WebSocket).
 */
function websocketMethod(
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
    contentType: false,
    accept: false,
    responseType: false,
    errors: false,
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
function tsLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(tsLiteral).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const members = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k)}: ${tsLiteral(v)}`,
    );
    return members.length === 0 ? "{}" : `{ ${members.join(", ")} }`;
  }
  return JSON.stringify(value) ?? "undefined";
}
