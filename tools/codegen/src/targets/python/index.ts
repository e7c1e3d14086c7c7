import type { ApiIR, Operation } from "../../ir/types.ts";
import { clientStem, kebabCase, pascalCase, snakeCase, upperSnakeCase } from "../../naming/index.ts";
import { type PackageMetadata, pyprojectMetadata } from "../package-metadata.ts";
import {
  clientCredentialsFlow,
  ERROR_FAMILIES,
  errorBodies,
  familyCovers,
  idempotencyView,
  inputOnlyModels,
  serverUrl,
} from "../sdk-common.ts";
import type { Target } from "../types.ts";
import { websocketMethod } from "./channels.ts";
import { operationMethod, pyParamName } from "./methods.ts";
import { renderModels } from "./models.ts";
import { PyTypes, pyDoc, pyString } from "./types.ts";
import { OPTION_PARAMS, type PyEntry, type PyMethod, pyItem } from "./views.ts";

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
  /** Repository, home page, issue tracker, authors, keywords; absent members are left out. */
  metadata?: PackageMetadata;
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
  "joined_object",
  "style_cookie",
  "style_header",
  "style_path",
  "Multipart",
  "FileTypes",
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

export function pythonTarget(options: PythonOptions = {}): Target {
  const target: Target = {
    name: "python",
    language: "python",
    runtimeDir: "python/runtime",
    runtimeOut: "sdk/_core",
    render(ir: ApiIR, render, context) {
      const stem = clientStem(ir.info.title);
      const packageName = options.packageName ?? (snakeCase(stem) || "sdk");
      const distName = options.distributionName ?? `${kebabCase(stem)}-sdk`;
      // The runtime lands inside the package, whose name comes from the document.
      target.runtimeOut = `${packageName}/_core`;
      const groupClasses = new Set(ir.groups.map((g) => g.names?.python?.className ?? pascalCase(g.name)));
      // The naming layer's client name, the same in every SDK.
      let clientName = options.clientName ?? ir.client.names?.python?.className ?? stem;
      if (groupClasses.has(clientName) || groupClasses.has(`Async${clientName}`)) clientName = `${clientName}Client`;
      const envPrefix = options.envPrefix ?? upperSnakeCase(clientName.replace(/Client$/, "") || clientName);
      const version = options.version ?? (/^\d+\.\d+\.\d+$/.test(ir.info.version) ? ir.info.version : "0.1.0");
      const apiKey = ir.securitySchemes.find((s) => s.type === "apiKey" && s.in === "header");
      // Without a header API key, a key the API takes in the query or a cookie.
      const apiKeyElsewhere = apiKey
        ? undefined
        : ir.securitySchemes.find((s) => s.type === "apiKey" && (s.in === "query" || s.in === "cookie"));
      const basic = ir.securitySchemes.some((s) => s.type === "http" && s.scheme === "basic");
      const oauth2 = clientCredentialsFlow(ir);
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
          const method = context.attempt({ operation: op.id }, () =>
            operationMethod(types, op, q, runtime, property, inputOnly, errorMaps),
          );
          if (method !== null) methods.push(method);
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
              ...[...errorMaps].map(([entries, name]) =>
                pyItem({ errorMap: { name, entries: JSON.parse(entries) as PyEntry[] } }),
              ),
              // The same item from two methods once (a shared decoder).
              ...new Map(methods.flatMap((m) => m.items).map((item) => [JSON.stringify(item), item])).values(),
            ],
            className,
            classDoc: pyDoc(`${groupDoc}\n\nReached as \`client.${property}\`.`, "    "),
            asyncClassDoc: pyDoc(`${groupDoc}\n\nReached as \`client.${property}\` on the async client.`, "    "),
            syncMethods: sync.map((m) => methodView(m, false)),
            asyncMethods: methods.map((m) => methodView(m, true)),
            syncRaw: sync.filter((m) => m.kind === "plain" || m.kind === "page").map((m) => m.name),
            asyncRaw: methods.filter((m) => m.kind === "plain" || m.kind === "page").map((m) => m.name),
            param: pyParamName(snakeCase(className) || "resource"),
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
        ...(models.params.length > 0
          ? [
              `from typing_extensions import ${["NotRequired", "Required"]
                .filter((name) => models.params.some((code) => new RegExp(`\\b${name}\\[`).test(code)))
                .concat("TypedDict")
                .join(", ")}`,
            ]
          : []),
        ...(models.declarations.some((d) => d.includes("pydantic.")) ? ["import pydantic"] : []),
        ...(models.runtime.length > 0 ? [`from ._core import ${models.runtime.join(", ")}`] : []),
      ];

      const idempotency = idempotencyView(ir);
      const view = {
        packageName,
        distName,
        version,
        title: ir.info.title,
        apiVersion: ir.info.version,
        description: ir.info.description ?? "",
        summary: pyString(`The Python SDK of the ${ir.info.title}.`),
        // PEP 639: an SPDX expression with its file (no license classifier: PyPI refuses both);
        // a license known only by name stays free text.
        license: ir.info.license === undefined ? undefined : pyString(ir.info.license),
        licenseSpdx: ir.info.licenseSpdx === true,
        metadata: pyprojectMetadata(options.metadata),
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
          apiKeyIn: apiKeyElsewhere
            ? `(${pyString(apiKeyElsewhere.in as string)}, ${pyString(apiKeyElsewhere.parameterName as string)})`
            : "",
          usernameEnv: pyString(`${envPrefix}_USERNAME`),
          passwordEnv: pyString(`${envPrefix}_PASSWORD`),
          oauth2TokenUrl: oauth2 ? pyString(oauth2.tokenUrl) : "None",
          oauth2Scopes: oauth2
            ? `(${oauth2.scopes.map(pyString).join(", ")}${oauth2.scopes.length === 1 ? "," : ""})`
            : "()",
          clientIdEnv: pyString(`${envPrefix}_CLIENT_ID`),
          clientSecretEnv: pyString(`${envPrefix}_CLIENT_SECRET`),
          // Where a caller's key goes on an operation declaring none: the document's name (as the
          // TypeScript and Rust clients), written only when it is not the runtime's default.
          idempotencyHeader: idempotency.header === "Idempotency-Key" ? "" : pyString(idempotency.header),
        },
        basic,
        oauth2: oauth2 !== null,
        oauth2ScopesDoc: oauth2 && oauth2.scopes.length > 0 ? oauth2.scopes.map((s) => `\`${s}\``).join(", ") : "none",
        env: {
          apiKey: `${envPrefix}_API_KEY`,
          bearerToken: `${envPrefix}_BEARER_TOKEN`,
          baseUrl: `${envPrefix}_BASE_URL`,
          username: `${envPrefix}_USERNAME`,
          password: `${envPrefix}_PASSWORD`,
          clientId: `${envPrefix}_CLIENT_ID`,
          clientSecret: `${envPrefix}_CLIENT_SECRET`,
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
        // The README's retry paragraph: which operations carry a generated idempotency key.
        idempotency,
        // The README's note on If-Match / If-None-Match, for documents that have such parameters.
        conditional: ir.operations.some((o) =>
          o.parameters.some((x) => x.in === "header" && (x.role === "if-match" || x.role === "if-none-match")),
        ),
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
    sync: !async,
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
