/**
 * The intermediate representation (IR): everything targets need, as plain JSON data.
 *
 * - Pure data: no classes, functions, Maps or `undefined` values; `JSON.parse(JSON.stringify(ir))`
 *   round-trips. Optional keys are absent rather than undefined.
 * - Deterministic: models sorted by name, operations by (path, method), groups by name,
 *   response headers by lower-cased name; parameters keep declaration order (it is the query
 *   string order) and enum members / union variants / properties keep declaration order.
 * - Language-neutral: `name`s here are canonical PascalCase / wire names. Per-language
 *   identifiers are added by the naming layer (`src/naming`) under `names`.
 */
import type { Refusal } from "../errors.ts";
import type { Language, NameSlots } from "../naming/types.ts";

export type { Language } from "../naming/types.ts";

/** Where a node comes from: file ("" = root document) and JSON pointer. */
export interface SourceRef {
  file: string;
  pointer: string;
}

/** Validation keywords, only those present. */
export interface Constraints {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
}

export type PrimitiveType = "string" | "integer" | "number" | "boolean";

/**
 * A use of a type. `nullable` (the value may be JSON `null`) is independent from whether a
 * property/parameter is required (may be absent).
 */
export type TypeRef =
  | { kind: "primitive"; type: PrimitiveType; format?: string; nullable: boolean; constraints?: Constraints }
  /** A named model (see `ApiIR.models`, by `name`). Constraints here are extra use-site ones. */
  | { kind: "model"; name: string; nullable: boolean; constraints?: Constraints }
  | { kind: "array"; items: TypeRef; nullable: boolean; constraints?: Constraints }
  /** A JSON object used as a map from string keys to `values`. */
  | { kind: "map"; values: TypeRef; nullable: boolean; constraints?: Constraints }
  /** A single fixed value (an inline `const` or one-value enum). */
  | { kind: "literal"; value: string | number | boolean; nullable: boolean }
  /** Only `null`. */
  | { kind: "null"; nullable: true }
  /** Any JSON value (empty schema). */
  | { kind: "any"; nullable: boolean };

interface ModelBase {
  /** Canonical unique PascalCase name (the model's id). */
  name: string;
  /** `component` = declared under components/schemas (or a named schema in another file); `inline` = hoisted. */
  origin: "component" | "inline";
  source: SourceRef;
  title?: string;
  description?: string;
  deprecated: boolean;
  examples?: unknown[];
  names?: NameSlots<ModelNames>;
}

export interface ModelNames {
  /** The type / class / struct name. */
  type: string;
  /** Module or file stem for the model. */
  module: string;
}

export interface Property {
  /** The JSON name, always used for (de)serialisation. */
  wireName: string;
  type: TypeRef;
  /** May be absent. */
  required: boolean;
  /** May be `null` (same as `type.nullable`). */
  nullable: boolean;
  readOnly: boolean;
  writeOnly: boolean;
  deprecated: boolean;
  description?: string;
  /** Present only when the schema declares a default. */
  default?: unknown;
  examples?: unknown[];
  /** Name of the allOf base model this property was flattened from. */
  inheritedFrom?: string;
  source: SourceRef;
  names?: NameSlots<{ field: string }>;
}

export interface ObjectModel extends ModelBase {
  kind: "object";
  properties: Property[];
  /** Typed extra keys (`additionalProperties`); `null` = not declared/any tolerated; `false` = closed. */
  additionalProperties: TypeRef | null | false;
  /** allOf members that are named models, kept as references (properties are flattened in). */
  bases: string[];
  /** For a base schema with a `discriminator` and allOf subtypes (3.0 inheritance style). */
  discriminator?: Discriminator;
}

export interface EnumMember {
  value: string | number | boolean;
  description?: string;
  /** A name the document suggests (x-enum-varnames). */
  suggestedName?: string;
  names?: NameSlots<{ member: string }>;
}

export interface EnumModel extends ModelBase {
  kind: "enum";
  valueType: PrimitiveType;
  format?: string;
  members: EnumMember[];
  nullable: boolean;
}

export interface Discriminator {
  /** The JSON property carrying the tag. */
  propertyName: string;
  /** `declared` = discriminator object in the document; `inferred` = from const/one-value enums. */
  source: "declared" | "inferred";
  /** Tag value -> model name, in declaration order. */
  mapping: Array<{ value: string; model: string }>;
}

export interface UnionVariant {
  type: TypeRef;
  /** Tag values selecting this variant (discriminated unions only). */
  discriminatorValues: string[];
  names?: NameSlots<{ variant: string }>;
}

export interface UnionModel extends ModelBase {
  kind: "union";
  /** `oneOf` = exactly one variant; `anyOf` = at least one. */
  composition: "oneOf" | "anyOf";
  variants: UnionVariant[];
  discriminator?: Discriminator;
  nullable: boolean;
}

/** A named non-object type: a constrained scalar (ResourceId), a named array or map. */
export interface AliasModel extends ModelBase {
  kind: "alias";
  type: TypeRef;
}

export type Model = ObjectModel | EnumModel | UnionModel | AliasModel;

export type ParameterLocation = "path" | "query" | "header" | "cookie";

export interface Parameter {
  /** Wire name. */
  name: string;
  in: ParameterLocation;
  required: boolean;
  deprecated: boolean;
  description?: string;
  style: string;
  explode: boolean;
  allowReserved: boolean;
  type: TypeRef;
  default?: unknown;
  /** Special meaning the runtime implements. */
  role:
    | "idempotency-key"
    | "if-match"
    | "if-none-match"
    | "pagination-cursor"
    | "pagination-limit"
    | "last-event-id"
    | null;
  /**
   * The error `code` a request whose value of this parameter is missing or invalid answers with,
   * instead of the generic one (from `x-error-code` on the parameter).
   */
  errorCode?: string;
  source: SourceRef;
  names?: NameSlots<{ param: string }>;
}

export type BodyKind = "json" | "merge-patch" | "form" | "multipart" | "binary" | "text" | "xml";

export interface BodyContent {
  mediaType: string;
  kind: BodyKind;
  type: TypeRef;
  /** Multipart: the Content-Type of a part, by property (from the media type's `encoding`). */
  encoding?: Record<string, string>;
}

export interface RequestBody {
  required: boolean;
  description?: string;
  /** Sorted: json first, then by media type. */
  contents: BodyContent[];
}

export interface StreamEvent {
  /** SSE `event` name; null = default `message` events. */
  event: string | null;
  /** Decoded `data`; a string primitive when not typed. */
  type: TypeRef;
  contentMediaType: string | null;
  names?: NameSlots<{ variant: string }>;
}

export interface EventStream {
  /** False when the document does not describe events (3.0/3.1 without itemSchema). */
  typed: boolean;
  events: StreamEvent[];
  /**
   * The `error` event a server ends the stream with, when the document describes one: not an
   * item of the stream; the SDK runtimes raise it as a typed error (and resume where it says so).
   */
  errorEvent?: StreamEvent;
}

export type ResponseContentKind = "json" | "problem" | "event-stream" | "binary" | "text" | "xml";

export interface ResponseContent {
  mediaType: string;
  kind: ResponseContentKind;
  /** Absent for event streams. */
  type?: TypeRef;
  stream?: EventStream;
}

export interface ResponseHeader {
  name: string;
  required: boolean;
  deprecated: boolean;
  description?: string;
  type: TypeRef;
  names?: NameSlots<{ field: string }>;
}

export interface Response {
  /** As written: "200", "4XX", "default". */
  status: string;
  /** The numeric status, or null for ranges and `default`. */
  code: number | null;
  class: "informational" | "success" | "redirect" | "client-error" | "server-error" | "default";
  isError: boolean;
  description?: string;
  headers: ResponseHeader[];
  contents: ResponseContent[];
}

export interface SecurityRequirement {
  /** All schemes of one requirement must be satisfied together. */
  schemes: Array<{ scheme: string; scopes: string[] }>;
}

export interface OperationSecurity {
  /** True when the operation may be called without credentials (an empty requirement `{}`). */
  public: boolean;
  /** True when inherited from the document-level `security`. */
  inherited: boolean;
  /** Alternatives (any one suffices); the empty requirement is left out. */
  requirements: SecurityRequirement[];
}

export interface Pagination {
  /**
   * How the next page is asked for: `cursor` (the body's next cursor back in `cursorParam`),
   * `nextUrl` (the body's `nextCursorField` is the next page's URL), `link` (the `Link`
   * header's `rel="next"` URL), `offset` (`cursorParam` advanced by the items received) or
   * `page` (`cursorParam`, a page number, advanced by one).
   */
  style: "cursor" | "nextUrl" | "link" | "offset" | "page";
  /** Query parameter carrying the cursor, offset or page number ("" for `nextUrl` and `link`). */
  cursorParam: string;
  limitParam: string | null;
  /** Page model and its fields; both null when the body is the array of items itself. */
  pageModel: string | null;
  itemsField: string | null;
  /** The next cursor's or next URL's member ("" for the other styles). */
  nextCursorField: string;
  hasMoreField: string | null;
  itemType: TypeRef;
}

export interface Operation {
  /** operationId, or derived from method + path when absent. Unique. */
  id: string;
  operationIdDeclared: boolean;
  /** First tag, or "default". */
  group: string;
  tags: string[];
  method: "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace" | "query";
  path: string;
  summary?: string;
  description?: string;
  deprecated: boolean;
  parameters: Parameter[];
  requestBody: RequestBody | null;
  responses: Response[];
  /** Status of the main success response (lowest 2xx, else 101/3xx/default), or null. */
  successStatus: string | null;
  security: OperationSecurity;
  /** The parameter with role idempotency-key, if any (wire name). */
  idempotencyKey: { header: string; required: boolean } | null;
  ifMatch: { header: string; required: boolean } | null;
  pagination: Pagination | null;
  /** True when the success response is an event stream. */
  streaming: boolean;
  /** Id of the WebSocket channel this operation upgrades to. */
  websocket: string | null;
  /**
   * Servers of the operation (or of its path item) that replace the document's for it; absent
   * when it uses the document's.
   */
  servers?: Server[];
  source: SourceRef;
  names?: NameSlots<{ method: string }>;
}

export interface Server {
  url: string;
  description?: string;
  variables?: Record<string, { default: string; enum?: string[]; description?: string }>;
}

export interface OperationGroup {
  /** The tag name ("default" for untagged operations). */
  name: string;
  description?: string;
  operations: string[];
  names?: NameSlots<{ className: string; property: string; module: string }>;
}

export interface SecurityScheme {
  id: string;
  type: "apiKey" | "http" | "oauth2" | "openIdConnect" | "mutualTLS";
  description?: string;
  /** apiKey: where and under which name. */
  in?: "header" | "query" | "cookie";
  parameterName?: string;
  /** http: lower-cased scheme (bearer, basic, ...). */
  scheme?: string;
  bearerFormat?: string;
  /** oauth2: the flows verbatim; openIdConnect: the discovery URL. */
  flows?: unknown;
  openIdConnectUrl?: string;
}

export interface WebSocketChannel {
  /** The operation id of the upgrade operation. */
  id: string;
  path: string;
  clientMessage: TypeRef;
  /**
   * The protocol conventions from `x-websocket.protocol` as written (message type names, the
   * resume field, the event id pointer, final close codes), or null. Targets read what they know.
   */
  protocol: Record<string, unknown> | null;
  serverMessage: TypeRef;
  names?: NameSlots<{ className: string; method: string }>;
}

export interface ApiIR {
  irVersion: 1;
  source: { openapi: string; version: "3.0" | "3.1" | "3.2" };
  info: {
    title: string;
    version: string;
    summary?: string;
    description?: string;
    /** The document's license: its SPDX identifier, else its name (package metadata). */
    license?: string;
    /** Set when `license` is the document's SPDX identifier (OpenAPI 3.1 `license.identifier`), not a name. */
    licenseSpdx?: true;
  };
  servers: Server[];
  securitySchemes: SecurityScheme[];
  /** Document-level security (alternatives); `public` when one alternative is `{}`. */
  defaultSecurity: OperationSecurity;
  groups: OperationGroup[];
  operations: Operation[];
  models: Model[];
  channels: WebSocketChannel[];
  /**
   * Webhooks (OpenAPI 3.1 `webhooks`): requests the API sends to its users, with their payload
   * type (the JSON request body); the SDKs generate the payload models.
   */
  webhooks: Webhook[];
  /** The client class: one name for every language, from the title (filled by the naming layer). */
  client: { names?: NameSlots<{ className: string }> };
  /**
   * What could not be generated and was left out, each with the refusal behind it (a model that
   * uses a refused model is skipped too, and so is an operation that uses one). Empty unless
   * skipping was allowed (`skipUnsupported`); otherwise the refusals are thrown together.
   */
  skipped: SkippedItem[];
  /** Mistakes in the document the generator worked around (printed as warnings). */
  warnings: Warning[];
  /** Languages `names` were filled for (empty before naming). */
  namedFor: Language[];
}

export interface Webhook {
  /** The key under `webhooks`. */
  name: string;
  method: Operation["method"];
  summary?: string;
  description?: string;
  /** The JSON payload, or null when the webhook declares none. */
  payload: TypeRef | null;
  source: SourceRef;
}

export interface SkippedItem {
  kind: "operation" | "model";
  /** The operation id or the model name. */
  name: string;
  /** How a reader finds it: `POST /pets/{id}/photo (uploadPhoto)`, or the model name. */
  label: string;
  because: Refusal;
}

export interface Warning {
  file: string;
  pointer: string;
  message: string;
}
