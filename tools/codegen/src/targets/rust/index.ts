// The `rust` target: a crate on reqwest + serde + tokio. The hand-written runtime
// (templates/rust/runtime/src) is copied into `src/runtime/`; models, one resource struct per
// group, the client, lib.rs, Cargo.toml and the README are rendered. Generated code is laid out
// as rustfmt prints it (the compile gate runs `cargo fmt --check` and clippy with -D warnings).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GeneratorError } from "../../errors.ts";
import type { ApiIR, Operation, Parameter, TypeRef, WebSocketChannel } from "../../ir/types.ts";
import { kebabCase, pascalCase, snakeCase, upperSnakeCase } from "../../naming/index.ts";
import { templatesRoot } from "../generate.ts";
import { errorBodies, serverUrl, taggedUnionFor, titleStem, webSocketConventions } from "../sdk-common.ts";
import { arrayDelimiter, flatShape } from "../shapes.ts";
import type { Target } from "../types.ts";
import { bodyStatement, type RustExample, resultName } from "./examples.ts";
import { renderModels } from "./models.ts";
import { arrayLiteral, chain, RustTypes, rustDoc, rustString, signature, useList } from "./types.ts";

export interface RustOptions {
  /** The client struct (default: from the title, "TKA API" -> "Tka"). */
  clientName?: string;
  /** The crate name (default: "<title>-sdk" in kebab case). */
  crateName?: string;
  /** Prefix of the environment variables (default: from the client name, "TKA"). */
  envPrefix?: string;
  /** The SDK's own version, independent of the API's (default: the document's `info.version`). */
  version?: string;
}

/** Trait methods clippy wants implemented as the trait when a method has their name. */
const TRAIT_METHODS = new Set([
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

const bare = (name: string) => name.replace(/^r#/, "");

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

interface Method {
  code: string;
  /** Module-level items the method needs (its params struct, event enum, decoder). */
  items: string[];
  example: RustExample;
  usesModels: boolean;
  imports: string[];
}

export function rustTarget(options: RustOptions = {}): Target {
  return {
    name: "rust",
    language: "rust",
    runtimeDir: "rust/runtime/src",
    runtimeOut: "src/runtime",
    render(ir: ApiIR, render) {
      const stem = titleStem(ir.info.title);
      const crateName = options.crateName ?? `${kebabCase(stem)}-sdk`;
      const libName = snakeCase(crateName.replace(/-sdk$/, "")) || "sdk";
      const types = new RustTypes(ir);
      const groupClasses = new Set(ir.groups.map((g) => g.names?.rust?.className ?? pascalCase(g.name)));
      let clientName = options.clientName ?? (pascalCase(stem) || "Api");
      if (groupClasses.has(clientName)) clientName = `${clientName}Client`;
      const envPrefix = options.envPrefix ?? upperSnakeCase(clientName.replace(/Client$/, "") || clientName);
      const version =
        options.version ?? (/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(ir.info.version) ? ir.info.version : "0.1.0");
      const apiKey = ir.securitySchemes.find((s) => s.type === "apiKey" && s.in === "header");
      const hasBearer = ir.securitySchemes.some((s) => s.type === "http" && s.scheme === "bearer");

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
          const ws = channel === undefined ? null : websocketMethod(types, op, channel, property, clientName, libName);
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
          methods.push(operationMethod(types, op, property, className, clientName, errorMaps, { libName, module }));
        }
        const imports = [
          ...new Set([
            ...methods.flatMap((m) => m.imports),
            ...(errorMaps.size > 0 ? ["ErrorDecoder", "decode_error"] : []),
          ]),
        ].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
        return {
          className,
          module,
          property,
          doc: rustDoc(group.description, "", `The \`${group.name}\` operations.`),
          accessorDoc: rustDoc(group.description, "    ", `The \`${group.name}\` operations.`),
          moduleDoc: rustDoc(group.description, "", `The \`${group.name}\` operations.`, "//!"),
          methods: methods.map((m) => ({ ...m, code: m.code.trimEnd() })),
          items: [
            ...[...errorMaps].map(
              ([entries, name]) =>
                `/// Error bodies the operations of this module declare: status and model.\n${arrayLiteral(
                  "",
                  `static ${name}: &[(&str, ErrorDecoder)] = &`,
                  entries.split("\n"),
                  ";",
                ).trimEnd()}`,
            ),
            ...methods.flatMap((m) => m.items.map((i) => i.trimEnd())),
          ],
          skipped: skipped.join("\n").trimEnd(),
          imports: imports.length === 0 ? "" : useList("crate::runtime", imports),
          // Map types are written `BTreeMap<String, T>`, as in models.rs.
          stdImports: methods.some((m) => /\bBTreeMap</.test([m.code, ...m.items].join("\n")))
            ? "use std::collections::BTreeMap;\n\n"
            : "",
          usesModels: methods.some((m) => m.usesModels),
        };
      });

      const models = renderModels(types);
      const accessors = errorAccessors(ir, types);
      const serdeImports = ["Deserialize", "Serialize"];
      if (models.usesCustomSerde || models.usesDoubleOption) serdeImports.push("Deserializer", "Serializer");
      serdeImports.sort();
      const modelImports = [
        ...(models.usesMap ? ["use std::collections::BTreeMap;\n\n"] : []),
        `use serde::{${serdeImports.join(", ")}};\n`,
      ].join("");

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
        },
        env: {
          apiKey: `${envPrefix}_API_KEY`,
          bearerToken: `${envPrefix}_BEARER_TOKEN`,
          baseUrl: `${envPrefix}_BASE_URL`,
        },
        hasBearer,
        defaultBaseUrl: serverUrl(ir),
        resources,
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
        idempotencyHeader: rustString(
          ir.operations.find((o) => o.idempotencyKey !== null)?.idempotencyKey?.header ?? "Idempotency-Key",
        ),
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

/** Rejects a parameter the target cannot send. */
function refuse(p: Parameter, reason: string): never {
  throw new GeneratorError(p.source.file, p.source.pointer, `the rust target ${reason}`);
}

function operationMethod(
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
  if (op.requestBody !== null) {
    const content = op.requestBody.contents.find((c) =>
      ["json", "merge-patch", "form", "binary", "text"].includes(c.kind),
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
    const type = content.kind === "binary" ? "[u8]" : content.kind === "text" ? "str" : q(content.type);
    body = { type, mediaType: content.mediaType, required: op.requestBody.required, kind: content.kind };
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
    if (!types.scalar(p.type)) refuse(p, "sends scalar path parameters only");
    const t = types.bare(types.resolve(p.type), "models::");
    args.push(`${pname}: ${t === "String" ? "&str" : t.startsWith("models::") ? `&${t}` : t}`);
    if (t.startsWith("models::")) usesModels = true;
    calls.push(`.path_param(${rustString(p.name)}, ${pname})`);
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
    if (!types.scalar(p.type)) {
      const r = types.resolve(p.type);
      const arrayOk = p.in === "query" && r.kind === "array" && types.scalar(r.items);
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
      } else if (!arrayOk)
        refuse(
          p,
          `sends scalar ${p.in} parameters only (in the query also arrays of them, flat objects with style deepObject or form + explode, and maps with style deepObject)`,
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
    } else if (p.in === "query" && arrayDelimiter(types.ir, p) !== null) {
      const delimiter = arrayDelimiter(types.ir, p) as string;
      calls.push(`.query_delimited(${rustString(p.name)}, &${paramsArg}.${fname}, ${rustString(delimiter)})`);
    } else if (p.in === "query")
      calls.push(`.query(${rustString(p.name)}, ${types.copy(p.type) ? "" : "&"}${paramsArg}.${fname})`);
    else {
      const optional = type.startsWith("Option<");
      calls.push(
        `.${p.in === "cookie" ? "cookie" : "header"}(${rustString(p.name)}, ${optional ? `${paramsArg}.${fname}.as_ref()` : `Some(&${paramsArg}.${fname})`})`,
      );
    }
  }
  if (structFields.length > 0) args.push(`${paramsArg}: &${paramsStruct}`);
  const bodyCalls: string[] = [];
  if (body?.kind === "binary" || body?.kind === "text") {
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
    ? `RequestSpec::${op.method}(${rustString(op.path)})`
    : `RequestSpec::new(crate::runtime::http::Method::${op.method.toUpperCase()}, ${rustString(op.path)})`;
  const mutable = body !== null && !body.required;
  const lines: string[] = [];
  lines.push(chain(mutable ? "let mut spec = " : "let spec = ", ctor, calls, ";", "        "));
  if (mutable) {
    lines.push(`        if let Some(${bodyArg}) = ${bodyArg} {\n`);
    lines.push(chain("spec = ", "spec", bodyCalls, ";", "            "));
    lines.push("        }\n");
  }

  const extraItems: string[] = [];
  let returns: string;
  let docTail: string;
  if (op.pagination && op.pagination.itemsField === "data" && op.pagination.nextCursorField === "next_cursor") {
    const item = q(op.pagination.itemType);
    imports.add("Paginator");
    returns = `Paginator<${item}>`;
    const pcalls =
      op.pagination.cursorParam === "cursor" ? [] : [`.cursor_param(${rustString(op.pagination.cursorParam)})`];
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
    else if (bodyRef !== undefined) {
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
  code = withDocExample(code, example, where.libName, snakeCase(clientName), clientName);
  return { code, items: [paramsItem, ...extraItems].filter(Boolean), example, usesModels, imports: [...imports] };
}

/**
 * A WebSocket channel with `x-websocket.protocol` conventions: a method opening the runtime's
 * reconnecting client (credentials go in the upgrade request's headers). Without the conventions
 * the channel is skipped (see the resource file's note).
 */
function websocketMethod(
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

/** A README block of a resource's examples: their `use` lines once, then each example. */
function readmeBlock(examples: RustExample[]): string {
  const uses = [...new Set(examples.flatMap((e) => e.uses))].sort();
  const body = examples.map((e) => e.lines.join("\n")).join("\n");
  return uses.length === 0 ? body : `${uses.join("\n")}\n\n${body}`;
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
  ].map((l) => (l === "" ? "    ///\n" : `    /// ${l}\n`));
  // The doc comment is the leading run of `///` lines.
  const docEnd = code.split("\n").findIndex((l) => !l.trimStart().startsWith("///"));
  const codeLines = code.split("\n");
  return [...codeLines.slice(0, docEnd), ...lines.map((l) => l.slice(0, -1)), ...codeLines.slice(docEnd)].join("\n");
}
