// The `typescript` target: an SDK with zero runtime dependencies. The hand-written runtime
// (templates/typescript/runtime/src) is copied into `runtime/`; models, one resource class per
// group, the client and the README are rendered. JSON field names stay as on the wire (as the
// best hand-polished SDKs do), so nothing is converted and nothing can be lost.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GeneratorError } from "../../errors.ts";
import type { ApiIR, Operation, Parameter, TypeRef, WebSocketChannel } from "../../ir/types.ts";
import { pascalCase, upperSnakeCase } from "../../naming/index.ts";
import { templatesRoot } from "../generate.ts";
import { webSocketConventions } from "../sdk-common.ts";
import { arrayDelimiter, flatShape, isObjectType, isScalar, isScalarOrScalarArray } from "../shapes.ts";
import { docComment, propertyKey, typePrinter } from "../ts-types.ts";
import type { Target } from "../types.ts";

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
      const models = typePrinter(ir, { openEnums: true });
      const qualified = typePrinter(ir, { openEnums: true, qualifier: "M." });
      const apiKey = ir.securitySchemes.find((s) => s.type === "apiKey" && s.in === "header");
      const examples: { group: string; line: string }[] = [];

      const resources = ir.groups.map((group) => {
        const property = group.names?.typescript?.property ?? group.name;
        const methods = group.operations.flatMap((id) => {
          const op = ir.operations.find((o) => o.id === id) as Operation;
          if (op.websocket !== null) {
            const channel = ir.channels.find((c) => c.id === op.websocket);
            const method = channel ? websocketMethod(channel, qualified.type, op) : null;
            if (method === null) return []; // A channel without protocol conventions: no client method.
            const title = (op.summary ?? "WebSocket").replace(/\s+/g, " ").trim();
            examples.push({
              group: group.name,
              line: `// ${title}\nconst ws = client.${property}.${method.name}();\nfor await (const message of ws) console.log(message);`,
            });
            return [method];
          }
          const name = op.names?.typescript?.method ?? op.id;
          const pathParams = op.parameters.filter((p) => p.in === "path");
          const extra = op.parameters.filter(
            (p) =>
              (p.in === "query" || p.in === "header" || p.in === "cookie") &&
              p.role !== "idempotency-key" &&
              p.role !== "last-event-id",
          );
          for (const p of extra) checkParameter(ir, p);
          const body = requestBody(ir, op);
          const content = successContent(op);
          const key = (p: Parameter) => (p.in === "query" ? p.name : (p.names?.typescript?.param ?? p.name));
          const args: string[] = pathParams.map(
            (p) => `${p.names?.typescript?.param ?? p.name}: ${qualified.type(p.type)}`,
          );
          const bodyType = (b: NonNullable<typeof body>) =>
            b.kind === "binary" ? "BinaryBody" : b.kind === "text" ? "string" : qualified.type(b.type);
          if (body) args.push(`body: ${bodyType(body)}`);
          const paramsType =
            extra.length === 0
              ? null
              : `{\n${extra.map((p) => `${docComment(p.description, "      ")}      ${propertyKey(key(p))}?: ${qualified.type(p.type)};`).join("\n")}\n    }`;
          if (paramsType) args.push(`params: ${paramsType} = {}`);
          args.push(op.streaming ? "options: StreamOptions = {}" : "options?: RequestOptions");
          const spec: string[] = [`method: "${op.method}"`, `path: ${JSON.stringify(op.path)}`];
          if (pathParams.length > 0) {
            spec.push(
              `pathParams: { ${pathParams.map((p) => `${propertyKey(p.name)}: ${p.names?.typescript?.param ?? p.name}`).join(", ")} }`,
            );
          }
          const query = extra.filter((p) => p.in === "query");
          // Object-valued query parameters: deepObject pairs (`filter[key]=value`) from the
          // runtime's helper, or spread form-style (style form, explode) by the runtime.
          const queryEntry = (p: Parameter) => {
            const value = `params[${JSON.stringify(key(p))}]`;
            const delimiter = arrayDelimiter(ir, p);
            if (delimiter !== null)
              return `${propertyKey(p.name)}: delimitedQuery(${value}, ${JSON.stringify(delimiter)})`;
            if (!isObjectType(ir, p.type)) return `${propertyKey(p.name)}: ${value}`;
            if (p.style === "deepObject") {
              return `...deepObjectQuery(${JSON.stringify(p.name)}, ${value} as unknown as QueryObject)`;
            }
            return `${propertyKey(p.name)}: ${value} as unknown as QueryObject`;
          };
          if (query.length > 0) spec.push(`query: { ${query.map(queryEntry).join(", ")} }`);
          const headers = extra.filter((p) => p.in === "header");
          if (headers.length > 0)
            spec.push(
              `headers: { ${headers.map((p) => `${JSON.stringify(p.name)}: params[${JSON.stringify(key(p))}]`).join(", ")} }`,
            );
          const cookies = extra.filter((p) => p.in === "cookie");
          if (cookies.length > 0)
            spec.push(
              `cookies: { ${cookies.map((p) => `${propertyKey(p.name)}: params[${JSON.stringify(key(p))}]`).join(", ")} }`,
            );
          if (body) {
            spec.push("body");
            if (body.mediaType !== "application/json") spec.push(`contentType: ${JSON.stringify(body.mediaType)}`);
          }
          if (op.idempotencyKey) spec.push("idempotent: true");
          let returns: string;
          let call: string;
          if (op.pagination) {
            const item = qualified.type(op.pagination.itemType);
            returns = `PagePromise<${item}>`;
            call = `this.#client.requestPage<${item}>({ ${spec.join(", ")} }, options, { cursorParam: ${JSON.stringify(op.pagination.cursorParam)} })`;
          } else if (op.streaming) {
            const events = content?.stream?.events ?? [];
            const eventType =
              events.length > 0 ? [...new Set(events.map((e) => qualified.type(e.type)))].join(" | ") : "string";
            returns = `EventStream<${eventType}>`;
            call = `this.#client.requestStream<${eventType}>({ ${spec.join(", ")} }, options, { lastEventId: options.lastEventId, decode: (message) => JSON.parse(message.data) as ${eventType} })`;
          } else {
            let result = content?.type ? qualified.type(content.type) : "void";
            // Binary and text answers: the exact bytes or the text, with a matching Accept.
            if (content?.kind === "binary" || content?.kind === "text") {
              result = content.kind === "binary" ? "Uint8Array" : "string";
              spec.push(
                `accept: ${JSON.stringify(content.mediaType)}`,
                `responseType: ${content.kind === "binary" ? '"bytes"' : '"text"'}`,
              );
            }
            returns = `APIPromise<${result}>`;
            call = `this.#client.request<${result}>({ ${spec.join(", ")} }, options)`;
          }
          const docText = [op.summary, op.description].filter(Boolean).join("\n\n");
          const exampleBody =
            body?.kind === "binary"
              ? "new Uint8Array([/* … */])"
              : body?.kind === "text"
                ? `"…"`
                : (documentedExample(ir, body?.type) ?? "{ /* … */ }");
          const exampleArgs = [...pathParams.map(() => `"…"`), ...(body ? [exampleBody] : [])].join(", ");
          const exampleCall = `client.${property}.${name}(${exampleArgs})`;
          const title = `// ${(op.summary ?? `${op.method.toUpperCase()} ${op.path}`).replace(/\s+/g, " ").trim()}\n`;
          examples.push({
            group: group.name,
            line:
              title +
              (op.pagination
                ? `for await (const item of ${exampleCall}) console.log(item);`
                : op.streaming
                  ? `for await (const event of ${exampleCall}) console.log(event);`
                  : `console.log(await ${exampleCall});`),
          });
          return [{ doc: docComment(docText, "  "), name, args: args.join(", "), returns, call }];
        });
        const usesQueryObjects = methods.some((m) => m.call.includes("as unknown as QueryObject"));
        const queryValues = [
          ...(methods.some((m) => m.call.includes("...deepObjectQuery(")) ? ["deepObjectQuery"] : []),
          ...(methods.some((m) => m.call.includes("delimitedQuery(")) ? ["delimitedQuery"] : []),
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
          usesPages: methods.some((m) => m.returns.startsWith("PagePromise")),
          usesStreams: methods.some((m) => m.returns.startsWith("EventStream")),
          usesPromise: methods.some((m) => m.returns.startsWith("APIPromise")),
          usesQueryObjects,
          queryImport,
          usesBinaryBodies: methods.some((m) => m.args.includes(": BinaryBody")),
          usesWebSocket: methods.some((m) => m.returns.startsWith("ReconnectingWebSocket")),
        };
      });

      // Names the runtime exports too: the model wins in the package index (explicit re-export).
      const runtimeIndex = readFileSync(join(templatesRoot, "typescript/runtime/src/index.ts"), "utf8");
      const runtimeNames = new Set(
        [...runtimeIndex.matchAll(/\b(?:type\s+)?([A-Z]\w*)\b/g)].map((m) => m[1] as string),
      );
      const shadowed = ir.models.map((m) => m.names?.typescript?.type ?? m.name).filter((n) => runtimeNames.has(n));
      const view = {
        shadowed: shadowed.join(", "),
        title: ir.info.title,
        version: options.version ?? ir.info.version,
        description: ir.info.description ?? "",
        clientName,
        packageName,
        defaultBaseURL: ir.servers[0]?.url ?? "",
        apiKeyHeader: apiKey?.parameterName ?? "",
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
 * The method that opens a WebSocket channel with the runtime's reconnecting client, configured
 * from the channel's `x-websocket.protocol` conventions. Credentials go in the first message
 * (browsers cannot set headers on a WebSocket).
 */
function websocketMethod(
  channel: WebSocketChannel,
  type: (ref: TypeRef) => string,
  op: Operation,
): { doc: string; name: string; args: string; returns: string; call: string } | null {
  const conventions = webSocketConventions(channel);
  if (!conventions) return null;
  const { welcome, subscribe, lastEventIdField, typeField, event, auth, tokenField } = conventions;
  if (welcome === undefined || subscribe === undefined || lastEventIdField === undefined) return null;
  const client = type(channel.clientMessage);
  const server = type(channel.serverMessage);
  const pointer = conventions.eventIdPointer.split("/").slice(1);
  const access = pointer.map((k) => `?.[${JSON.stringify(k)}]`).join("");
  const eventId = `(m) => { const v = (m as unknown as Record<string, any>)${access}; return ${event ? `(m as unknown as Record<string, unknown>)[${JSON.stringify(typeField)}] === ${JSON.stringify(event)} && ` : ""}typeof v === "string" ? v : undefined; }`;
  const codes = conventions.finalCloseCodes === undefined ? "undefined" : JSON.stringify(conventions.finalCloseCodes);
  const interval = conventions.heartbeatIntervalField;
  const lines = [
    `url: () => toWebSocketURL(client.buildURL(${JSON.stringify(channel.path)}))`,
    `protocol: { typeField: ${JSON.stringify(typeField)}, welcomeType: ${JSON.stringify(welcome)}, heartbeatType: ${JSON.stringify(conventions.heartbeat)}, subscribeType: ${JSON.stringify(subscribe)}, lastEventIdField: ${JSON.stringify(lastEventIdField)}, eventId: ${eventId}, finalCloseCodes: ${codes} }`,
  ];
  if (auth) {
    lines.push(
      `onOpen: (send) => { const token = client.apiKey ?? client.bearerToken; if (token !== undefined) send({ ${JSON.stringify(typeField)}: ${JSON.stringify(auth)}, ${JSON.stringify(tokenField)}: token } as unknown as ${client}); }`,
    );
  }
  if (interval) {
    lines.push(
      `heartbeatTimeoutMs: (welcome) => { const ms = (welcome as unknown as Record<string, unknown>)[${JSON.stringify(interval)}]; return typeof ms === "number" ? 2 * ms : undefined; }`,
    );
  }
  lines.push("...options");
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
    args: `options: Omit<Partial<ReconnectingWebSocketOptions<${client}, ${server}>>, "url" | "protocol"> = {}`,
    returns: `ReconnectingWebSocket<${client}, ${server}>`,
    call: `(() => { const client = this.#client; return new ReconnectingWebSocket<${client}, ${server}>({ ${lines.join(", ")} }); })()`,
  };
}

/**
 * The document's example of a body model, as a TypeScript object literal (models use the wire
 * names, so the JSON is the literal); `undefined` when the document gives none.
 */
function documentedExample(ir: ApiIR, type: TypeRef | undefined): string | undefined {
  if (type?.kind !== "model") return undefined;
  const example = ir.models.find((m) => m.name === type.name)?.examples?.[0];
  if (example === undefined || typeof example !== "object" || example === null) return undefined;
  return tsLiteral(example);
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
