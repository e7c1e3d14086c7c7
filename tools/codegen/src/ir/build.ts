import { GeneratorError, ptr } from "../errors.ts";
import { isObject, type Json, type JsonObject, type LoadedDocument } from "../loader/index.ts";
import { cmp, ModelBuilder } from "./models.ts";
import { OperationBuilder } from "./operations.ts";
import { DEFAULT_PAGINATION, detectPagination, type PaginationOptions } from "./pagination.ts";
import type { ApiIR, OperationGroup, SecurityScheme } from "./types.ts";

export interface BuildOptions {
  pagination?: Partial<PaginationOptions>;
}

/** Build the IR of a loaded document. The result is plain JSON data (see `types.ts`). */
export function buildIR(doc: LoadedDocument, options: BuildOptions = {}): ApiIR {
  const root = doc.docs.root as JsonObject;
  const securitySchemes = buildSecuritySchemes(doc);
  const models = new ModelBuilder(doc);
  const ops = new OperationBuilder(doc, models, new Set(securitySchemes.map((s) => s.id)));
  const { operations, channels } = ops.build();
  const modelList = models.finish();
  const byName = new Map(modelList.map((m) => [m.name, m]));
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
  const groupMap = new Map<string, string[]>();
  for (const op of operations) groupMap.set(op.group, [...(groupMap.get(op.group) ?? []), op.id]);
  const groups: OperationGroup[] = [...groupMap.keys()].sort(cmp).map((name) => ({
    name,
    ...(tagDocs.has(name) ? { description: tagDocs.get(name) as string } : {}),
    operations: groupMap.get(name) as string[],
  }));
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
    defaultSecurity: ops.security(undefined, { file: "", pointer: "/security" }, true),
    groups,
    operations,
    models: modelList,
    channels,
    namedFor: [],
  };
  // Guarantees pure JSON data (drops any undefined that slipped in).
  return JSON.parse(JSON.stringify(ir)) as ApiIR;
}

function buildServers(node: Json | undefined): ApiIR["servers"] {
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

function buildSecuritySchemes(doc: LoadedDocument): SecurityScheme[] {
  const root = doc.docs.root as JsonObject;
  const comps = isObject(root.components) ? root.components : {};
  const schemes = comps.securitySchemes;
  if (!isObject(schemes)) return [];
  const out: SecurityScheme[] = [];
  for (const id of Object.keys(schemes).sort(cmp)) {
    const at = { file: "", pointer: ptr("/components/securitySchemes", id) };
    const { value: s, at: sAt } = doc.docs.deref(schemes[id] as Json, at);
    if (!isObject(s)) throw new GeneratorError(sAt.file, sAt.pointer, "a security scheme must be an object");
    const type = s.type;
    const description = typeof s.description === "string" ? { description: s.description } : {};
    if (type === "apiKey") {
      if (s.in !== "header" && s.in !== "query" && s.in !== "cookie")
        throw new GeneratorError(sAt.file, ptr(sAt.pointer, "in"), "apiKey `in` must be header, query or cookie");
      if (typeof s.name !== "string")
        throw new GeneratorError(sAt.file, ptr(sAt.pointer, "name"), "apiKey needs `name`");
      out.push({ id, type, ...description, in: s.in, parameterName: s.name });
    } else if (type === "http") {
      if (typeof s.scheme !== "string")
        throw new GeneratorError(sAt.file, ptr(sAt.pointer, "scheme"), "http security needs `scheme`");
      out.push({
        id,
        type,
        ...description,
        scheme: s.scheme.toLowerCase(),
        ...(typeof s.bearerFormat === "string" ? { bearerFormat: s.bearerFormat } : {}),
      });
    } else if (type === "oauth2") {
      out.push({ id, type, ...description, flows: s.flows ?? {} });
    } else if (type === "openIdConnect") {
      out.push({
        id,
        type,
        ...description,
        ...(typeof s.openIdConnectUrl === "string" ? { openIdConnectUrl: s.openIdConnectUrl } : {}),
      });
    } else if (type === "mutualTLS") {
      out.push({ id, type, ...description });
    } else
      throw new GeneratorError(sAt.file, ptr(sAt.pointer, "type"), `unknown security scheme type "${String(type)}"`);
  }
  return out;
}

/** The document's license (an SPDX identifier when given, else its name), for package metadata. */
function licenseOf(value: unknown): { license?: string } {
  if (typeof value !== "object" || value === null) return {};
  const { identifier, name } = value as { identifier?: unknown; name?: unknown };
  const license = typeof identifier === "string" && identifier !== "" ? identifier : name;
  return typeof license === "string" && license !== "" ? { license } : {};
}
