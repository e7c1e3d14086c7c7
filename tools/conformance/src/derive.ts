// Turns a scenario's mock API definitions into client calls, as data: for every endpoint the
// mock serves, the operation of the generated SDK that reaches it (matched by method and path
// template in the generator's IR) and the arguments that make the request the mock expects
// (path values from the URI, query, headers and body from the definition), plus the answer the
// client must decode. One description per scenario, rendered per language by the drivers.

import type { ApiIR, Operation, TypeRef } from "@tka/codegen/src/api.ts";
import { expandDyns, isMatcher } from "@typespec/spec-api";
import type { MockApi, MockBody, Scenario } from "./scenarios.ts";

export interface Body {
  kind: "json" | "text" | "binary";
  /** JSON: the value; text: the string; binary: base64. */
  value: unknown;
  mediaType: string;
}
export interface Call {
  operationId: string;
  httpMethod: string;
  /** The path template's parameters in order, with the values the mock's URI holds. */
  pathParams: { name: string; value: string }[];
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: Body | null;
  /** A header the document's security schemes describe becomes the client's credential. */
  credentials?: { apiKey?: string; bearerToken?: string };
  expect: { status: number; body: Body | null; headers?: Record<string, string> };
  /** The client's base URL when the server URL has a path of its own (`{endpoint}/v1.0/...`). */
  baseUrl?: string;
}
export type Derived = { ok: true; calls: Call[]; expected: unknown[] } | { ok: false; reason: string };

export interface ResolverConfig {
  baseUrl: string;
}

export function deriveCalls(scenario: Scenario, ir: ApiIR, config: ResolverConfig): Derived {
  const calls: Call[] = [];
  const expected: unknown[] = [];
  for (const api of scenario.apis) {
    const found = findOperation(ir, api);
    if (!found)
      return { ok: false, reason: `no operation of the document serves ${api.method.toUpperCase()} ${api.uri}` };
    const { op, pathValues, prefix } = found;
    const request = api.request ?? {};
    if (api.handler && !request.body && hasBodyParam(op))
      return { ok: false, reason: `${api.uri}: the mock checks the request in its own code; no call description` };
    const credentials: NonNullable<Call["credentials"]> = {};
    const requestHeaders = { ...(request.headers ?? {}) };
    for (const [wire, raw] of Object.entries(requestHeaders)) {
      const value = String(resolveValue(raw, config));
      const scheme = ir.securitySchemes.find(
        (s) =>
          (s.type === "apiKey" && s.in === "header" && s.parameterName?.toLowerCase() === wire.toLowerCase()) ||
          ((s.type === "http" || s.type === "oauth2") && wire.toLowerCase() === "authorization"),
      );
      if (!scheme) continue;
      if (scheme.type === "apiKey") credentials.apiKey = value;
      else credentials.bearerToken = value.replace(/^bearer\s+/i, "");
      delete requestHeaders[wire];
    }
    const query = coerceAll(ir, op, "query", request.query, config);
    const headers = coerceAll(ir, op, "header", requestHeaders, config);
    if (typeof query === "string") return { ok: false, reason: query };
    if (typeof headers === "string") return { ok: false, reason: headers };
    const body = requestBody(op, request.body, config);
    if (typeof body === "string") return { ok: false, reason: body };
    const response = responseBody(api, config);
    calls.push({
      operationId: op.id,
      httpMethod: op.method,
      pathParams: pathValues,
      query,
      headers,
      body,
      ...(Object.keys(credentials).length > 0 ? { credentials } : {}),
      ...(prefix ? { baseUrl: config.baseUrl + prefix } : {}),
      expect: {
        status: api.response.status,
        body: response.body,
        ...(api.response.headers ? { headers: stringValues(resolveValue(api.response.headers, config)) } : {}),
      },
    });
    expected.push(response.match);
  }
  return { ok: true, calls, expected };
}

function hasBodyParam(op: Operation): boolean {
  return op.requestBody !== null;
}

function findOperation(
  ir: ApiIR,
  api: MockApi,
): { op: Operation; pathValues: { name: string; value: string }[]; prefix: string } | null {
  // A server URL such as `{endpoint}/server/path/multiple/{apiVersion}` puts a path before every
  // operation's: the mock's URI is matched against both, and the filled prefix joins the base URL.
  const prefixes = ir.servers
    .map((s) => s.url.replace(/^\{endpoint\}|^https?:\/\/[^/]+/, ""))
    .filter((p, i, all) => p !== "" && all.indexOf(p) === i);
  const uri = api.uri.replaceAll("\\:", ":");
  for (const op of ir.operations) {
    if (op.method !== api.method.toLowerCase()) continue;
    const pathValues = matchTemplate(op.path, uri);
    if (pathValues) return { op, pathValues, prefix: "" };
    for (const serverPath of prefixes) {
      const values = matchTemplate(serverPath + (op.path === "/" ? "" : op.path), uri);
      if (!values) continue;
      const own = new Set(op.parameters.filter((p) => p.in === "path").map((p) => p.name));
      let prefix = serverPath;
      for (const v of values) if (!own.has(v.name)) prefix = prefix.replace(`{${v.name}}`, encodeURIComponent(v.value));
      return { op, pathValues: values.filter((v) => own.has(v.name)), prefix };
    }
  }
  return null;
}

/** The values of a path template's parameters in a concrete URI, or null when it does not match. */
export function matchTemplate(template: string, uri: string): { name: string; value: string }[] | null {
  const names: string[] = [];
  const pattern = template.replace(/\{([^}]+)\}|[^{]+/g, (m, name: string | undefined) => {
    if (name !== undefined) {
      names.push(name);
      return "([^/]+)";
    }
    return m.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  });
  const m = new RegExp(`^${pattern}$`).exec(uri);
  return m ? names.map((name, i) => ({ name, value: decodeURIComponent(m[i + 1] as string) })) : null;
}

function stringValues(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

function resolveValue(value: unknown, config: ResolverConfig): unknown {
  return expandDyns(value, config);
}

/** Query or header values as the SDK takes them: typed by the parameter's schema. */
function coerceAll(
  ir: ApiIR,
  op: Operation,
  location: "query" | "header",
  values: Record<string, unknown> | undefined,
  config: ResolverConfig,
): Record<string, unknown> | string {
  const out: Record<string, unknown> = {};
  for (const [wire, raw] of Object.entries(values ?? {})) {
    const p = op.parameters.find((p) => p.in === location && p.name.toLowerCase() === wire.toLowerCase());
    // Content-Type and Accept are the SDK's to set, unless the operation declares them.
    if (!p && location === "header" && ["content-type", "accept"].includes(wire.toLowerCase())) continue;
    if (!p) return `the mock expects ${location} "${wire}", which the operation ${op.id} does not declare`;
    const value = resolveValue(raw, config);
    out[p.name] = coerce(value, resolveAlias(ir, p.type), p.style, p.explode);
  }
  return out;
}

/** A named scalar or array (an alias model) stands for its type. */
function resolveAlias(ir: ApiIR, type: TypeRef): TypeRef {
  let t = type;
  for (let i = 0; i < 10 && t.kind === "model"; i++) {
    const name = t.name;
    const m = ir.models.find((m) => m.name === name);
    if (m?.kind !== "alias") break;
    t = m.type;
  }
  return t.kind === "array" ? { ...t, items: resolveAlias(ir, t.items) } : t;
}

function coerce(value: unknown, type: TypeRef, style = "form", explode = true): unknown {
  if (type.kind === "array") {
    const items = Array.isArray(value)
      ? value
      : typeof value === "string"
        ? value.split(explode ? "," : delimiterOf(style))
        : [value];
    return items.map((v) => coerce(v, type.items));
  }
  if (typeof value !== "string") return value;
  if (type.kind === "primitive") {
    if (type.type === "integer" || type.type === "number") {
      const n = Number(value);
      return Number.isNaN(n) ? value : n;
    }
    if (type.type === "boolean") return value === "true";
  }
  if (type.kind === "literal" && typeof type.value !== "string") return type.value;
  return value;
}

function delimiterOf(style: string): string {
  return style === "spaceDelimited" ? " " : style === "pipeDelimited" ? "|" : ",";
}

function requestBody(op: Operation, body: MockBody | undefined, config: ResolverConfig): Body | null | string {
  if (!body) return null;
  if (body.kind === "multipart") return "multipart request bodies: no call description";
  const content = op.requestBody?.contents.find((c) => c.mediaType === body.contentType) ?? op.requestBody?.contents[0];
  if (!content) return `the mock expects a ${body.contentType} body; the operation ${op.id} takes none`;
  return serializeBody(body, config, content.mediaType);
}

function serializeBody(
  body: { contentType: string; rawContent?: unknown },
  config: ResolverConfig,
  mediaType: string,
): Body | string {
  const raw = body.rawContent;
  if (Buffer.isBuffer(raw)) return { kind: "binary", value: raw.toString("base64"), mediaType };
  const text =
    typeof raw === "string"
      ? raw
      : raw && typeof (raw as { serialize?: unknown }).serialize === "function"
        ? String((raw as { serialize: (c: ResolverConfig) => unknown }).serialize(config))
        : undefined;
  if (text === undefined) return "the mock's body has no serialisable content";
  if (/json/.test(body.contentType)) return { kind: "json", value: JSON.parse(text), mediaType };
  if (/xml/.test(body.contentType)) return "XML bodies: the generator supports none";
  return { kind: "text", value: text, mediaType };
}

function responseBody(api: MockApi, config: ResolverConfig): { body: Body | null; match: unknown } {
  const body = api.response.body;
  if (!body) return { body: null, match: undefined };
  const wire = serializeBody(body, config, body.contentType);
  if (typeof wire === "string") return { body: null, match: undefined };
  // For JSON, keep spector's matchers in the expected value (a datetime matcher accepts any
  // equivalent RFC 3339 text, as spector does for requests).
  const raw = body.rawContent as { resolve?: (c: ResolverConfig) => unknown } | undefined;
  const match = wire.kind === "json" && raw?.resolve ? raw.resolve(config) : wire.value;
  return { body: wire, match };
}

export { isMatcher };
