import { GeneratorError, ptr, RefusalsError } from "../errors.ts";
import {
  describeEventStream,
  isObject,
  type Json,
  type JsonObject,
  type LoadedDocument,
  type Location,
} from "../loader/index.ts";
import { camelCase, pascalJoin, splitWords } from "../naming/words.ts";
import { buildServers } from "./build.ts";
import { cmp, type ModelBuilder } from "./models.ts";
import { operationLabel } from "./prune.ts";
import type {
  BodyContent,
  BodyKind,
  Operation,
  OperationSecurity,
  Parameter,
  ParameterLocation,
  RequestBody,
  Response,
  ResponseContent,
  ResponseContentKind,
  ResponseHeader,
  SecurityRequirement,
  SkippedItem,
  StreamEvent,
  TypeRef,
  Warning,
  Webhook,
  WebSocketChannel,
} from "./types.ts";

export const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace", "query"] as const;
type Method = (typeof METHODS)[number];

const loc = (at: Location, ...tokens: Array<string | number>): Location => ({
  file: at.file,
  pointer: ptr(at.pointer, ...tokens),
});
function fail(at: Location, reason: string): never {
  throw new GeneratorError(at.file, at.pointer, reason);
}

export function bodyKind(mediaType: string): BodyKind {
  const mt = mediaType.toLowerCase().split(";")[0]?.trim() ?? "";
  if (mt === "application/merge-patch+json") return "merge-patch";
  if (mt === "application/json" || mt.endsWith("+json")) return "json";
  if (mt === "application/x-www-form-urlencoded") return "form";
  if (mt.startsWith("multipart/")) return "multipart";
  if (mt === "application/xml" || mt === "text/xml" || mt.endsWith("+xml")) return "xml";
  if (mt.startsWith("text/")) return "text";
  return "binary";
}

function responseKind(mediaType: string): ResponseContentKind {
  const mt = mediaType.toLowerCase().split(";")[0]?.trim() ?? "";
  if (mt === "application/problem+json") return "problem";
  if (mt === "text/event-stream") return "event-stream";
  const k = bodyKind(mt);
  if (k === "merge-patch" || k === "json") return "json";
  if (k === "form" || k === "multipart") return "binary";
  return k;
}

function statusOrder(s: string): [number, number] {
  if (s === "default") return [2, 0];
  if (/^\d{3}$/.test(s)) return [0, Number(s)];
  return [1, Number(s[0]) * 100];
}

function statusClass(s: string): Response["class"] {
  if (s === "default") return "default";
  const c = s[0];
  return c === "1"
    ? "informational"
    : c === "2"
      ? "success"
      : c === "3"
        ? "redirect"
        : c === "4"
          ? "client-error"
          : "server-error";
}

const PARAM_ROLES: Record<string, Parameter["role"]> = {
  "idempotency-key": "idempotency-key",
  "if-match": "if-match",
  "if-none-match": "if-none-match",
  "last-event-id": "last-event-id",
};

export interface OperationsResult {
  operations: Operation[];
  channels: WebSocketChannel[];
}

/** Walks `paths` and builds operations; schemas go through the model builder. */
export class OperationBuilder {
  readonly doc: LoadedDocument;
  readonly models: ModelBuilder;
  readonly schemeIds: Set<string>;
  private readonly root: JsonObject;

  constructor(doc: LoadedDocument, models: ModelBuilder, schemeIds: Set<string>) {
    this.doc = doc;
    this.models = models;
    this.schemeIds = schemeIds;
    this.root = doc.docs.root as JsonObject;
  }

  build(): OperationsResult {
    const paths = this.root.paths ?? {};
    const pathsAt: Location = { file: "", pointer: "/paths" };
    if (!isObject(paths)) fail(pathsAt, "`paths` must be an object");
    const operations: Operation[] = [];
    const channels: WebSocketChannel[] = [];
    const ids = new Map<string, string>();
    for (const path of Object.keys(paths).sort()) {
      let item: JsonObject;
      let itemAt: Location;
      try {
        const resolved = this.doc.docs.deref(paths[path] as Json, loc(pathsAt, path));
        if (!isObject(resolved.value)) fail(resolved.at, "a path item must be an object");
        item = resolved.value;
        itemAt = resolved.at;
        if (item.additionalOperations !== undefined)
          fail(loc(itemAt, "additionalOperations"), "`additionalOperations` (custom HTTP methods) is not supported");
      } catch (error) {
        // The whole path is left out: its operations cannot be read.
        this.refuse(error, `${path} (every operation)`, `path ${path}`);
        continue;
      }
      for (const method of METHODS) {
        const raw = item[method];
        if (raw === undefined) continue;
        const opAt = loc(itemAt, method);
        const id =
          isObject(raw) && typeof raw.operationId === "string" && raw.operationId !== ""
            ? raw.operationId
            : deriveOperationId(method, path);
        try {
          if (!isObject(raw)) fail(opAt, "an operation must be an object");
          const other = ids.get(id);
          if (other) fail(loc(opAt, "operationId"), `operationId "${id}" is also used at ${other}`);
          const op = this.operation(path, method, raw, opAt, item, itemAt);
          const ws = raw["x-websocket"];
          const channel = ws === undefined ? null : this.channel(op, ws, loc(opAt, "x-websocket"));
          ids.set(op.id, opAt.pointer);
          operations.push(op);
          if (channel !== null) channels.push(channel);
        } catch (error) {
          this.refuse(error, id, operationLabel({ method, path, id }));
        }
      }
    }
    return { operations, channels };
  }

  /**
   * The document's webhooks with their JSON payload types (hoisted as `<Name>Webhook...`
   * models). A webhook whose payload is refused is left out with a warning; `callbacks` of
   * operations are not generated, which is said once per callback.
   */
  webhooks(): Webhook[] {
    const out: Webhook[] = [];
    const hooks = this.root.webhooks;
    const hooksAt: Location = { file: "", pointer: "/webhooks" };
    if (hooks !== undefined && !isObject(hooks)) fail(hooksAt, "`webhooks` must be an object");
    for (const name of Object.keys((hooks as JsonObject | undefined) ?? {}).sort()) {
      try {
        const { value: item, at: itemAt } = this.doc.docs.deref(
          (hooks as JsonObject)[name] as Json,
          loc(hooksAt, name),
        );
        if (!isObject(item)) fail(itemAt, "a webhook must be a path item object");
        for (const method of METHODS) {
          const raw = item[method];
          if (!isObject(raw)) continue;
          const at = loc(itemAt, method);
          const body =
            raw.requestBody === undefined
              ? null
              : this.requestBody(raw.requestBody, loc(at, "requestBody"), pascalJoin([name, "Webhook"]));
          const json = body?.contents.find((c) => c.kind === "json" || c.kind === "merge-patch");
          out.push({
            name,
            method,
            ...(typeof raw.summary === "string" ? { summary: raw.summary } : {}),
            ...(typeof raw.description === "string" ? { description: raw.description } : {}),
            payload: json?.type ?? null,
            source: { file: at.file, pointer: at.pointer },
          });
        }
      } catch (error) {
        if (!(error instanceof GeneratorError)) throw error;
        this.warnings.push({
          file: error.file,
          pointer: error.pointer,
          message: `${error.reason}; the webhook "${name}" is not generated`,
        });
      }
    }
    return out;
  }

  /** Operations left out of the IR, each with its refusal. */
  readonly refused: SkippedItem[] = [];
  /** Mistakes in the document worked around. */
  readonly warnings: Warning[] = [];

  /** Records a refused operation (a GeneratorError); anything else is a bug and is rethrown. */
  private refuse(error: unknown, name: string, label: string): void {
    if (!(error instanceof GeneratorError)) throw error;
    if (error instanceof RefusalsError) {
      for (const because of error.refusals) this.refused.push({ kind: "operation", name, label, because });
      return;
    }
    this.refused.push({
      kind: "operation",
      name,
      label,
      because: { file: error.file, pointer: error.pointer, reason: error.reason },
    });
  }

  private operation(
    path: string,
    method: Method,
    raw: JsonObject,
    at: Location,
    item: JsonObject,
    itemAt: Location,
  ): Operation {
    // Servers of the operation, else of its path item, replace the document's (an empty list
    // changes nothing).
    const ownServers = buildServers(raw.servers);
    const servers = ownServers.length > 0 ? ownServers : buildServers(item.servers);
    if (isObject(raw.callbacks)) {
      for (const name of Object.keys(raw.callbacks)) {
        this.warnings.push({
          ...loc(at, "callbacks", name),
          message: "callbacks are not generated (the SDKs make requests; they do not receive them)",
        });
      }
    }
    const declared = typeof raw.operationId === "string" && raw.operationId !== "";
    const id = declared ? (raw.operationId as string) : deriveOperationId(method, path);
    const opName = pascalJoin([id]);
    const tags = Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === "string") : [];
    const parameters = this.parameters(path, item, itemAt, raw, at, opName);
    const requestBody =
      raw.requestBody === undefined ? null : this.requestBody(raw.requestBody, loc(at, "requestBody"), opName);
    const { responses, successStatus } = this.responses(raw, at, opName);
    const success = responses.find((r) => r.status === successStatus);
    const idem = parameters.find((p) => p.role === "idempotency-key");
    const ifMatch = parameters.find((p) => p.role === "if-match");
    return {
      id,
      operationIdDeclared: declared,
      group: tags[0] ?? "default",
      tags,
      method,
      path,
      ...(typeof raw.summary === "string" ? { summary: raw.summary } : {}),
      ...(typeof raw.description === "string" ? { description: raw.description } : {}),
      deprecated: raw.deprecated === true,
      parameters,
      requestBody,
      responses,
      successStatus,
      security: this.security(raw.security, loc(at, "security"), raw.security === undefined),
      idempotencyKey: idem ? { header: idem.name, required: idem.required } : null,
      ifMatch: ifMatch ? { header: ifMatch.name, required: ifMatch.required } : null,
      pagination: null,
      streaming: success?.contents.some((c) => c.kind === "event-stream") ?? false,
      websocket: raw["x-websocket"] !== undefined ? id : null,
      ...(servers.length > 0 ? { servers } : {}),
      source: { file: at.file, pointer: at.pointer },
    };
  }

  private parameters(
    path: string,
    item: JsonObject,
    itemAt: Location,
    raw: JsonObject,
    at: Location,
    opName: string,
  ): Parameter[] {
    const out: Parameter[] = [];
    const add = (list: Json | undefined, listAt: Location): void => {
      if (list === undefined) return;
      if (!Array.isArray(list)) fail(listAt, "`parameters` must be an array");
      list.forEach((p, i) => {
        const param = this.parameter(p, loc(listAt, i), opName);
        const idx = out.findIndex((x) => x.name === param.name && x.in === param.in);
        if (idx >= 0) out[idx] = param;
        else out.push(param);
      });
    };
    add(item.parameters, loc(itemAt, "parameters"));
    add(raw.parameters, loc(at, "parameters"));
    const templateNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
    for (const n of templateNames) {
      if (!out.some((p) => p.in === "path" && p.name === n))
        fail(at, `path parameter "${n}" of ${path} is not declared`);
    }
    for (const p of out) {
      if (p.in === "path" && !templateNames.includes(p.name))
        fail(p.source, `path parameter "${p.name}" does not appear in ${path}`);
    }
    return out;
  }

  private parameter(node: Json, at: Location, opName: string): Parameter {
    const fromRef = isObject(node) && typeof node.$ref === "string";
    const { value: p, at: pAt } = this.doc.docs.deref(node, at);
    if (!isObject(p) || typeof p.name !== "string" || typeof p.in !== "string")
      fail(pAt, "a parameter needs `name` and `in`");
    const where = p.in as string;
    if (!["path", "query", "header", "cookie"].includes(where)) {
      fail(
        loc(pAt, "in"),
        where === "querystring"
          ? "`in: querystring` parameters are not supported"
          : `unknown parameter location "${where}"`,
      );
    }
    const name = p.name as string;
    if (p.content !== undefined)
      fail(loc(pAt, "content"), "parameters described with `content` (instead of `schema`) are not supported");
    if (where === "path" && p.required !== true)
      fail(loc(pAt, "required"), "a path parameter must be `required: true`");
    const style = typeof p.style === "string" ? p.style : where === "query" || where === "cookie" ? "form" : "simple";
    const supported: Record<string, string[]> = {
      path: ["simple", "label", "matrix"],
      query: ["form", "spaceDelimited", "pipeDelimited", "deepObject"],
      header: ["simple"],
      cookie: ["form"],
    };
    if (!(supported[where] as string[]).includes(style))
      fail(loc(pAt, "style"), `style "${style}" is not valid for ${where} parameters`);
    const explode = typeof p.explode === "boolean" ? p.explode : style === "form";
    // Component parameters are named from their key (stable wherever they are used).
    const compKey =
      fromRef && pAt.file === "" && pAt.pointer.startsWith("/components/parameters/")
        ? pAt.pointer.split("/")[3]?.replaceAll("~1", "/").replaceAll("~0", "~")
        : undefined;
    const hint = compKey ? [compKey] : [opName, name];
    const schemaAt = loc(pAt, "schema");
    const schema = p.schema === undefined ? null : this.doc.schemas.normalize(p.schema, schemaAt);
    const type: TypeRef = schema
      ? this.models.typeRef(schema, hint)
      : { kind: "primitive", type: "string", nullable: false };
    const lower = name.toLowerCase();
    const errorCode = p["x-error-code"];
    if (errorCode !== undefined && (typeof errorCode !== "string" || !/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(errorCode)))
      fail(
        loc(pAt, "x-error-code"),
        "`x-error-code` is an error code: a letter, then letters, digits, `_`, `.` or `-` (at most 64)",
      );
    return {
      name,
      in: where as ParameterLocation,
      required: p.required === true,
      deprecated: p.deprecated === true,
      ...(typeof p.description === "string" ? { description: p.description } : {}),
      style,
      explode,
      allowReserved: p.allowReserved === true,
      type,
      ...(schema?.hasDefault ? { default: schema.default } : {}),
      role: where === "header" ? (PARAM_ROLES[lower] ?? null) : null,
      ...(typeof errorCode === "string" ? { errorCode } : {}),
      source: { file: pAt.file, pointer: pAt.pointer },
    };
  }

  private requestBody(node: Json, at: Location, opName: string): RequestBody {
    const { value: b, at: bAt } = this.doc.docs.deref(node, at);
    if (!isObject(b) || !isObject(b.content)) fail(bAt, "a request body needs `content`");
    const contents: BodyContent[] = [];
    const content = b.content as JsonObject;
    for (const mediaType of Object.keys(content)) {
      const mAt = loc(bAt, "content", mediaType);
      const media = content[mediaType];
      if (!isObject(media)) fail(mAt, "a media type must be an object");
      if (media.itemSchema !== undefined)
        fail(loc(mAt, "itemSchema"), "streamed request bodies (`itemSchema`) are not supported");
      const kind = bodyKind(mediaType);
      const schema = media.schema === undefined ? null : this.doc.schemas.normalize(media.schema, loc(mAt, "schema"));
      let type: TypeRef;
      if (kind === "binary") type = { kind: "primitive", type: "string", format: "binary", nullable: false };
      else if (kind === "text" && !schema) type = { kind: "primitive", type: "string", nullable: false };
      else if (!schema) type = { kind: "any", nullable: true };
      else type = this.models.typeRef(schema, [opName, "Request"]);
      const encoding: Record<string, string> = {};
      if (kind === "multipart" && isObject(media.encoding)) {
        for (const [name, e] of Object.entries(media.encoding)) {
          if (isObject(e) && typeof e.contentType === "string") encoding[name] = e.contentType;
        }
      }
      contents.push({ mediaType, kind, type, ...(Object.keys(encoding).length > 0 ? { encoding } : {}) });
    }
    if (contents.length === 0) fail(loc(bAt, "content"), "a request body needs at least one media type");
    // An XML-only body is sent as text with its media type (the caller passes the document).
    if (contents.every((c) => c.kind === "xml")) {
      for (const c of contents) {
        c.kind = "text";
        c.type = { kind: "primitive", type: "string", nullable: false };
      }
    }
    contents.sort((x, y) => kindRank(x.kind) - kindRank(y.kind) || cmp(x.mediaType, y.mediaType));
    return {
      required: b.required === true,
      ...(typeof b.description === "string" ? { description: b.description } : {}),
      contents,
    };
  }

  private responses(
    raw: JsonObject,
    at: Location,
    opName: string,
  ): { responses: Response[]; successStatus: string | null } {
    // OpenAPI 3.1 allows an operation without `responses`: it then has no typed answer.
    const rs = raw.responses ?? {};
    const rsAt = loc(at, "responses");
    if (!isObject(rs)) fail(rsAt, "`responses` must be an object");
    const statuses = Object.keys(rs as JsonObject).sort((a, b) => {
      const [x1, x2] = statusOrder(a);
      const [y1, y2] = statusOrder(b);
      return x1 - y1 || x2 - y2 || cmp(a, b);
    });
    for (const s of statuses)
      if (s !== "default" && !/^[1-5](\d\d|XX)$/i.test(s)) fail(loc(rsAt, s), `"${s}" is not a valid response status`);
    const successStatus =
      statuses.find((s) => /^2\d\d$/.test(s)) ??
      statuses.find((s) => /^2XX$/i.test(s)) ??
      statuses.find((s) => /^1\d\d$/.test(s)) ??
      statuses.find((s) => /^3/.test(s)) ??
      (statuses.includes("default") ? "default" : null);
    const responses = statuses.map((status) => {
      const { value: r, at: rAt } = this.doc.docs.deref((rs as JsonObject)[status] as Json, loc(rsAt, status));
      if (!isObject(r)) fail(rAt, "a response must be an object");
      const cls = statusClass(status);
      const isError =
        cls === "client-error" || cls === "server-error" || (cls === "default" && successStatus !== "default");
      const hint = status === successStatus ? [opName, "Response"] : [opName, status, "Response"];
      const contents: ResponseContent[] = [];
      const content = r.content;
      if (content !== undefined) {
        if (!isObject(content)) fail(loc(rAt, "content"), "`content` must be an object");
        for (const mediaType of Object.keys(content)) {
          const mAt = loc(rAt, "content", mediaType);
          const media = content[mediaType];
          if (!isObject(media)) fail(mAt, "a media type must be an object");
          const kind = responseKind(mediaType);
          if (kind === "event-stream") {
            const stream = describeEventStream(this.doc.schemas, media, mAt);
            contents.push({
              mediaType,
              kind,
              stream: (() => {
                const events: StreamEvent[] = stream.events.map((e) => ({
                  event: e.event,
                  type: e.schema
                    ? this.models.typeRef(e.schema, [opName, e.event ?? "message", "Event"])
                    : { kind: "primitive", type: "string", nullable: false },
                  contentMediaType: e.contentMediaType,
                }));
                // `event: error` ends the stream (the runtimes handle it); it is not one of its items.
                const errorEvent = events.find((e) => e.event === "error");
                return {
                  typed: stream.typed,
                  events: events.filter((e) => e !== errorEvent),
                  ...(errorEvent ? { errorEvent } : {}),
                };
              })(),
            });
            continue;
          }
          if (media.itemSchema !== undefined)
            fail(loc(mAt, "itemSchema"), `\`itemSchema\` is only supported for text/event-stream, not ${mediaType}`);
          const schema =
            media.schema === undefined ? null : this.doc.schemas.normalize(media.schema, loc(mAt, "schema"));
          let type: TypeRef;
          if (kind === "binary") type = { kind: "primitive", type: "string", format: "binary", nullable: false };
          else if (!schema)
            type =
              kind === "text"
                ? { kind: "primitive", type: "string", nullable: false }
                : { kind: "any", nullable: true };
          else type = this.models.typeRef(schema, hint);
          contents.push({ mediaType, kind, type });
        }
        // An XML-only answer is text with its media type (the SDKs return the document as a string).
        if (contents.length > 0 && contents.every((c) => c.kind === "xml")) {
          for (const c of contents) {
            c.kind = "text";
            c.type = { kind: "primitive", type: "string", nullable: false };
          }
        }
        contents.sort((x, y) => respRank(x.kind) - respRank(y.kind) || cmp(x.mediaType, y.mediaType));
      }
      return {
        status,
        code: /^\d{3}$/.test(status) ? Number(status) : null,
        class: cls,
        isError,
        ...(typeof r.description === "string" ? { description: r.description } : {}),
        headers: this.headers(r.headers, loc(rAt, "headers"), [
          opName,
          status === successStatus ? "" : status,
          "Header",
        ]),
        contents,
      } satisfies Response;
    });
    return { responses, successStatus };
  }

  private headers(node: Json | undefined, at: Location, hint: string[]): ResponseHeader[] {
    if (node === undefined) return [];
    if (!isObject(node)) fail(at, "`headers` must be an object");
    const out: ResponseHeader[] = [];
    for (const name of Object.keys(node)) {
      if (name.toLowerCase() === "content-type") continue; // ignored by the OpenAPI spec itself
      const { value: h, at: hAt } = this.doc.docs.deref(node[name] as Json, loc(at, name));
      if (!isObject(h)) fail(hAt, "a header must be an object");
      if (h.content !== undefined)
        fail(loc(hAt, "content"), "headers described with `content` (instead of `schema`) are not supported");
      const schema = h.schema === undefined ? null : this.doc.schemas.normalize(h.schema, loc(hAt, "schema"));
      out.push({
        name,
        required: h.required === true,
        deprecated: h.deprecated === true,
        ...(typeof h.description === "string" ? { description: h.description } : {}),
        type: schema
          ? this.models.typeRef(schema, [...hint.filter((x) => x !== "").slice(0, -1), name])
          : { kind: "primitive", type: "string", nullable: false },
      });
    }
    return out.sort((a, b) => cmp(a.name.toLowerCase(), b.name.toLowerCase()) || cmp(a.name, b.name));
  }

  security(node: Json | undefined, at: Location, inherited: boolean): OperationSecurity {
    const list = node === undefined ? this.root.security : node;
    const listAt = node === undefined ? { file: "", pointer: "/security" } : at;
    if (list === undefined) return { public: true, inherited, requirements: [] };
    if (!Array.isArray(list)) fail(listAt, "`security` must be an array");
    let isPublic = false;
    const requirements: SecurityRequirement[] = [];
    (list as Json[]).forEach((req, i) => {
      if (!isObject(req)) fail(loc(listAt, i), "a security requirement must be an object");
      const keys = Object.keys(req);
      if (keys.length === 0) {
        isPublic = true;
        return;
      }
      // A requirement naming a scheme the document does not define cannot be met: it is left out
      // with a warning (a broken document, not a reason to stop).
      const unknown = keys.filter((k) => !this.schemeIds.has(k));
      for (const k of unknown) {
        const at = loc(listAt, i, k);
        if (this.warnings.some((w) => w.pointer === at.pointer && w.file === at.file)) continue;
        this.warnings.push({
          ...at,
          message: `security scheme "${k}" is not defined under components/securitySchemes; the requirement naming it is ignored`,
        });
      }
      if (unknown.length > 0) return;
      requirements.push({
        schemes: keys.map((k) => {
          const scopes = req[k];
          return {
            scheme: k,
            scopes: Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === "string") : [],
          };
        }),
      });
    });
    return { public: isPublic || (list as Json[]).length === 0, inherited, requirements };
  }

  private channel(op: Operation, ws: Json, at: Location): WebSocketChannel {
    if (!isObject(ws) || typeof ws.clientMessage !== "string" || typeof ws.serverMessage !== "string") {
      fail(at, "`x-websocket` needs `clientMessage` and `serverMessage` schema references");
    }
    const msg = (key: "clientMessage" | "serverMessage"): TypeRef => {
      const ref = (ws as JsonObject)[key] as string;
      const s = this.doc.schemas.normalize({ $ref: ref }, loc(at, key));
      return this.models.typeRef(s, [op.id, key]);
    };
    const protocol = isObject(ws.protocol)
      ? (JSON.parse(JSON.stringify(ws.protocol)) as Record<string, unknown>)
      : null;
    return {
      id: op.id,
      path: op.path,
      clientMessage: msg("clientMessage"),
      serverMessage: msg("serverMessage"),
      protocol,
    };
  }
}

function kindRank(k: BodyKind): number {
  return ["json", "merge-patch", "form", "multipart", "binary", "text", "xml"].indexOf(k);
}

function respRank(k: ResponseContentKind): number {
  return ["json", "problem", "event-stream", "binary", "text", "xml"].indexOf(k);
}

/** `GET /pets/{petId}/toys` -> getPetsByPetIdToys. */
export function deriveOperationId(method: string, path: string): string {
  const parts = path
    .split("/")
    .filter((s) => s !== "")
    .map((seg) => (seg.startsWith("{") ? `by ${seg.slice(1, -1)}` : seg));
  return camelCase([method, ...parts.flatMap((p) => splitWords(p))].join(" "));
}
