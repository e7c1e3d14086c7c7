// The `typescript` target: an SDK with zero runtime dependencies. The hand-written runtime
// (templates/typescript/runtime/src) is copied into `runtime/`; models, one resource class per
// group, the client and the README are rendered. JSON field names stay as on the wire (as the
// best hand-polished SDKs do), so nothing is converted and nothing can be lost.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ApiIR, Operation, TypeRef } from "../../ir/types.ts";
import { clientStem, kebabCase, pascalCase, upperSnakeCase } from "../../naming/index.ts";
import { templatesRoot } from "../generate.ts";
import { npmMetadata, type PackageMetadata } from "../package-metadata.ts";
import {
  clientCredentialsFlow,
  ERROR_FAMILIES,
  errorBodies,
  familyCovers,
  idempotencyView,
  serverUrl,
} from "../sdk-common.ts";
import { docComment, typePrinter, unknownArm } from "../ts-types.ts";
import type { Target } from "../types.ts";
import { planDecoders } from "./decoders.ts";
import { operationMethod, styleImportOf, websocketMethod } from "./methods.ts";

export interface TypeScriptOptions {
  /** The client class (default: the naming layer's, from the title: "TKA API" -> "Tka"). */
  clientName?: string;
  /**
   * Other names the client class is exported under, deprecated (names it had in earlier
   * releases: "TKA" before the naming layer decided client names).
   */
  clientAliases?: readonly string[];
  /** The npm package name (default: "<title>-sdk" in kebab case). */
  packageName?: string;
  /** Prefix of the environment variables credentials are read from (default: from the client name). */
  envPrefix?: string;
  /** The SDK's own version, independent of the API's (default: the document's `info.version`). */
  version?: string;
  /**
   * Write a complete npm package around `src/` (package.json with an exports map for ESM, CommonJS
   * and types, tsconfigs, a build script, a LICENSE placeholder), so `npm install && npm run build
   * && npm pack` works on the output alone. Default true; `"manifest"` writes package.json only
   * (a package folder with its own tsconfigs and build: this repository's packages/sdk-ts); false
   * writes none of them.
   */
  package?: boolean | "manifest";
  /** Extra package.json members merged in (scripts and devDependencies member by member). */
  packageJson?: Record<string, unknown>;
  /** Repository, home page, issue tracker, authors, keywords; absent members are left out. */
  metadata?: PackageMetadata;
}

/**
 * The files around `src/` that make the output a package: zero runtime dependencies, TypeScript
 * as the only development dependency, ESM and CommonJS builds with declarations.
 */
function packageFiles(
  ir: ApiIR,
  render: (template: string, view: object) => string,
  meta: { packageName: string; version: string },
  options: TypeScriptOptions,
): Array<{ path: string; content: string }> {
  const license = ir.info.license;
  const generated = {
    name: meta.packageName,
    version: /^\d+\.\d+\.\d+/.test(meta.version) ? meta.version : "0.1.0",
    description: `TypeScript SDK of the ${ir.info.title} (generated from its OpenAPI document; zero runtime dependencies).`,
    ...npmMetadata(options.metadata),
    license: license ?? "SEE LICENSE IN LICENSE",
    type: "module",
    engines: { node: ">=20" },
    exports: {
      ".": {
        import: { types: "./dist/esm/index.d.ts", default: "./dist/esm/index.js" },
        require: { types: "./dist/cjs/index.d.ts", default: "./dist/cjs/index.js" },
      },
    },
    main: "./dist/cjs/index.js",
    module: "./dist/esm/index.js",
    types: "./dist/esm/index.d.ts",
    // src/ ships too: the source maps and declaration maps point into it (as openai-node's do),
    // so debuggers and "go to definition" land on the TypeScript source.
    files: ["dist", "src", "README.md", "LICENSE", "CHANGELOG.md"],
    sideEffects: false,
    scripts: {
      build: "node scripts/build.mjs",
      typecheck: "tsc --noEmit -p tsconfig.json",
      prepack: "node scripts/build.mjs",
    },
    devDependencies: { typescript: "^5.9.3" },
  };
  const extra = options.packageJson ?? {};
  const packageJson = {
    ...generated,
    ...extra,
    scripts: { ...generated.scripts, ...(extra.scripts as object | undefined) },
    devDependencies: { ...generated.devDependencies, ...(extra.devDependencies as object | undefined) },
  };
  const manifest = { path: "package.json", content: `${JSON.stringify(packageJson, null, 2)}\n` };
  if (options.package === "manifest") return [manifest];
  const view = { title: ir.info.title, license: license ?? "" };
  return [
    manifest,
    { path: "tsconfig.json", content: render("typescript/package/tsconfig.json.hbs", view) },
    { path: "tsconfig.build.json", content: render("typescript/package/tsconfig.build.json.hbs", view) },
    { path: "tsconfig.build.cjs.json", content: render("typescript/package/tsconfig.build.cjs.json.hbs", view) },
    { path: "scripts/build.mjs", content: render("typescript/package/build.mjs.hbs", view) },
    { path: "LICENSE", content: render("typescript/package/LICENSE.hbs", view) },
  ];
}

/** Members of the runtime's BaseClient (and Object) a resource property must not take the name of. */
const CLIENT_MEMBERS = new Set([
  "apiKey",
  "authHeaders",
  "backoffDelay",
  "baseURL",
  "bearerToken",
  "buildURL",
  "config",
  "constructor",
  "logger",
  "makeRequest",
  "maxRetries",
  "maxRetryAfter",
  "prepare",
  "random",
  "request",
  "requestPage",
  "requestStream",
  "sleep",
  "timeout",
  "withOptions",
]);
export function typescriptTarget(options: TypeScriptOptions = {}): Target {
  return {
    name: "typescript",
    language: "typescript",
    runtimeDir: "typescript/runtime/src",
    runtimeOut: "src/runtime",
    render(ir: ApiIR, render, context) {
      // The naming layer's client name, the same in every SDK.
      const clientName = options.clientName ?? ir.client.names?.typescript?.className ?? clientStem(ir.info.title);
      const packageName = options.packageName ?? `${kebabCase(clientStem(ir.info.title))}-sdk`;
      const envPrefix = options.envPrefix ?? upperSnakeCase(clientName);
      const models = typePrinter(ir, { openEnums: true, openUnions: true });
      const qualified = typePrinter(ir, { openEnums: true, openUnions: true, qualifier: "M." });
      const decoders = planDecoders(ir, qualified.type);
      const apiKey = ir.securitySchemes.find((s) => s.type === "apiKey" && s.in === "header");
      // Without a header API key, a key the API takes in the query or a cookie.
      const apiKeyElsewhere = apiKey
        ? undefined
        : ir.securitySchemes.find((s) => s.type === "apiKey" && (s.in === "query" || s.in === "cookie"));
      const basic = ir.securitySchemes.some((s) => s.type === "http" && s.scheme === "basic");
      const oauth2 = clientCredentialsFlow(ir);
      const examples: { group: string; line: string }[] = [];
      const idempotencyHeader = ir.operations.find((o) => o.idempotencyKey !== null)?.idempotencyKey?.header;

      const usedProperties = new Set<string>();
      const resources = ir.groups.map((group) => {
        // A resource must not replace a member of the base client (`apiKey`, `request`, ...): TS2416.
        let property = group.names?.typescript?.property ?? group.name;
        if (CLIENT_MEMBERS.has(property) || usedProperties.has(property)) property = `${property}Resource`;
        usedProperties.add(property);
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
          const method = context.attempt({ operation: op.id }, () =>
            operationMethod(ir, op, qualified.type, decoders, property, group.name, examples),
          );
          return method === null ? [] : [method];
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
          groupName: group.name,
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
          multipartImport: methods.some((m) => m.multipart !== false)
            ? `import { multipartBody${methods.some((m) => m.args.some((a) => a.type.includes("Uploadable"))) ? ", type Uploadable" : ""} } from "../runtime/internal/multipart.ts";`
            : "",
          usesWebSocket: methods.some((m) => m.websocket !== false),
          usesETags: methods.some((m) => m.params !== false && m.params.some((p) => p.etag)),
          styleImport: styleImportOf(methods),
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
        apiVersion: ir.info.version,
        description: ir.info.description ?? "",
        clientName,
        clientAliases: (options.clientAliases ?? []).filter((a) => a !== clientName),
        packageName,
        // Server variables at their defaults ({region} -> eu-west-1), as the Python and Rust SDKs do.
        defaultBaseURL: ir.servers.length > 0 ? serverUrl(ir) : "",
        apiKeyHeader: apiKey?.parameterName ?? "",
        apiKeyIn: apiKeyElsewhere
          ? `{ in: ${JSON.stringify(apiKeyElsewhere.in)}, name: ${JSON.stringify(apiKeyElsewhere.parameterName)} }`
          : "",
        basic,
        oauth2: oauth2
          ? `{ tokenUrl: ${JSON.stringify(oauth2.tokenUrl)}${oauth2.scopes.length > 0 ? `, scopes: ${JSON.stringify(oauth2.scopes)}` : ""} }`
          : "",
        idempotencyHeader:
          idempotencyHeader !== undefined && idempotencyHeader !== "Idempotency-Key" ? idempotencyHeader : "",
        env: {
          apiKey: `${envPrefix}_API_KEY`,
          bearerToken: `${envPrefix}_BEARER_TOKEN`,
          baseURL: `${envPrefix}_BASE_URL`,
          username: `${envPrefix}_USERNAME`,
          password: `${envPrefix}_PASSWORD`,
          clientId: `${envPrefix}_CLIENT_ID`,
          clientSecret: `${envPrefix}_CLIENT_SECRET`,
        },
        resources,
        // The README's retry paragraph: which operations carry a generated idempotency key.
        idempotency: idempotencyView(ir),
        // The README's note on If-Match / If-None-Match, for documents that have such parameters.
        conditional: ir.operations.some((o) =>
          o.parameters.some((x) => x.in === "header" && (x.role === "if-match" || x.role === "if-none-match")),
        ),
        examples: resources.map((r) => ({
          property: r.property,
          lines: examples.filter((e) => e.group === r.groupName).map((e) => e.line),
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
        ...(options.package === false ? [] : packageFiles(ir, render, { packageName, version: view.version }, options)),
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
