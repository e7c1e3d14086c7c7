// The `python` target: a PEP 561 typed package on httpx + pydantic v2 with a sync and an async
// client. The hand-written runtime (templates/python/runtime) is copied into `<package>/_core/`;
// models, one resource module per group (sync class, async twin, raw-response twins), the
// clients, the package metadata and the README are rendered. Every .py file goes through ruff's
// import sorter and formatter (../format.ts), so the compile gate's `ruff format --check` holds.
import { GeneratorError } from "../../errors.ts";
import type { ApiIR, Operation, Parameter, Property, TypeRef, WebSocketChannel } from "../../ir/types.ts";
import { kebabCase, pascalCase, snakeCase, upperSnakeCase } from "../../naming/index.ts";
import {
  ERROR_FAMILIES,
  errorBodies,
  familyCovers,
  inputOnlyModels,
  serverUrl,
  taggedUnionFor,
  titleStem,
  webSocketConventions,
} from "../sdk-common.ts";
import { arrayDelimiter, flatShape, isScalarOrScalarArray } from "../shapes.ts";
import type { Target } from "../types.ts";
import { paramName, paramType, renderModels } from "./models.ts";
import { PyTypes, pyDoc, pyLiteral, pyString } from "./types.ts";

export interface PythonOptions {
  /** The import package (default: from the title, "TKA API" -> "tka"). */
  packageName?: string;
  /** The distribution name (default: "<title>-sdk" in kebab case). */
  distributionName?: string;
  /** The sync client class (default: from the title, "TKA API" -> "Tka"); the async one is `Async<name>`. */
  clientName?: string;
  /** Prefix of the environment variables (default: from the client name, "TKA"). */
  envPrefix?: string;
  /** The SDK's own version, independent of the API's (default: the document's `info.version`). */
  version?: string;
}

/** Runtime names resource modules may import from `.._core`. */
const RUNTIME_NAMES = [
  "NOT_GIVEN",
  "NotGiven",
  "TimeoutTypes",
  "body_from",
  "request_options",
  "AsyncAPIClient",
  "AsyncEventStream",
  "AsyncPageRequest",
  "AsyncWebSocketClient",
  "RequestOptions",
  "ServerSentEvent",
  "SyncAPIClient",
  "SyncCursorPage",
  "SyncEventStream",
  "SyncWebSocketClient",
  "WebSocketProtocol",
  "deep_object_query",
  "delimited",
];

/** Attributes of the runtime's client classes a resource property must not replace. */
const CLIENT_MEMBERS = new Set([
  // builtins the client's annotations use
  "bool",
  "dict",
  "float",
  "int",
  "list",
  "object",
  "str",
  "type",
  "api_key",
  "auth_headers",
  "base_url",
  "bearer_token",
  "build_url",
  "close",
  "default_headers",
  "fetch",
  "logger",
  "max_retries",
  "max_retry_after",
  "request",
  "request_page",
  "request_stream",
  "strict_response_validation",
  "timeout",
  "user_agent",
  "websocket_headers",
  "websocket_url",
  "with_options",
  "with_query",
]);

/** The per-request keyword options every HTTP method takes (see `request_options`). */
const OPTION_NAMES = ["timeout", "max_retries", "extra_headers", "extra_query", "idempotency_key"];

/** Their declarations in every HTTP method's signature. */
const OPTION_PARAMS = [
  "timeout: TimeoutTypes | NotGiven = NOT_GIVEN",
  "max_retries: int | NotGiven = NOT_GIVEN",
  "extra_headers: Mapping[str, str | None] | None = None",
  "extra_query: Mapping[str, Any] | None = None",
  "idempotency_key: str | None = None",
].join(", ");

/** One generated method, rendered by resource.py.hbs for the sync and the async class. */
interface PyMethod {
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
  /** The runtime call's arguments, except `options`. */
  args: string[];
  /** Whether the method takes the per-request keyword options. */
  options: boolean;
  /** Return annotations (sync, async). */
  returns: [string, string];
  doc: string;
  /** Module-level items (decoders, protocol constants, error maps). */
  items: string[];
  example: string;
  /** A WebSocket method's returned expressions (sync, async). */
  websocket: [string, string] | false;
}

function refuse(file: string, pointer: string, reason: string): never {
  throw new GeneratorError(file, pointer, `the python target ${reason}`);
}

export function pythonTarget(options: PythonOptions = {}): Target {
  const target: Target = {
    name: "python",
    language: "python",
    runtimeDir: "python/runtime",
    runtimeOut: "sdk/_core",
    render(ir: ApiIR, render) {
      const stem = titleStem(ir.info.title);
      const packageName = options.packageName ?? (snakeCase(stem) || "sdk");
      const distName = options.distributionName ?? `${kebabCase(stem)}-sdk`;
      // The runtime lands inside the package, whose name comes from the document.
      target.runtimeOut = `${packageName}/_core`;
      const groupClasses = new Set(ir.groups.map((g) => g.names?.python?.className ?? pascalCase(g.name)));
      let clientName = options.clientName ?? (pascalCase(stem) || "Api");
      if (groupClasses.has(clientName) || groupClasses.has(`Async${clientName}`)) clientName = `${clientName}Client`;
      const envPrefix = options.envPrefix ?? upperSnakeCase(clientName.replace(/Client$/, "") || clientName);
      const version = options.version ?? (/^\d+\.\d+\.\d+$/.test(ir.info.version) ? ir.info.version : "0.1.0");
      const apiKey = ir.securitySchemes.find((s) => s.type === "apiKey" && s.in === "header");
      const modelNames = new Set(ir.models.map((m) => m.names?.python?.type ?? m.name));
      const inputOnly = inputOnlyModels(ir);

      const usedProps = new Set<string>();
      const resources = ir.groups.map((group) => {
        const className = group.names?.python?.className ?? pascalCase(group.name);
        const module = group.names?.python?.module ?? snakeCase(group.name);
        let property = group.names?.python?.property ?? snakeCase(group.name);
        if (CLIENT_MEMBERS.has(property) || usedProps.has(property)) property = `${property}_resource`;
        usedProps.add(property);
        const ops = group.operations.map((id) => ir.operations.find((o) => o.id === id) as Operation);
        const methodNames = ops.map((o) => o.names?.python?.method ?? snakeCase(o.id));
        const moduleClasses = [
          className,
          `Async${className}`,
          `${className}WithRawResponse`,
          `Async${className}WithRawResponse`,
        ];
        // A model whose name a module-level or class-level name would shadow is qualified.
        const shadowed = new Set([...RUNTIME_NAMES, ...moduleClasses, ...methodNames]);
        let qualified = false;
        const types = new PyTypes(ir);
        const q = (name: string) => {
          if (shadowed.has(name)) {
            qualified = true;
            return `_models.${name}`;
          }
          usedModels.add(name);
          return name;
        };
        const usedModels = new Set<string>();
        const runtime = new Set<string>();
        const methods: PyMethod[] = [];
        const errorMaps = new Map<string, string>();
        for (const op of ops) {
          const channel = op.websocket === null ? undefined : ir.channels.find((c) => c.id === op.websocket);
          if (channel !== undefined) {
            const ws = websocketMethod(types, op, channel, q, runtime, property, `Async${clientName}`);
            if (ws !== null) methods.push(ws);
            continue;
          }
          if (op.websocket !== null) continue;
          methods.push(operationMethod(types, op, q, runtime, property, inputOnly, errorMaps));
        }
        const sync = methods;
        if (methods.some((m) => m.overload !== false)) types.typing.add("overload");
        if (errorMaps.size > 0) types.typing.add("Any").add("Mapping");
        if (methods.some((m) => m.options)) {
          types.typing.add("Any").add("Mapping");
          runtime.add("NOT_GIVEN").add("NotGiven").add("TimeoutTypes").add("request_options");
        }
        const typing = [...types.typing];
        const imports = [
          "from __future__ import annotations",
          "import functools",
          ...(types.usesDatetime ? ["import datetime"] : []),
          ...(typing.length > 0 ? [`from typing import ${typing.sort().join(", ")}`] : []),
          `from .._core import ${[
            ...runtime,
            "AsyncAPIClient",
            "SyncAPIClient",
            ...(sync.some((m) => m.kind === "plain" || m.kind === "page") ? ["to_raw_response_wrapper"] : []),
            ...(methods.some((m) => m.kind === "plain" || m.kind === "page") ? ["async_to_raw_response_wrapper"] : []),
          ].join(", ")}`,
          ...(usedModels.size > 0 ? [`from ..models import ${[...usedModels].sort().join(", ")}`] : []),
          ...(qualified ? ["from .. import models as _models"] : []),
        ];
        const groupDoc = group.description ?? `The \`${group.name}\` operations.`;
        return {
          className,
          module,
          property,
          groupDoc,
          view: {
            moduleDoc: pyDoc(groupDoc, ""),
            imports: imports.join("\n"),
            items: [
              ...[...errorMaps].map(([map, name]) => `${name}: Mapping[str, Any] = ${map}\n`),
              ...new Set(methods.flatMap((m) => m.items)),
            ],
            className,
            classDoc: pyDoc(`${groupDoc}\n\nReached as \`client.${property}\`.`, "    "),
            asyncClassDoc: pyDoc(`${groupDoc}\n\nReached as \`client.${property}\` on the async client.`, "    "),
            syncMethods: sync.map((m) => methodView(m, false)),
            asyncMethods: methods.map((m) => methodView(m, true)),
            syncRaw: sync.filter((m) => m.kind === "plain" || m.kind === "page").map((m) => m.name),
            asyncRaw: methods.filter((m) => m.kind === "plain" || m.kind === "page").map((m) => m.name),
            param: snakeCase(className) || "resource",
            optionParams: OPTION_PARAMS,
          },
          examples: methods.map((m) => ({ kind: m.kind, code: m.example })),
        };
      });

      const modelTypes = new PyTypes(ir);
      const models = renderModels(modelTypes, inputOnly);
      const modelImports = [
        "from __future__ import annotations",
        ...(modelTypes.usesDatetime ? ["import datetime"] : []),
        ...(modelTypes.typing.size > 0 ? [`from typing import ${[...modelTypes.typing].sort().join(", ")}`] : []),
        ...(models.params.length > 0 ? ["from typing_extensions import NotRequired, Required, TypedDict"] : []),
        ...(models.declarations.some((d) => d.includes("pydantic.")) ? ["import pydantic"] : []),
        ...(models.runtime.length > 0 ? [`from ._core import ${models.runtime.join(", ")}`] : []),
      ];

      const view = {
        packageName,
        distName,
        version,
        title: ir.info.title,
        apiVersion: ir.info.version,
        description: ir.info.description ?? "",
        summary: pyString(`The Python SDK of the ${ir.info.title}.`),
        license: ir.info.license === undefined ? undefined : pyString(ir.info.license),
        clientName,
        asyncClientName: `Async${clientName}`,
        clientDoc: pyDoc(`The ${ir.info.title} client (synchronous).`, "    "),
        asyncClientDoc: pyDoc(`The ${ir.info.title} client (asyncio).`, "    "),
        config: {
          sdkName: pyString(distName),
          sdkVersion: pyString(version),
          baseUrl: pyString(serverUrl(ir)),
          apiKeyHeader: apiKey?.parameterName ? pyString(apiKey.parameterName) : "None",
          apiKeyEnv: pyString(`${envPrefix}_API_KEY`),
          bearerTokenEnv: pyString(`${envPrefix}_BEARER_TOKEN`),
          baseUrlEnv: pyString(`${envPrefix}_BASE_URL`),
        },
        env: {
          apiKey: `${envPrefix}_API_KEY`,
          bearerToken: `${envPrefix}_BEARER_TOKEN`,
          baseUrl: `${envPrefix}_BASE_URL`,
        },
        defaultBaseUrl: serverUrl(ir),
        resources: resources.map((r) => ({
          className: r.className,
          module: r.module,
          property: r.property,
          doc: pyDoc(r.groupDoc, "    "),
        })),
        resourceImports: resources
          .flatMap((r) => [r.className, `Async${r.className}`])
          .sort()
          .join(", "),
        modelImports: modelImports.join("\n"),
        modelsDoc: pyDoc(`The models of the ${ir.info.title}.`, ""),
        models: [...models.declarations, ...models.params],
        rebuild: models.rebuild,
        modelNames: [...modelNames, ...models.paramNames].sort(),
        errorClasses: errorClasses(ir, modelTypes),
        usesModels: errorClasses(ir, modelTypes).some((c) => c.problem.includes("models.")),
        examples: resources.map((r) => ({
          property: r.property,
          lines: r.examples.filter((e) => e.kind !== "websocket").map((e) => e.code),
          asyncLines: r.examples.filter((e) => e.kind === "websocket").map((e) => e.code),
        })),
      };
      return [
        { path: "pyproject.toml", content: render("python/pyproject.toml.hbs", view) },
        { path: "README.md", content: render("python/README.md.hbs", view) },
        { path: `${packageName}/__init__.py`, content: render("python/__init__.py.hbs", view) },
        { path: `${packageName}/py.typed`, content: "" },
        { path: `${packageName}/_client.py`, content: render("python/_client.py.hbs", view) },
        { path: `${packageName}/_exceptions.py`, content: render("python/_exceptions.py.hbs", view) },
        { path: `${packageName}/models.py`, content: render("python/models.py.hbs", view) },
        { path: `${packageName}/resources/__init__.py`, content: render("python/resources_init.py.hbs", view) },
        ...resources.map((r) => ({
          path: `${packageName}/resources/${r.module}.py`,
          content: render("python/resource.py.hbs", r.view),
        })),
      ];
    },
  };
  return target;
}

/** The view resource.py.hbs renders for one method of the sync (or async) class. */
function methodView(m: PyMethod, async: boolean) {
  return {
    ...m,
    websocket: m.websocket === false ? false : m.websocket[async ? 1 : 0],
    returns: m.returns[async ? 1 : 0],
    async: async && m.kind === "plain",
    doc: pyDoc(m.doc, "        "),
    call: m.call,
  };
}

/** The error classes of the generated `_exceptions.py`, `problem` typed as the declared models. */
function errorClasses(ir: ApiIR, types: PyTypes) {
  const bodies = ir.operations.flatMap((op) => errorBodies(op));
  return ERROR_FAMILIES.map((family) => {
    const annotations = [
      ...new Set(
        bodies.filter((b) => familyCovers(family, b.status)).map((b) => types.type(b.type, (n) => `models.${n}`)),
      ),
    ];
    return { name: family.name, problem: annotations.length === 0 ? "None" : `${annotations.join(" | ")} | None` };
  });
}

function operationMethod(
  types: PyTypes,
  op: Operation,
  q: (name: string) => string,
  runtime: Set<string>,
  property: string,
  inputOnly: Set<string>,
  errorMaps: Map<string, string>,
): PyMethod {
  const name = op.names?.python?.method ?? snakeCase(op.id);
  const ann = (ref: TypeRef) => types.type(ref, q);
  const params: string[] = [];
  const args: string[] = [pyString(op.method), pyString(op.path)];
  const tail: string[] = [];
  let overload: PyMethod["overload"] = false;
  let bodyArg = "body=body";

  const pathParams = op.parameters.filter((p) => p.in === "path");
  for (const p of pathParams) {
    if (!types.scalar(p.type)) refuse(p.source.file, p.source.pointer, "sends scalar path parameters only");
    params.push(`${pname(p)}: ${ann(p.type)}`);
  }

  // Body.
  let bodyType: string | null = null;
  let bodyExample = "body";
  let contentType: string | null = null;
  if (op.requestBody !== null) {
    const content = op.requestBody.contents.find((c) =>
      ["json", "merge-patch", "form", "binary", "text"].includes(c.kind),
    );
    if (content === undefined) {
      refuse(
        op.source.file,
        `${op.source.pointer}/requestBody`,
        "sends JSON, form-urlencoded, binary and text request bodies only",
      );
    }
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
      bodyArg = `body=body_from(body, {${members.map((p) => `${pyString(p.wireName)}: ${memberName(p)}`).join(", ")}})`;
    } else {
      params.push(bodyParam);
    }
  }

  const keyword: string[] = [];
  const query: string[] = [];
  const headers: string[] = [];
  const cookies: string[] = [];
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
    const ok = spread || deep || (p.in === "query" ? isScalarOrScalarArray(types.ir, p.type) : types.scalar(p.type));
    if (!ok) {
      refuse(
        p.source.file,
        p.source.pointer,
        `sends scalar ${p.in} parameters only (in the query also arrays of them, and flat objects with style deepObject or form + explode)`,
      );
    }
    let annotation = ann(p.type);
    if (!p.required && !annotation.endsWith("| None")) annotation = `${annotation} | None`;
    keyword.push(p.required ? `${pname(p)}: ${annotation}` : `${pname(p)}: ${annotation} = None`);
    if (deep) {
      runtime.add("deep_object_query");
      query.push(`**deep_object_query(${pyString(p.name)}, ${pname(p)})`);
      continue;
    }
    const delimiter = arrayDelimiter(types.ir, p);
    if (delimiter !== null) runtime.add("delimited");
    const value = spread
      ? `${pname(p)}.model_dump(mode="json", by_alias=True, exclude_unset=True)${p.required && !annotation.endsWith("| None") ? "" : ` if ${pname(p)} is not None else None`}`
      : delimiter !== null
        ? `delimited(${pname(p)}, ${pyString(delimiter)})`
        : pname(p);
    (p.in === "query" ? query : p.in === "cookie" ? cookies : headers).push(`${pyString(p.name)}: ${value}`);
  }
  if (lastEventId) keyword.push(`${pname(lastEventId)}: str | None = None`);

  const success = op.responses.find((r) => r.status === op.successStatus);
  const content = success?.contents[0];
  const pointer = `${op.source.pointer}/responses/${success?.status}`;
  const castOf = (ref: TypeRef): [string, string] => [ann(ref), castExpr(types, ref, q)];

  const items: string[] = [];
  let kind: PyMethod["kind"] = "plain";
  let returns: [string, string];
  let notes: string;
  const paginated =
    op.pagination !== null && op.pagination.itemsField === "data" && op.pagination.nextCursorField === "next_cursor";
  if (paginated && op.pagination) {
    kind = "page";
    runtime.add("SyncCursorPage").add("AsyncPageRequest");
    const [item, expr] = castOf(op.pagination.itemType);
    returns = [`SyncCursorPage[${item}]`, `AsyncPageRequest[${item}]`];
    tail.push(`item=${expr}`);
    notes = `Iterate the result for every item of every page (\`for item in client.${property}.${name}(...)\`); \`.data\`, \`.next_cursor\` and \`.get_next_page()\` give page-by-page access.`;
  } else if (op.streaming) {
    kind = "stream";
    runtime.add("SyncEventStream").add("AsyncEventStream");
    const [eventType, decoder] = streamDecoder(types, content?.stream?.events ?? [], q, runtime, name);
    items.push(decoder.code);
    returns = [`SyncEventStream[${eventType}]`, `AsyncEventStream[${eventType}]`];
    tail.push(`decode=${decoder.name}`);
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
    tail.push(`cast_to=${cast}`);
    notes = `\`client.${property}.with_raw_response.${name}(...)\` gives the status, headers and request id too.`;
    if (content !== undefined && content.kind !== "json" && content.kind !== "problem") {
      args.push(`accept=${pyString(content.mediaType)}`);
    }
  }
  args.splice(2, 0, ...tail);
  if (pathParams.length > 0) {
    args.push(`path_params={${pathParams.map((p) => `${pyString(p.name)}: ${pname(p)}`).join(", ")}}`);
  }
  if (query.length > 0) args.push(`query={${query.join(", ")}}`);
  if (headers.length > 0) args.push(`headers={${headers.join(", ")}}`);
  if (cookies.length > 0) args.push(`cookies={${cookies.join(", ")}}`);
  if (bodyType !== null) args.push(bodyArg);
  if (contentType !== null) args.push(`content_type=${pyString(contentType)}`);
  const declared = errorBodies(op);
  if (declared.length > 0) {
    const map = `{${declared.map((e) => `${pyString(e.status)}: ${types.type(e.type, q)}`).join(", ")}}`;
    let constant = errorMaps.get(map);
    if (constant === undefined) {
      constant = `_ERRORS_${errorMaps.size + 1}`;
      errorMaps.set(map, constant);
    }
    args.push(`errors=${constant}`);
  }
  if (paginated && op.pagination && op.pagination.cursorParam !== "cursor") {
    args.push(`cursor_param=${pyString(op.pagination.cursorParam)}`);
  }
  if (lastEventId) args.push(`last_event_id=${pname(lastEventId)}`);

  const text = [op.summary, op.description].filter(Boolean).join("\n\n");
  const lines = [
    `\`${op.method.toUpperCase()} ${op.path}\`. ${notes}`,
    overload !== false ? "The body is a model, a dict, or its members as keyword arguments." : "",
    !["get", "head", "options"].includes(op.method)
      ? "An idempotency key is generated once per call and reused on every retry, so a retry is never applied twice (`idempotency_key=` sets yours)."
      : "",
    op.ifMatch
      ? "`if_match` makes the call fail with `PreconditionFailedError` (412) when the resource has changed."
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
    // The ETag as the server sent it, quotes included.
    ...(ifMatchParam !== undefined ? [`${pname(ifMatchParam)}='"3"'`] : []),
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
    args,
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
  return ["client", "models", "events", "asyncio"].includes(name) || PY_KEYWORDS.has(name) ? fallback : name;
}

const PY_KEYWORDS = new Set(
  "and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case type".split(
    " ",
  ),
);

/**
 * A runtime expression mypy accepts as `type[T]`: the class itself, or the annotation through
 * `cast` (unions, lists and aliases of them are not classes).
 */
function castExpr(types: PyTypes, ref: TypeRef, q: (name: string) => string): string {
  if (types.isClass(ref)) return types.bare(ref, q);
  types.typing.add("cast");
  const t = types.type(ref, q);
  return `cast(${pyString(`type[${t}]`)}, ${t})`;
}

/**
 * A value of the type for README examples: models built from their required members (enums by
 * their first member), placeholders for scalars; `...` past a small depth.
 */
function exampleValue(types: PyTypes, ref: TypeRef, depth = 0): string {
  const r = types.resolve(ref);
  if (r.kind !== "model" && types.nullable(ref) && depth > 0) return "None";
  switch (r.kind) {
    case "primitive":
      if (r.type === "string") {
        if (r.format === "date-time") return "datetime.datetime.now(datetime.timezone.utc)";
        if (r.format === "date") return "datetime.date.today()";
        return r.format === "binary" ? 'b"..."' : '"..."';
      }
      return r.type === "boolean" ? "True" : r.type === "integer" ? "1" : "1.0";
    case "literal":
      return pyLiteral(r.value);
    case "array":
      return "[]";
    case "map":
      return "{}";
    case "null":
      return "None";
    case "any":
      return "{}";
    case "model": {
      const m = types.model(r.name);
      const type = `models.${types.typeName(m.name)}`;
      const documented = m.examples?.[0];
      if (m.kind === "object" && documented !== undefined) {
        const built = fromExample(types, r, documented, depth);
        if (built !== undefined) return built;
      }
      if (m.kind === "enum") {
        const first = m.members[0];
        if (first === undefined) return "None";
        return m.valueType === "string"
          ? `${type}.${first.names?.python?.member ?? String(first.value)}`
          : pyLiteral(first.value);
      }
      if (m.kind === "union") {
        const variant = m.variants[0];
        return variant === undefined ? "None" : exampleValue(types, variant.type, depth);
      }
      if (m.kind !== "object") return "...";
      if (depth >= 2) return `${type}(...)`;
      // Required members (read-only ones too: the model's constructor requires them); with none,
      // the first member the document gives an example for.
      const writable = m.properties.filter((p) => !p.readOnly);
      let shown = m.properties.filter((p) => p.required);
      if (shown.length === 0) shown = writable.filter((p) => scalarExample(types, p) !== undefined).slice(0, 1);
      const fields = shown.map(
        (p) =>
          `${p.names?.python?.field ?? p.wireName}=${scalarExample(types, p) ?? exampleValue(types, p.type, depth + 1)}`,
      );
      return `${type}(${fields.join(", ")})`;
    }
  }
}

/**
 * The document's example value written as Python: models through their constructors (Python
 * names, read-only members left out), enum members by name. `undefined` when the value does not
 * fit the type.
 */
function fromExample(types: PyTypes, ref: TypeRef, value: unknown, depth: number): string | undefined {
  const r = types.resolve(ref);
  if (value === null) return types.nullable(ref) || r.kind === "null" || r.kind === "any" ? "None" : undefined;
  switch (r.kind) {
    case "primitive":
      if (r.format === "date-time" || r.format === "date" || r.format === "binary")
        return exampleValue(types, r, depth);
      if (typeof value === "string" && r.type === "string") return pyString(value);
      if (typeof value === "boolean" && r.type === "boolean") return pyLiteral(value);
      if (typeof value === "number" && r.type !== "string" && r.type !== "boolean") {
        return r.type === "integer" && !Number.isInteger(value) ? undefined : String(value);
      }
      return undefined;
    case "literal":
      return value === r.value ? pyLiteral(r.value) : undefined;
    case "array": {
      if (!Array.isArray(value)) return undefined;
      const items = value.map((v) => fromExample(types, r.items, v, depth + 1));
      return items.every((i) => i !== undefined) ? `[${items.join(", ")}]` : undefined;
    }
    case "map":
    case "any": {
      if (r.kind === "any" || typeof value === "object") return pyJson(value);
      return undefined;
    }
    case "null":
      return undefined;
    case "model": {
      const m = types.model(r.name);
      const type = `models.${types.typeName(m.name)}`;
      if (m.kind === "enum") {
        const member = m.members.find((e) => e.value === value);
        if (member === undefined) return undefined;
        return m.valueType === "string"
          ? `${type}.${member.names?.python?.member ?? String(member.value)}`
          : pyLiteral(member.value);
      }
      if (m.kind === "union") {
        for (const variant of m.variants) {
          const built = fromExample(types, variant.type, value, depth);
          if (built !== undefined) return built;
        }
        return undefined;
      }
      if (m.kind !== "object" || typeof value !== "object" || Array.isArray(value)) return undefined;
      if (depth >= 3) return `${type}(...)`;
      const fields: string[] = [];
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
        const p = m.properties.find((x) => x.wireName === key);
        if (p === undefined || (p.readOnly && !p.required)) continue;
        const built = fromExample(types, p.type, v, depth + 1);
        if (built === undefined) return undefined;
        fields.push(`${p.names?.python?.field ?? p.wireName}=${built}`);
      }
      // Required members the example leaves out (the constructor needs them): placeholders.
      for (const p of m.properties) {
        if (!p.required || (value as Record<string, unknown>)[p.wireName] !== undefined) continue;
        fields.push(
          `${p.names?.python?.field ?? p.wireName}=${scalarExample(types, p) ?? exampleValue(types, p.type, depth + 1)}`,
        );
      }
      return `${type}(${fields.join(", ")})`;
    }
    default:
      return undefined;
  }
}

/** A JSON value as a Python literal. */
function pyJson(value: unknown): string {
  if (value === null) return "None";
  if (typeof value === "string") return pyString(value);
  if (typeof value === "number" || typeof value === "boolean") return pyLiteral(value);
  if (Array.isArray(value)) return `[${value.map(pyJson).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyString(k)}: ${pyJson(v)}`)
      .join(", ")}}`;
  }
  return "None";
}

/** The member's first documented example as a Python literal, when it is a scalar of a scalar type. */
function scalarExample(types: PyTypes, p: Property): string | undefined {
  const example = p.examples?.[0];
  const r = types.resolve(p.type);
  if (r.kind !== "primitive" || r.format === "date-time" || r.format === "date" || r.format === "binary")
    return undefined;
  if (typeof example === "string" && r.type === "string") return pyString(example);
  if (typeof example === "number" && (r.type === "number" || (r.type === "integer" && Number.isInteger(example)))) {
    return String(example);
  }
  if (typeof example === "boolean" && r.type === "boolean") return pyLiteral(example);
  return undefined;
}

function pname(p: Parameter): string {
  const name = p.names?.python?.param ?? snakeCase(p.name);
  // The per-request options keep their names; a parameter that shares one is renamed.
  return OPTION_NAMES.includes(name) ? `${name}_param` : name;
}

/** The module-level decoder of a stream's messages and the type it yields. */
function streamDecoder(
  types: PyTypes,
  events: Array<{ event: string | null; type: TypeRef; contentMediaType: string | null }>,
  q: (name: string) => string,
  runtime: Set<string>,
  method: string,
): [string, { name: string; code: string }] {
  const name = `_decode_${method}`;
  const jsonTyped = (e: (typeof events)[number]) =>
    !(e.contentMediaType === null && e.type.kind === "primitive" && e.type.type === "string");
  const union = taggedUnionFor(types.ir, events);
  const adapter = (ref: TypeRef) => `type_adapter(${castExpr(types, ref, q)}).validate_python`;
  runtime.add("ServerSentEvent");
  if (events.length === 0 || events.every((e) => !jsonTyped(e))) {
    // Untyped (or plain-text) events: the raw `data` of each message.
    return [
      "str",
      {
        name,
        code: `def ${name}(event: ServerSentEvent) -> str | None:\n    """The raw \`data\` of each message (the document does not type the events)."""\n    return event.data\n`,
      },
    ];
  }
  runtime.add("type_adapter");
  const distinct = [...new Set(events.map((e) => JSON.stringify(e.type)))];
  if (events.every(jsonTyped) && (union !== null || distinct.length === 1)) {
    const ref = union ?? (events[0]?.type as TypeRef);
    runtime.add("json_decoder");
    const t = types.type(ref, q);
    types.typing.add("Callable");
    return [t, { name, code: `${name}: Callable[[ServerSentEvent], ${t} | None] = json_decoder(${adapter(ref)})\n` }];
  }
  // Named events (of different types, or mixing JSON and text): chosen by the SSE event name;
  // names this SDK version does not know are skipped.
  const variants = [...new Set(events.map((e) => (jsonTyped(e) ? types.type(e.type, q) : "str")))];
  const t = variants.join(" | ");
  if (events.some(jsonTyped)) types.typing.add("cast");
  const arms = events.map(
    (e) =>
      `    if event.event == ${pyString(e.event ?? "message")}:\n` +
      `        return ${jsonTyped(e) ? `cast(${pyString(types.type(e.type, q))}, type_adapter(${castExpr(types, e.type, q)}).validate_json(event.data))` : "event.data"}\n`,
  );
  return [
    t,
    {
      name,
      code:
        `def ${name}(event: ServerSentEvent) -> ${t} | None:\n` +
        `    """One message of the stream, decoded by its event name (unknown names are skipped)."""\n` +
        `    if not event.data:\n        return None\n${arms.join("")}    return None\n`,
    },
  ];
}

/**
 * A WebSocket channel with `x-websocket.protocol` conventions: an async-only method returning the
 * runtime's reconnecting client. Without the conventions the channel is not generated.
 */
function websocketMethod(
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
    `def ${idFn}(message: Mapping[str, Any]) -> str | None:\n` +
      `    """The event id of a server message (None for messages that are not events)."""\n` +
      (eventType === undefined
        ? ""
        : `    if message.get(${pyString(typeField)}) != ${pyString(eventType)}:\n        return None\n`) +
      "    value: Any = message\n" +
      `    for key in (${pointer.map(pyString).join(", ")}${pointer.length === 1 ? "," : ""}):\n` +
      "        value = value.get(key) if isinstance(value, Mapping) else None\n" +
      "    return value if isinstance(value, str) else None\n",
    `${constant} = WebSocketProtocol(type_field=${pyString(typeField)}, welcome_type=${pyString(welcome)}, ` +
      `heartbeat_type=${opt(conventions.heartbeat)}, subscribe_type=${opt(conventions.subscribe)}, ` +
      `last_event_id_field=${pyString(lastEventIdField)}, event_id=${idFn}, ` +
      `final_close_codes=frozenset({${codes.join(", ")}}), heartbeat_interval_field=${opt(conventions.heartbeatIntervalField)})\n`,
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
    args: [],
    options: false,
    websocket: [`SyncWebSocketClient(lambda: ${asyncWs})`, asyncWs],
    returns: [`SyncWebSocketClient[${server}]`, `AsyncWebSocketClient[${server}]`],
    doc,
    items,
    example: `async def watch() -> None:\n    async with ${asyncClient}() as client:\n        ws = client.${property}.${name}()\n        async with ws:\n            async for message in ws:\n                print(message)`,
  };
}
