// The `rust` target: a crate on reqwest + serde + tokio. The hand-written runtime
// (templates/rust/runtime/src) is copied into `src/runtime/`; models, one resource struct per
// group, the client, lib.rs, Cargo.toml and the README are rendered. Generated code is laid out
// as rustfmt prints it (the compile gate runs `cargo fmt --check` and clippy with -D warnings).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ApiIR, Operation } from "../../ir/types.ts";
import { clientStem, kebabCase, pascalCase, snakeCase, upperSnakeCase } from "../../naming/index.ts";
import { templatesRoot } from "../generate.ts";
import { cargoMetadata, type PackageMetadata } from "../package-metadata.ts";
import { clientCredentialsFlow, errorBodies, idempotencyView, serverUrl } from "../sdk-common.ts";
import type { Render, Target } from "../types.ts";
import type { RustExample } from "./examples.ts";
import { bare, type Method, operationMethod, websocketMethod } from "./methods.ts";
import { renderModels } from "./models.ts";
import { MAX_WIDTH, RustTypes, rustDoc, rustString, useList } from "./types.ts";

export interface RustOptions {
  /** The client struct (default: from the title, "TKA API" -> "Tka"). */
  clientName?: string;
  /** The crate name (default: "<title>-sdk" in kebab case). */
  crateName?: string;
  /** Prefix of the environment variables (default: from the client name, "TKA"). */
  envPrefix?: string;
  /** The SDK's own version, independent of the API's (default: the document's `info.version`). */
  version?: string;
  /** Repository, home page, keywords, categories; absent members are left out. */
  metadata?: PackageMetadata;
}

/** `[dependencies]` and `[features]` of the runtime harness, copied verbatim. */
function cargoSections(): string {
  const text = readFileSync(join(templatesRoot, "rust/Cargo.toml"), "utf8");
  const sections = new Map<string, string>();
  let current: string | null = null;
  for (const line of text.split("\n")) {
    const header = /^\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      current = header[1] as string;
      sections.set(current, "");
      continue;
    }
    if (current !== null) sections.set(current, `${sections.get(current)}${line}\n`);
  }
  const get = (name: string) => {
    const body = sections.get(name);
    if (body === undefined) throw new Error(`templates/rust/Cargo.toml has no [${name}]`);
    return `[${name}]\n${body.trim()}\n`;
  };
  return `${get("features")}\n${get("dependencies")}`;
}

function cargoField(field: string): string {
  const text = readFileSync(join(templatesRoot, "rust/Cargo.toml"), "utf8");
  const m = new RegExp(`^${field}\\s*=\\s*"([^"]*)"`, "m").exec(text);
  if (m === null) throw new Error(`templates/rust/Cargo.toml has no ${field}`);
  return m[1] as string;
}
export function rustTarget(options: RustOptions = {}): Target {
  return {
    name: "rust",
    language: "rust",
    runtimeDir: "rust/runtime/src",
    runtimeOut: "src/runtime",
    render(ir: ApiIR, render, context) {
      const stem = clientStem(ir.info.title);
      const crateName = options.crateName ?? `${kebabCase(stem)}-sdk`;
      const libName = snakeCase(crateName.replace(/-sdk$/, "")) || "sdk";
      const types = new RustTypes(ir);
      const groupClasses = new Set(ir.groups.map((g) => g.names?.rust?.className ?? pascalCase(g.name)));
      // The naming layer's client name, the same in every SDK.
      let clientName = options.clientName ?? ir.client.names?.rust?.className ?? stem;
      if (groupClasses.has(clientName)) clientName = `${clientName}Client`;
      const envPrefix = options.envPrefix ?? upperSnakeCase(clientName.replace(/Client$/, "") || clientName);
      const version =
        options.version ?? (/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(ir.info.version) ? ir.info.version : "0.1.0");
      const apiKey = ir.securitySchemes.find((s) => s.type === "apiKey" && s.in === "header");
      // Without a header API key, a key the API takes in the query or a cookie.
      const apiKeyElsewhere = apiKey
        ? undefined
        : ir.securitySchemes.find((s) => s.type === "apiKey" && (s.in === "query" || s.in === "cookie"));
      const basic = ir.securitySchemes.some((s) => s.type === "http" && s.scheme === "basic");
      const hasBearer = ir.securitySchemes.some((s) => s.type === "http" && s.scheme === "bearer");
      const oauth2 = clientCredentialsFlow(ir);

      const resources = ir.groups.map((group) => {
        const className = group.names?.rust?.className ?? pascalCase(group.name);
        const module = group.names?.rust?.module ?? snakeCase(group.name);
        const property = group.names?.rust?.property ?? snakeCase(group.name);
        const methods: Method[] = [];
        const skipped: string[] = [];
        const errorMaps = new Map<string, string>();
        for (const id of group.operations) {
          const op = ir.operations.find((o) => o.id === id) as Operation;
          const channel = op.websocket === null ? undefined : ir.channels.find((c) => c.id === op.websocket);
          const ws =
            channel === undefined ? null : websocketMethod(render, types, op, channel, property, clientName, libName);
          if (ws !== null) {
            methods.push(ws);
            continue;
          }
          if (op.websocket !== null) {
            skipped.push(
              `// \`${op.method.toUpperCase()} ${op.path}\` (${op.id}) upgrades to a WebSocket channel: not generated\n` +
                "// yet, open it with `crate::runtime::WebSocket` through `Client::websocket`.\n",
            );
            continue;
          }
          const method = context.attempt({ operation: op.id }, () =>
            operationMethod(render, types, op, property, className, clientName, errorMaps, { libName, module }),
          );
          if (method !== null) methods.push(method);
        }
        const imports = [
          ...new Set([
            ...methods.flatMap((m) => m.imports),
            ...(errorMaps.size > 0 ? ["ErrorDecoder", "decode_error"] : []),
          ]),
        ].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
        const items = [
          ...[...errorMaps].map(([entries, name]) => errorTable(render, name, entries.split("\n"))),
          ...methods.flatMap((m) => m.items.map((i) => i.trimEnd())),
        ];
        // The module's text decides its imports (a method may name a model it does not end up
        // writing, as a multipart body; the error tables name models too).
        // Doc comments are left out: their examples import what they use themselves.
        const text = [...methods.map((m) => m.code), ...items]
          .join("\n")
          .split("\n")
          .filter((l) => !l.trimStart().startsWith("///"))
          .join("\n");
        return {
          className,
          module,
          property,
          doc: rustDoc(group.description, "", `The \`${group.name}\` operations.`),
          accessorDoc: rustDoc(group.description, "    ", `The \`${group.name}\` operations.`),
          moduleDoc: rustDoc(group.description, "", `The \`${group.name}\` operations.`, "//!"),
          methods: methods.map((m) => ({ ...m, code: m.code.trimEnd() })),
          items,
          skipped: skipped.join("\n").trimEnd(),
          imports: imports.length === 0 ? "" : useList("crate::runtime", imports),
          // Map types are written `BTreeMap<String, T>`, as in models.rs.
          stdImports: /\bBTreeMap</.test(text) ? "use std::collections::BTreeMap;\n\n" : "",
          usesModels: /(?<![\w:])models::/.test(text),
        };
      });

      const models = renderModels(render, types, libName);
      const accessors = errorAccessors(ir, types);
      const serdeImports = ["Deserialize", "Serialize"];
      if (models.usesCustomSerde || models.usesDoubleOption) serdeImports.push("Deserializer", "Serializer");
      serdeImports.sort();
      const modelImports = [
        ...(models.usesMap ? ["use std::collections::BTreeMap;\n\n"] : []),
        `use serde::{${serdeImports.join(", ")}};\n`,
      ].join("");

      const idempotency = idempotencyView(ir);
      const view = {
        crateName,
        libName,
        version,
        edition: cargoField("edition"),
        rustVersion: cargoField("rust-version"),
        cargoSections: cargoSections(),
        title: ir.info.title,
        apiVersion: ir.info.version,
        description: rustString(`The Rust SDK of the ${ir.info.title}.`),
        license: ir.info.license === undefined ? undefined : rustString(ir.info.license),
        documentation: rustString(`https://docs.rs/${crateName}`),
        metadata: cargoMetadata(options.metadata),
        crateDoc: rustDoc(ir.info.description, "", "", "//!"),
        readmeDescription: ir.info.description ?? "",
        clientName,
        clientSnake: snakeCase(clientName),
        clientDoc: rustDoc(undefined, "", `The ${ir.info.title} client.`),
        config: {
          sdkName: rustString(crateName),
          sdkVersion: rustString(version),
          baseUrl: rustString(serverUrl(ir)),
          apiKeyHeader: apiKey?.parameterName ? `Some(${rustString(apiKey.parameterName)})` : "None",
          apiKeyEnv: rustString(`${envPrefix}_API_KEY`),
          bearerTokenEnv: rustString(`${envPrefix}_BEARER_TOKEN`),
          baseUrlEnv: rustString(`${envPrefix}_BASE_URL`),
          apiKeyIn: apiKeyElsewhere
            ? `Some((${rustString(apiKeyElsewhere.in as string)}, ${rustString(apiKeyElsewhere.parameterName as string)}))`
            : "None",
          usernameEnv: basic ? `Some(${rustString(`${envPrefix}_USERNAME`)})` : "None",
          passwordEnv: basic ? `Some(${rustString(`${envPrefix}_PASSWORD`)})` : "None",
          oauth2: oauth2
            ? `Some((${rustString(oauth2.tokenUrl)}, &[${oauth2.scopes.map(rustString).join(", ")}]))`
            : "None",
          clientIdEnv: oauth2 ? `Some(${rustString(`${envPrefix}_CLIENT_ID`)})` : "None",
          clientSecretEnv: oauth2 ? `Some(${rustString(`${envPrefix}_CLIENT_SECRET`)})` : "None",
        },
        env: {
          apiKey: `${envPrefix}_API_KEY`,
          bearerToken: `${envPrefix}_BEARER_TOKEN`,
          baseUrl: `${envPrefix}_BASE_URL`,
        },
        hasBearer,
        defaultBaseUrl: serverUrl(ir),
        resources,
        // rustfmt sorts consecutive `use` items by path.
        resourceUses: [...resources].sort((a, b) =>
          bare(a.module) < bare(b.module) ? -1 : bare(a.module) > bare(b.module) ? 1 : 0,
        ),
        resourceImports:
          resources.length === 0
            ? ""
            : resources.length === 1
              ? `use crate::resources::${resources[0]?.className};\n`
              : `use crate::resources::{${resources
                  .map((r) => r.className)
                  .sort()
                  .join(", ")}};\n`,
        modelImports,
        models: models.declarations,
        doubleOption: models.usesDoubleOption,
        accessors,
        // The header a caller's `.idempotency_key()` goes in where the operation declares none.
        idempotencyHeader: rustString(idempotency.header),
        // The README's retry paragraph: which operations carry a generated idempotency key.
        idempotency,
        examples: resources.map((r) => ({ property: r.property, code: readmeBlock(r.methods.map((m) => m.example)) })),
        usesJsonExamples: resources.some((r) => r.methods.some((m) => m.example.usesJson)),
      };
      if (view.resourceImports.length > 100) {
        view.resourceImports = `use crate::resources::{\n${resources
          .map((r) => r.className)
          .sort()
          .map((c) => `    ${c},\n`)
          .join("")}};\n`;
      }
      return [
        { path: "Cargo.toml", content: render("rust/Cargo.toml.hbs", view) },
        { path: "README.md", content: render("rust/README.md.hbs", view) },
        { path: "src/lib.rs", content: render("rust/lib.rs.hbs", view) },
        { path: "src/client.rs", content: render("rust/client.rs.hbs", view) },
        { path: "src/models.rs", content: render("rust/models.rs.hbs", view) },
        ...(accessors.length > 0 ? [{ path: "src/errors.rs", content: render("rust/errors.rs.hbs", view) }] : []),
        { path: "src/resources.rs", content: render("rust/resources.rs.hbs", view) },
        ...resources.map((r) => ({
          path: `src/resources/${bare(r.module)}.rs`,
          content: render("rust/resource.rs.hbs", r),
        })),
      ];
    },
  };
}

/** Methods of the runtime's `StatusError` and `Error` a generated accessor must not take the name of. */
const ERROR_METHODS = new Set([
  "code",
  "connection",
  "decode",
  "decoded",
  "from_reqwest",
  "from_response",
  "from_response_declared",
  "is_connection",
  "is_problem",
  "is_timeout",
  "message",
  "new",
  "request_id",
  "retry_after",
  "status",
  "status_error",
]);

/**
 * One accessor per model the API declares as an error body (`problem()` for `Problem`), added to
 * the runtime's `StatusError` and `Error` (inherent impls in the same crate).
 */
function errorAccessors(ir: ApiIR, types: RustTypes): Array<{ name: string; type: string }> {
  const names = new Set<string>();
  for (const op of ir.operations) for (const e of errorBodies(op)) if (e.type.kind === "model") names.add(e.type.name);
  return [...names].sort().map((model) => {
    const type = types.type({ kind: "model", name: model, nullable: false }, "models::");
    let name = snakeCase(bare(type.replace(/^models::/, "")));
    if (ERROR_METHODS.has(name)) name = `${name}_body`;
    return { name, type };
  });
}

/** A README block of a resource's examples: their `use` lines once, then each example. */
function readmeBlock(examples: RustExample[]): string {
  const uses = [...new Set(examples.flatMap((e) => e.uses))].sort();
  const body = examples.map((e) => e.lines.join("\n")).join("\n");
  return uses.length === 0 ? body : `${uses.join("\n")}\n\n${body}`;
}

/** rustfmt's `array_width` (60% of max_width). */
const ARRAY_WIDTH = 60;

/** A module's error table (templates/rust/method/errors.rs.hbs): flat when rustfmt keeps it on one line. */
function errorTable(render: Render, name: string, entries: string[]): string {
  const flat = render("rust/method/errors.rs.hbs", { name, entries, flat: true });
  const fits = entries.join(", ").length <= ARRAY_WIDTH && flat.split("\n").every((l) => l.length <= MAX_WIDTH);
  return (fits ? flat : render("rust/method/errors.rs.hbs", { name, entries, flat: false })).trimEnd();
}
