import { GeneratorError, ptr } from "../errors.ts";
import { isObject, type Json, type JsonObject, type LoadedDocument } from "../loader/index.ts";
import { cmp, ModelBuilder } from "./models.ts";
import { OperationBuilder } from "./operations.ts";
import { DEFAULT_PAGINATION, detectPagination, type PaginationOptions } from "./pagination.ts";
import { pruneIR } from "./prune.ts";
import type { ApiIR, Operation, OperationGroup, SecurityScheme, SkippedItem, Warning } from "./types.ts";

export interface BuildOptions {
  pagination?: Partial<PaginationOptions>;
}

/** Build the IR of a loaded document. The result is plain JSON data (see `types.ts`). */
export function buildIR(doc: LoadedDocument, options: BuildOptions = {}): ApiIR {
  const root = doc.docs.root as JsonObject;
  const warnings: Warning[] = [];
  const securitySchemes = buildSecuritySchemes(doc, warnings);
  const models = new ModelBuilder(doc);
  const ops = new OperationBuilder(doc, models, new Set(securitySchemes.map((s) => s.id)));
  const built = ops.build();
  const webhooks = ops.webhooks();
  const modelList = models.finish();
  // Refused component models are not in the list; what uses them is pruned below.
  const skipped: SkippedItem[] = [
    ...[...models.refused].map(([name, because]) => ({ kind: "model" as const, name, label: name, because })),
    ...ops.refused,
  ];
  const pruned = pruneIR(
    {
      ...emptyIR(),
      operations: built.operations,
      channels: built.channels,
      webhooks,
      models: modelList,
      groups: groupsOf(built.operations, new Map()),
    },
    { operations: new Map(), models: new Map(models.refused) },
  );
  skipped.push(...pruned.skipped);
  const { operations, channels } = pruned;
  const byName = new Map(pruned.models.map((m) => [m.name, m]));
  const pagination = { ...DEFAULT_PAGINATION, ...options.pagination };
  for (const op of operations) {
    op.pagination = detectPagination(op, byName, pagination);
    if (op.pagination) {
      for (const p of op.parameters) {
        if (p.in !== "query") continue;
        if (p.name === op.pagination.cursorParam) p.role = "pagination-cursor";
        else if (p.name === op.pagination.limitParam) p.role = "pagination-limit";
      }
    }
  }
  const info = isObject(root.info) ? root.info : {};
  const tagDocs = new Map<string, string>();
  if (Array.isArray(root.tags))
    for (const t of root.tags)
      if (isObject(t) && typeof t.name === "string" && typeof t.description === "string")
        tagDocs.set(t.name, t.description);
  const groups = groupsOf(operations, tagDocs);
  const defaultSecurity = ops.security(undefined, { file: "", pointer: "/security" }, true);
  warnings.push(...ops.warnings);
  const ir: ApiIR = {
    irVersion: 1,
    source: { openapi: doc.openapi, version: doc.version },
    info: {
      title: typeof info.title === "string" ? info.title : "",
      version: typeof info.version === "string" ? info.version : "",
      ...(typeof info.summary === "string" ? { summary: info.summary } : {}),
      ...(typeof info.description === "string" ? { description: info.description } : {}),
      ...licenseOf(info.license),
    },
    servers: buildServers(root.servers),
    securitySchemes,
    defaultSecurity,
    groups,
    operations,
    models: pruned.models,
    channels,
    webhooks: pruned.webhooks,
    client: {},
    skipped,
    warnings,
    namedFor: [],
  };
  // Guarantees pure JSON data (drops any undefined that slipped in).
  return JSON.parse(JSON.stringify(ir)) as ApiIR;
}

function groupsOf(operations: Operation[], tagDocs: Map<string, string>): OperationGroup[] {
  const groupMap = new Map<string, string[]>();
  for (const op of operations) groupMap.set(op.group, [...(groupMap.get(op.group) ?? []), op.id]);
  return [...groupMap.keys()].sort(cmp).map((name) => ({
    name,
    ...(tagDocs.has(name) ? { description: tagDocs.get(name) as string } : {}),
    operations: groupMap.get(name) as string[],
  }));
}

/** An IR with nothing in it (the frame pruning works on before the document's parts are known). */
function emptyIR(): ApiIR {
  return {
    irVersion: 1,
    source: { openapi: "", version: "3.1" },
    info: { title: "", version: "" },
    servers: [],
    securitySchemes: [],
    defaultSecurity: { public: true, inherited: true, requirements: [] },
    groups: [],
    operations: [],
    models: [],
    channels: [],
    webhooks: [],
    client: {},
    skipped: [],
    warnings: [],
    namedFor: [],
  };
}

export function buildServers(node: Json | undefined): ApiIR["servers"] {
  if (!Array.isArray(node)) return [];
  return node.filter(isObject).map((s) => {
    const vars: NonNullable<ApiIR["servers"][number]["variables"]> = {};
    if (isObject(s.variables)) {
      for (const [k, v] of Object.entries(s.variables)) {
        if (!isObject(v)) continue;
        vars[k] = {
          default: String(v.default ?? ""),
          ...(Array.isArray(v.enum) ? { enum: v.enum.map(String) } : {}),
          ...(typeof v.description === "string" ? { description: v.description } : {}),
        };
      }
    }
    return {
      url: String(s.url ?? "/"),
      ...(typeof s.description === "string" ? { description: s.description } : {}),
      ...(Object.keys(vars).length > 0 ? { variables: vars } : {}),
    };
  });
}

/**
 * The document's security schemes. A scheme the generator cannot read (an unknown type, an apiKey
 * without `name`, ...) is left out with a warning; requirements naming it are then ignored too.
 */
function buildSecuritySchemes(doc: LoadedDocument, warnings: Warning[]): SecurityScheme[] {
  const root = doc.docs.root as JsonObject;
  const comps = isObject(root.components) ? root.components : {};
  const schemes = comps.securitySchemes;
  if (!isObject(schemes)) return [];
  const out: SecurityScheme[] = [];
  for (const id of Object.keys(schemes).sort(cmp)) {
    const at = { file: "", pointer: ptr("/components/securitySchemes", id) };
    try {
      out.push(securityScheme(doc, id, schemes[id] as Json, at));
    } catch (error) {
      if (!(error instanceof GeneratorError)) throw error;
      warnings.push({
        file: error.file,
        pointer: error.pointer,
        message: `${error.reason}; the scheme "${id}" is ignored`,
      });
    }
  }
  return out;
}

function securityScheme(
  doc: LoadedDocument,
  id: string,
  node: Json,
  at: { file: string; pointer: string },
): SecurityScheme {
  const { value: s, at: sAt } = doc.docs.deref(node, at);
  if (!isObject(s)) throw new GeneratorError(sAt.file, sAt.pointer, "a security scheme must be an object");
  const type = s.type;
  const description = typeof s.description === "string" ? { description: s.description } : {};
  if (type === "apiKey") {
    if (s.in !== "header" && s.in !== "query" && s.in !== "cookie")
      throw new GeneratorError(sAt.file, ptr(sAt.pointer, "in"), "apiKey `in` must be header, query or cookie");
    if (typeof s.name !== "string") throw new GeneratorError(sAt.file, ptr(sAt.pointer, "name"), "apiKey needs `name`");
    return { id, type, ...description, in: s.in, parameterName: s.name };
  }
  if (type === "http") {
    if (typeof s.scheme !== "string")
      throw new GeneratorError(sAt.file, ptr(sAt.pointer, "scheme"), "http security needs `scheme`");
    return {
      id,
      type,
      ...description,
      scheme: s.scheme.toLowerCase(),
      ...(typeof s.bearerFormat === "string" ? { bearerFormat: s.bearerFormat } : {}),
    };
  }
  if (type === "oauth2") return { id, type, ...description, flows: s.flows ?? {} };
  if (type === "openIdConnect") {
    return {
      id,
      type,
      ...description,
      ...(typeof s.openIdConnectUrl === "string" ? { openIdConnectUrl: s.openIdConnectUrl } : {}),
    };
  }
  if (type === "mutualTLS") return { id, type, ...description };
  throw new GeneratorError(sAt.file, ptr(sAt.pointer, "type"), `unknown security scheme type "${String(type)}"`);
}

/** The document's license (an SPDX identifier when given, else its name), for package metadata. */
function licenseOf(value: unknown): { license?: string; licenseSpdx?: true } {
  if (typeof value !== "object" || value === null) return {};
  const { identifier, name } = value as { identifier?: unknown; name?: unknown };
  if (typeof identifier === "string" && identifier !== "") return { license: identifier, licenseSpdx: true };
  return typeof name === "string" && name !== "" ? { license: name } : {};
}
