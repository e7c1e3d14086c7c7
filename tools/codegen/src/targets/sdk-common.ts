// Small decisions every SDK target makes the same way, so the TypeScript, Python and Rust
// clients agree: the name stem taken from the title, the default base URL, which union a typed
// event stream decodes to, and how a WebSocket channel's protocol conventions are read.
import { GeneratorError } from "../errors.ts";
import type { ApiIR, BodyContent, Model, Operation, Server, TypeRef, WebSocketChannel } from "../ir/types.ts";
import { flatShape } from "./shapes.ts";

/** The document title without "API" ("TKA API" -> "TKA"): the stem of package and client names. */
export function titleStem(title: string): string {
  return title.replace(/\s*\bapi\b\s*/gi, " ").trim() || title;
}

/** What a closed object model (`additionalProperties: false`) says about members it does not list. */
export const CLOSED_MODEL_NOTE = "Closed: members not listed here are refused.";

/** Whether a model is an object that allows no members but its own (a request model, typically). */
export function isClosed(m: Model): boolean {
  return m.kind === "object" && m.additionalProperties === false;
}

/**
 * A model's doc text: its description, else its title ("" without either); a closed object
 * says so.
 */
export function modelDescription(m: Model): string {
  return [
    m.title !== undefined && m.description === undefined ? m.title : undefined,
    m.description,
    isClosed(m) ? CLOSED_MODEL_NOTE : undefined,
  ]
    .filter(Boolean)
    .join("\n\n");
}

/** A server's URL with its variables at their defaults. */
function withDefaults(server: Server): string {
  return server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => server.variables?.[name]?.default ?? whole);
}

/** The first server's URL with its variables at their defaults (`http://localhost` without one). */
export function serverUrl(ir: ApiIR): string {
  const server = ir.servers[0];
  return server === undefined ? "http://localhost" : withDefaults(server);
}

/**
 * The path an SDK requests for an operation. An operation (or path item) with servers of its own
 * gets its first server's URL (variables at their defaults) in front: an absolute URL is used as
 * it is (the client's base URL does not apply to it); a relative one (`/v2`) is a prefix of the
 * path under the client's base URL.
 */
export function requestPath(op: Operation): string {
  const server = op.servers?.[0];
  if (server === undefined) return op.path;
  return `${withDefaults(server).replace(/\/+$/, "")}${op.path}`;
}

/**
 * A discriminated union whose tags are exactly the stream's event names and models: the stream
 * then yields that union (one decoder, the SSE event name and the tag agree).
 */
export function taggedUnionFor(ir: ApiIR, events: Array<{ event: string | null; type: TypeRef }>): TypeRef | null {
  if (events.length === 0) return null;
  for (const m of ir.models) {
    if (m.kind !== "union" || m.discriminator === undefined) continue;
    const mapping = new Map(m.discriminator.mapping.map((e) => [e.value, e.model]));
    const ok =
      mapping.size === events.length &&
      events.every((e) => e.event !== null && e.type.kind === "model" && mapping.get(e.event) === e.type.name);
    if (ok) return { kind: "model", name: m.name, nullable: false };
  }
  return null;
}

/**
 * A channel's `x-websocket.protocol` conventions as the SDK runtimes use them: the message type
 * names, the field a subscribe message resumes from, where an event message keeps its id, the
 * close codes that end a client. Members the document leaves out are `undefined` (type field:
 * `type`, event id pointer: `/id`, token field: `token`); `null` without conventions.
 */
export interface WebSocketConventions {
  typeField: string;
  welcome: string | undefined;
  heartbeat: string | undefined;
  heartbeatIntervalField: string | undefined;
  subscribe: string | undefined;
  lastEventIdField: string | undefined;
  /** The type of the messages that carry an event. */
  event: string | undefined;
  eventIdPointer: string;
  /** `undefined` when the document lists none. */
  finalCloseCodes: number[] | undefined;
  /** The type of an authentication message, and the field carrying its token. */
  auth: string | undefined;
  tokenField: string;
}

export function webSocketConventions(channel: WebSocketChannel): WebSocketConventions | null {
  const p = channel.protocol;
  if (p === null) return null;
  const text = (key: string) => (typeof p[key] === "string" ? (p[key] as string) : undefined);
  return {
    typeField: text("typeField") ?? "type",
    welcome: text("welcome"),
    heartbeat: text("heartbeat"),
    heartbeatIntervalField: text("heartbeatIntervalField"),
    subscribe: text("subscribe"),
    lastEventIdField: text("lastEventIdField"),
    event: text("event"),
    eventIdPointer: text("eventIdPointer") ?? "/id",
    finalCloseCodes: Array.isArray(p.finalCloseCodes)
      ? p.finalCloseCodes.filter((c): c is number => typeof c === "number")
      : undefined,
    auth: text("auth"),
    tokenField: text("tokenField") ?? "token",
  };
}

/**
 * The error answers an operation declares with a JSON body (status as written: `404`, `4XX`,
 * `default`), in declaration order: the SDKs decode an error body with that model.
 */
export function errorBodies(op: Operation): Array<{ status: string; type: TypeRef }> {
  return op.responses.flatMap((r) => {
    if (!r.isError) return [];
    const content = r.contents.find((c) => (c.kind === "json" || c.kind === "problem") && c.type !== undefined);
    return content?.type === undefined ? [] : [{ status: r.status, type: content.type }];
  });
}

/** The runtimes' status-error families: class name and the statuses it stands for. */
export const ERROR_FAMILIES: ReadonlyArray<{ name: string; statuses: (status: number) => boolean; doc: string }> = [
  { name: "BadRequestError", statuses: (s) => s === 400, doc: "400." },
  { name: "AuthenticationError", statuses: (s) => s === 401, doc: "401." },
  { name: "PermissionDeniedError", statuses: (s) => s === 403, doc: "403." },
  { name: "NotFoundError", statuses: (s) => s === 404, doc: "404." },
  { name: "ConflictError", statuses: (s) => s === 409, doc: "409." },
  { name: "PreconditionFailedError", statuses: (s) => s === 412, doc: "412: an `If-Match` precondition failed." },
  { name: "PayloadTooLargeError", statuses: (s) => s === 413, doc: "413." },
  { name: "UnsupportedMediaTypeError", statuses: (s) => s === 415, doc: "415." },
  { name: "UnprocessableEntityError", statuses: (s) => s === 422, doc: "422." },
  { name: "RateLimitError", statuses: (s) => s === 429, doc: "429." },
  { name: "InternalServerError", statuses: (s) => s >= 500, doc: "Any status >= 500." },
  { name: "APIStatusError", statuses: () => true, doc: "Any non-2xx answer (the base of the others)." },
];

/** Whether a declared status (`404`, `4XX`, `default`) covers some status a family stands for. */
export function familyCovers(family: (typeof ERROR_FAMILIES)[number], declared: string): boolean {
  if (declared === "default") return true;
  const range = /^([1-5])XX$/i.exec(declared);
  if (range) {
    const base = Number(range[1]) * 100;
    for (let s = base; s < base + 100; s++) if (family.statuses(s)) return true;
    return false;
  }
  return family.statuses(Number(declared));
}

/**
 * Models only ever sent (reachable from request bodies and client WebSocket messages, never from
 * an answer): the SDKs give their optional members a "not given" state apart from null.
 */
export function inputOnlyModels(ir: ApiIR): Set<string> {
  const byName = new Map(ir.models.map((m) => [m.name, m]));
  const reach = (roots: TypeRef[]): Set<string> => {
    const seen = new Set<string>();
    const visit = (ref: TypeRef): void => {
      if (ref.kind === "array") {
        visit(ref.items);
        return;
      }
      if (ref.kind === "map") {
        visit(ref.values);
        return;
      }
      if (ref.kind !== "model" || seen.has(ref.name)) return;
      seen.add(ref.name);
      const m = byName.get(ref.name);
      if (m === undefined) return;
      if (m.kind === "object") {
        for (const p of m.properties) visit(p.type);
        if (m.additionalProperties !== null && m.additionalProperties !== false) visit(m.additionalProperties);
      } else if (m.kind === "union") {
        for (const v of m.variants) visit(v.type);
      } else if (m.kind === "alias") {
        visit(m.type);
      }
    };
    for (const r of roots) visit(r);
    return seen;
  };
  const requests: TypeRef[] = [];
  const answers: TypeRef[] = [];
  for (const op of ir.operations) {
    for (const c of op.requestBody?.contents ?? []) requests.push(c.type);
    for (const r of op.responses) {
      for (const c of r.contents) {
        if (c.type !== undefined) answers.push(c.type);
        for (const e of c.stream?.events ?? []) answers.push(e.type);
      }
    }
    for (const p of op.parameters) answers.push(p.type); // parameters are read back too
  }
  for (const ch of ir.channels) {
    requests.push(ch.clientMessage);
    answers.push(ch.serverMessage);
  }
  const read = reach(answers);
  return new Set([...reach(requests)].filter((name) => !read.has(name)));
}

/**
 * The API's OAuth2 client-credentials flow, if it declares one: its token URL and the scopes
 * the client requests by default (every scope a security requirement names for that scheme, in
 * order of first use; none when the requirements name none).
 */
export function clientCredentialsFlow(ir: ApiIR): { tokenUrl: string; scopes: string[] } | null {
  for (const s of ir.securitySchemes) {
    if (s.type !== "oauth2" || typeof s.flows !== "object" || s.flows === null) continue;
    const flow = (s.flows as Record<string, unknown>).clientCredentials;
    if (typeof flow !== "object" || flow === null) continue;
    const tokenUrl = (flow as Record<string, unknown>).tokenUrl;
    if (typeof tokenUrl !== "string" || tokenUrl === "") continue;
    const scopes = new Set<string>();
    for (const security of [ir.defaultSecurity, ...ir.operations.map((o) => o.security)]) {
      for (const r of security.requirements) {
        for (const entry of r.schemes) if (entry.scheme === s.id) for (const scope of entry.scopes) scopes.add(scope);
      }
    }
    return { tokenUrl, scopes: [...scopes] };
  }
  return null;
}

/** The media kinds an SDK sends as a request body. */
const SENDABLE_BODIES = new Set(["json", "merge-patch", "form", "multipart", "binary", "text"]);

/**
 * The body an SDK method sends: the first of the operation's contents it can send (JSON and merge
 * patch, form-urlencoded, multipart, binary, text). None of those, or a form body that is not a
 * flat object, is refused at the body's pointer, naming the target.
 */
export function sendableBody(ir: ApiIR, op: Operation, target: string): BodyContent | null {
  if (op.requestBody === null) return null;
  const content = op.requestBody.contents.find((c) => SENDABLE_BODIES.has(c.kind));
  const pointer = `${op.source.pointer}/requestBody`;
  if (content === undefined) {
    throw new GeneratorError(
      op.source.file,
      pointer,
      `the ${target} target sends JSON, form-urlencoded, multipart, binary and text request bodies only`,
    );
  }
  if (content.kind === "form" && flatShape(ir, content.type) === null) {
    throw new GeneratorError(
      op.source.file,
      pointer,
      `the ${target} target form-encodes objects of scalars and arrays of scalars only`,
    );
  }
  return content;
}

/** What a README says about idempotency keys and retries, from what the document declares. */
export interface IdempotencyView {
  /** The header name the document declares (the first), else `Idempotency-Key` (for a caller's key). */
  header: string;
  /** Every operation of an unsafe method (POST, PUT, PATCH, DELETE, ...) declares one. */
  all: boolean;
  /** Some but not all do: those, as `METHOD /path` (false when all or none do). */
  some: string[] | false;
}

const SAFE_METHODS = new Set(["get", "head", "options", "trace"]);

/**
 * Which operations carry a generated idempotency key, so are retried although they change
 * something: exactly those that declare an idempotency header parameter (a server that ignores
 * the header would apply a retried POST twice).
 */
export function idempotencyView(ir: ApiIR): IdempotencyView {
  const declared = ir.operations.filter((o) => o.idempotencyKey !== null);
  const unsafe = ir.operations.filter((o) => !SAFE_METHODS.has(o.method));
  const all = unsafe.length > 0 && unsafe.every((o) => o.idempotencyKey !== null);
  return {
    header: declared[0]?.idempotencyKey?.header ?? "Idempotency-Key",
    all,
    some: !all && declared.length > 0 ? declared.map((o) => `${o.method.toUpperCase()} ${o.path}`) : false,
  };
}
