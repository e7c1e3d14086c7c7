// The `cli` target: a command line for any API, built on the TypeScript SDK target's output. The
// SDK (rendered by the typescript target, its runtime copied) lands in `src/sdk/`; the CLI's own
// hand-written runtime (templates/cli/runtime: argument parsing, settings, output, errors,
// completion) in `src/runtime/`; the commands, one per operation grouped by tag, are rendered as
// plain data (`src/commands.ts`) that the runtime interprets. Requests go through the SDK client's
// request loop, so the CLI gets its retries, idempotency keys, typed errors, pagination and
// reconnecting event streams.
import type { ApiIR, Model, Operation, Parameter, Property, TypeRef } from "../../ir/types.ts";
import { kebabCase, upperSnakeCase } from "../../naming/index.ts";
import { npmMetadata, type PackageMetadata } from "../package-metadata.ts";
import { requestPath, serverUrl, titleStem } from "../sdk-common.ts";
import { arrayDelimiter, isObjectType, modelsByName, resolveType } from "../shapes.ts";
import type { Target, TargetFile } from "../types.ts";
import { type TypeScriptOptions, typescriptTarget } from "../typescript/index.ts";

export interface CliOptions {
  /** The executable (default: the title's stem in lower case, "TKA API" -> "tka"). */
  binName?: string;
  /** The npm package (default: "<bin>-cli"). */
  packageName?: string;
  /** The package version (default: the document's `info.version`). */
  version?: string;
  /** The package's license (SPDX id; default "UNLICENSED"). */
  license?: string;
  /** Extra package.json members merged in (scripts, devDependencies of the repository using it). */
  packageJson?: Record<string, unknown>;
  /** Repository, home page, issue tracker, authors, keywords; absent members are left out. */
  metadata?: PackageMetadata;
  /** Options of the embedded TypeScript SDK. */
  sdk?: TypeScriptOptions;
}

/** Flags the runtime defines for every command (templates/cli/runtime/args.ts): generated flags avoid them. */
const RESERVED_FLAGS = new Set([
  "base-url",
  "api-key",
  "profile",
  "format",
  "timeout",
  "max-retries",
  "verbose",
  "help",
  "data",
  "data-file",
  "all",
  "max-events",
]);

/** The longest table: more scalar members than this are left to the JSON output. */
const MAX_COLUMNS = 8;

type ValueType = "string" | "integer" | "number" | "boolean" | "json";

interface Shape {
  type: ValueType;
  array?: boolean;
  enum?: Array<string | number | boolean>;
}

export function cliTarget(options: CliOptions = {}): Target {
  const sdk = typescriptTarget(options.sdk);
  return {
    name: "cli",
    language: "typescript",
    runtimeDir: "cli/runtime",
    runtimeOut: "src/runtime",
    extraRuntimes: [{ dir: "typescript/runtime/src", out: "src/sdk/runtime" }],
    embeds: ["src/sdk"],
    render(ir, render, context) {
      // The SDK first: its rendered files under src/sdk (its README stays with the SDK package).
      const sdkFiles: TargetFile[] = sdk
        .render(ir, render, context)
        .filter((f) => f.path.startsWith("src/"))
        .map((f) => ({ path: `src/sdk/${f.path.slice("src/".length)}`, content: f.content }));
      const stem = titleStem(ir.info.title);
      const bin = options.binName ?? (kebabCase(stem) || "api");
      const clientName = clientClass(sdkFiles);
      const envPrefix = options.sdk?.envPrefix ?? upperSnakeCase(clientName);
      const version = options.version ?? ir.info.version;
      const packageName = options.packageName ?? `${bin}-cli`;

      const groups: Array<{ name: string; description: string }> = [];
      const commands: unknown[] = [];
      const readme: Array<{ group: string; description: string; commands: Array<{ usage: string; summary: string }> }> =
        [];
      for (const group of ir.groups) {
        const name = kebabCase(group.names?.typescript?.property ?? group.name);
        const entries: Array<{ usage: string; summary: string }> = [];
        for (const id of group.operations) {
          const op = ir.operations.find((o) => o.id === id) as Operation;
          if (op.websocket !== null) continue; // A WebSocket channel is not a request; `stream` covers SSE.
          const command = commandOf(ir, op, name, bin);
          commands.push(command);
          entries.push({ usage: command.usage, summary: command.summary });
        }
        if (entries.length === 0) continue;
        groups.push({ name, description: (group.description ?? `The ${group.name} operations.`).trim() });
        readme.push({ group: name, description: oneLine(group.description ?? ""), commands: entries });
      }

      const program = {
        name: bin,
        version,
        title: ir.info.title,
        apiVersion: ir.info.version,
        description: (ir.info.description ?? ir.info.title).trim(),
        envPrefix,
        defaultBaseURL: serverUrl(ir),
      };
      const packageJson = {
        name: packageName,
        version,
        description: `The ${bin} command line of the ${ir.info.title}: every operation as a command (generated from the contract).`,
        ...npmMetadata(options.metadata),
        license: options.license ?? "UNLICENSED",
        type: "module",
        bin: { [bin]: `./bin/${bin}.js` },
        files: ["bin", "dist", "README.md", "LICENSE", "CHANGELOG.md"],
        engines: { node: ">=22" },
        scripts: {
          build: "rm -rf dist && tsc -p tsconfig.build.json",
          // A publish packs what this builds (a fresh clone has no dist).
          prepack: "npm run build",
          typecheck: "tsc --noEmit -p tsconfig.json",
        },
        devDependencies: { "@types/node": "^22", typescript: "^5.9" },
      };
      const extra = options.packageJson ?? {};
      const merged = {
        ...packageJson,
        ...extra,
        scripts: { ...packageJson.scripts, ...(extra.scripts as object | undefined) },
        devDependencies: { ...packageJson.devDependencies, ...(extra.devDependencies as object | undefined) },
      };
      const strip = (c: unknown) => JSON.parse(JSON.stringify(c, (k, v) => (k === "usage" ? undefined : v)));
      return [
        ...sdkFiles,
        {
          path: "src/commands.ts",
          content: render("cli/commands.ts.hbs", {
            groups: JSON.stringify(groups, null, 2),
            commands: JSON.stringify(commands.map(strip), null, 2),
          }),
        },
        {
          path: "src/definition.ts",
          content: render("cli/definition.ts.hbs", { program: JSON.stringify(program, null, 2), clientName }),
        },
        { path: "src/main.ts", content: render("cli/main.ts.hbs", {}) },
        { path: `bin/${bin}.js`, content: render("cli/bin.js.hbs", {}) },
        { path: "package.json", content: `${JSON.stringify(merged, null, 2)}\n` },
        { path: "tsconfig.json", content: render("cli/tsconfig.json.hbs", {}) },
        { path: "tsconfig.build.json", content: render("cli/tsconfig.build.json.hbs", {}) },
        {
          path: "README.md",
          content: render("cli/README.md.hbs", {
            ...program,
            packageName,
            groups: readme,
            configDir: `~/.config/${bin}`,
          }),
        },
      ];
    },
  };
}

/** The client class the SDK's index exports (`export { TKA } from "./client.ts"`). */
function clientClass(files: readonly TargetFile[]): string {
  const index = files.find((f) => f.path === "src/sdk/index.ts")?.content ?? "";
  const match = /export \{ (\w+) \} from "\.\/client\.ts"/.exec(index);
  if (!match?.[1]) throw new Error("cli: the typescript target's index exports no client class");
  return match[1];
}

function commandOf(ir: ApiIR, op: Operation, group: string, bin: string) {
  const name = kebabCase(op.names?.typescript?.method ?? op.id);
  const used = new Set(RESERVED_FLAGS);
  const flagName = (wire: string, prefix: string) => {
    let flag = kebabCase(wire) || "value";
    if (used.has(flag)) flag = `${prefix}-${flag}`;
    for (let i = 2; used.has(flag); i++) flag = `${kebabCase(wire)}-${i}`;
    used.add(flag);
    return flag;
  };
  const pathOrder = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const pathParams = op.parameters
    .filter((p) => p.in === "path")
    .sort((a, b) => pathOrder.indexOf(a.name) - pathOrder.indexOf(b.name));
  const params = [
    ...pathParams.map((p) => paramSpec(ir, p, kebabCase(p.name) || "value")),
    ...op.parameters.filter((p) => p.in !== "path").map((p) => paramSpec(ir, p, flagName(p.name, p.in))),
  ];

  const content = op.requestBody?.contents.find((c) =>
    ["json", "merge-patch", "form", "binary", "text"].includes(c.kind),
  );
  let body: unknown;
  let bodyFields: ReturnType<typeof fieldSpec>[] = [];
  if (op.requestBody && content) {
    const model = objectModel(ir, content.type);
    bodyFields =
      model && (content.kind === "json" || content.kind === "merge-patch" || content.kind === "form")
        ? model.properties.filter((p) => !p.readOnly).map((p) => fieldSpec(ir, p, flagName(p.wireName, "body")))
        : [];
    body = {
      kind: content.kind === "merge-patch" ? "json" : content.kind,
      contentType: content.mediaType,
      required: op.requestBody.required,
      fields: bodyFields,
    };
  }

  const success = op.responses.find((r) => r.status === op.successStatus)?.contents[0];
  // The CLI pages body cursors; other page styles are printed one answer at a time.
  const paged = op.pagination?.style === "cursor" ? op.pagination : null;
  const kind = paged ? "page" : op.streaming ? "stream" : "call";
  let columns: string[] | undefined;
  if (paged) columns = scalarColumns(ir, paged.itemType);
  else if (success?.type) {
    const r = resolveType(ir, success.type);
    if (r.kind === "array") columns = scalarColumns(ir, r.items);
  }
  const example = exampleLine(ir, op, bin, group, name, pathParams, bodyFields, content?.type);
  const summary = oneLine(op.summary ?? `${op.method.toUpperCase()} ${op.path}`);
  return {
    usage: `${bin} ${group} ${name}${pathParams.map((p) => ` <${kebabCase(p.name)}>`).join("")}`,
    group,
    name,
    summary,
    description: (op.description ?? "").trim(),
    ...(op.deprecated ? { deprecated: true } : {}),
    method: op.method,
    path: requestPath(op),
    params,
    ...(body === undefined ? {} : { body }),
    kind,
    ...(paged ? { cursorParam: paged.cursorParam, itemsField: paged.itemsField } : {}),
    ...(columns && columns.length > 0 ? { columns } : {}),
    ...(success?.kind === "binary" || success?.kind === "text"
      ? { accept: success.mediaType, responseType: success.kind === "binary" ? "bytes" : "text" }
      : {}),
    examples: [example],
  };
}

function paramSpec(ir: ApiIR, p: Parameter, flag: string) {
  const shape = shapeOf(ir, p.type);
  const delimiter = arrayDelimiter(ir, p);
  return {
    name: p.name,
    in: p.in,
    flag,
    description: describe(ir, p.description, p.type, p.deprecated),
    required: p.required,
    ...shape,
    ...(delimiter === null ? {} : { delimiter }),
    ...(p.in === "query" && p.style === "deepObject" && isObjectType(ir, p.type) ? { deepObject: true } : {}),
    ...(p.default === undefined ? {} : { default: p.default }),
    ...(p.role === null ? {} : { role: p.role }),
  };
}

function fieldSpec(ir: ApiIR, p: Property, flag: string) {
  return {
    name: p.wireName,
    flag,
    description: describe(ir, p.description, p.type, p.deprecated),
    required: p.required,
    nullable: p.nullable,
    ...shapeOf(ir, p.type),
    ...(p.default === undefined ? {} : { default: p.default }),
  };
}

/** A parameter's or member's help: its own description, else its type's; deprecation said. */
function describe(ir: ApiIR, own: string | undefined, type: TypeRef, deprecated: boolean): string {
  const ref = type.kind === "array" ? type.items : type;
  const model = ref.kind === "model" ? modelsByName(ir).get(ref.name) : undefined;
  const text = (own ?? model?.description ?? "").trim();
  return deprecated ? `${text}${text ? " " : ""}(deprecated)` : text;
}

/** How a flag's text becomes the value the contract declares. */
function shapeOf(ir: ApiIR, ref: TypeRef): Shape {
  const r = resolveType(ir, ref);
  if (r.kind === "array") {
    const item = shapeOf(ir, r.items);
    return item.type === "json" || item.array ? { type: "json" } : { ...item, array: true };
  }
  if (r.kind === "primitive") return { type: r.type };
  if (r.kind === "literal") {
    const t = typeof r.value;
    return { type: t === "number" ? "number" : t === "boolean" ? "boolean" : "string", enum: [r.value] };
  }
  if (r.kind === "model") {
    const m = modelsByName(ir).get(r.name);
    if (m?.kind === "enum") return { type: m.valueType, enum: m.members.map((x) => x.value) };
  }
  return { type: "json" };
}

function objectModel(ir: ApiIR, ref: TypeRef): Extract<Model, { kind: "object" }> | undefined {
  const r = resolveType(ir, ref);
  if (r.kind !== "model") return undefined;
  const m = modelsByName(ir).get(r.name);
  return m?.kind === "object" ? m : undefined;
}

/** The scalar members of an item model, in declaration order: the columns of its table. */
function scalarColumns(ir: ApiIR, ref: TypeRef): string[] | undefined {
  const model = objectModel(ir, ref);
  if (!model) return undefined;
  return model.properties
    .filter((p) => {
      const s = shapeOf(ir, p.type);
      return s.type !== "json" && !s.array;
    })
    .map((p) => p.wireName)
    .slice(0, MAX_COLUMNS);
}

/** One example command line: placeholders for arguments, the document's body example as flags. */
function exampleLine(
  ir: ApiIR,
  op: Operation,
  bin: string,
  group: string,
  name: string,
  pathParams: Parameter[],
  fields: ReturnType<typeof fieldSpec>[],
  bodyType: TypeRef | undefined,
): string {
  const parts = [bin, group, name, ...pathParams.map((p) => upperSnakeCase(p.name) || "VALUE")];
  const model = bodyType ? objectModel(ir, bodyType) : undefined;
  const example = model?.examples?.[0];
  if (example !== null && typeof example === "object" && !Array.isArray(example)) {
    const entries = Object.entries(example as Record<string, unknown>);
    const scalar = entries.every(([k, v]) => fields.some((f) => f.name === k) && (v === null || typeof v !== "object"));
    if (scalar) {
      for (const [k, v] of entries) {
        const f = fields.find((x) => x.name === k) as ReturnType<typeof fieldSpec>;
        if (typeof v === "boolean" && f.type === "boolean") parts.push(v ? `--${f.flag}` : `--no-${f.flag}`);
        else parts.push(`--${f.flag}`, shellWord(v === null ? "null" : String(v)));
      }
    } else parts.push("--data", shellWord(JSON.stringify(example)));
  }
  if (op.streaming) parts.push("--max-events", "10");
  return parts.join(" ");
}

function shellWord(text: string): string {
  return /^[A-Za-z0-9_.,:/@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function oneLine(text: string): string {
  return (text.trim().split(/\n\s*\n/)[0] ?? "").replace(/\s+/g, " ");
}
