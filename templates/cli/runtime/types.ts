// What the generated code hands the CLI runtime: the program, its commands as plain data (one per
// operation of the contract) and the SDK pieces the runtime calls. The runtime knows no API: every
// name, flag and help text comes from here.

/** How a flag's text becomes a JSON value. */
export type ValueType = "string" | "integer" | "number" | "boolean" | "json";

/** One operation parameter: a positional argument (path) or a flag (query, header, cookie). */
export interface ParamSpec {
  /** The wire name (`sequence_id`, `If-Match`). */
  name: string;
  in: "path" | "query" | "header" | "cookie";
  /** The flag without dashes (`if-match`), or the positional's placeholder (`sequence-id`). */
  flag: string;
  description: string;
  required: boolean;
  type: ValueType;
  /** A list: the flag repeats (`--types a --types b`); `delimiter` joins it into one value. */
  array?: boolean;
  delimiter?: string;
  /** A query object written as `name[key]=value` pairs. */
  deepObject?: boolean;
  /** The allowed values (for help and completion; the server validates). */
  enum?: readonly (string | number | boolean)[];
  /** The value the server assumes when the flag is left out (for help). */
  default?: unknown;
  /** What the parameter means to the runtime beyond its value. */
  role?: "idempotency-key" | "if-match" | "if-none-match" | "last-event-id" | "pagination-cursor" | "pagination-limit";
}

/** One top-level member of an object request body, settable by its own flag. */
export interface FieldSpec {
  /** The member's wire name. */
  name: string;
  /** The flag without dashes (`blue-motion`). */
  flag: string;
  description: string;
  required: boolean;
  /** The flag value `null` sends JSON null. */
  nullable: boolean;
  type: ValueType;
  array?: boolean;
  enum?: readonly (string | number | boolean)[];
  /** The value the server assumes when the member is left out (for help). */
  default?: unknown;
}

/** The request body of an operation. */
export interface BodySpec {
  /** json (also merge patches), form (a flat object, form-encoded), text or binary. */
  kind: "json" | "form" | "text" | "binary";
  contentType: string;
  required: boolean;
  /** Top-level members that get flags (object bodies only; --data covers everything). */
  fields: readonly FieldSpec[];
}

/** One command: an operation of the contract. */
export interface CommandSpec {
  /** The group (tag), as typed: `beats`. */
  group: string;
  /** The command within its group: `add`. */
  name: string;
  summary: string;
  description: string;
  deprecated?: boolean;
  method: "get" | "post" | "put" | "patch" | "delete" | "head" | "options";
  path: string;
  params: readonly ParamSpec[];
  body?: BodySpec;
  /** call: one answer; page: a cursor-paginated list; stream: Server-Sent Events. */
  kind: "call" | "page" | "stream";
  cursorParam?: string;
  /** The member of a page that holds its items. */
  itemsField?: string;
  /** Table columns for the items of a list (scalar members of the item model, in order). */
  columns?: readonly string[];
  /** Non-JSON answers: the Accept header and how the body is read. */
  accept?: string;
  responseType?: "text" | "bytes";
  /** Example command lines for the help text. */
  examples?: readonly string[];
}

export interface GroupSpec {
  name: string;
  description: string;
}

/** The program: names, defaults and where settings come from. */
export interface ProgramSpec {
  /** The executable's name (`tka`); also the folder of the profile file. */
  name: string;
  version: string;
  /** The API's title and its version (for --version and help). */
  title: string;
  apiVersion: string;
  description: string;
  /** Environment variable prefix: `<prefix>_BASE_URL`, `<prefix>_API_KEY`, `<prefix>_PROFILE`. */
  envPrefix: string;
  defaultBaseURL: string;
}

/** A message of a Server-Sent Events stream, as the SDK hands it to `decode`. */
export interface StreamMessage {
  event: string;
  data: string;
  id: string | undefined;
}

/** The part of the SDK client the runtime uses (the generated client satisfies it). */
export interface CliClient {
  request(spec: CliRequestSpec, options?: CliRequestOptions): PromiseLike<unknown>;
  requestPage(
    spec: CliRequestSpec,
    options: CliRequestOptions | undefined,
    pageOptions: { cursorParam?: string | undefined },
  ): PromiseLike<{ body: unknown }> & AsyncIterable<unknown>;
  requestStream<T>(
    spec: CliRequestSpec,
    options: CliRequestOptions | undefined,
    streamOptions: { lastEventId?: string | undefined; decode: (message: StreamMessage) => T | undefined },
  ): AsyncIterable<T>;
}

type QueryScalar = string | number | boolean | null | undefined;

/** The request as the SDK's `request()` takes it. */
export interface CliRequestSpec {
  method: CommandSpec["method"];
  path: string;
  pathParams?: Record<string, QueryScalar>;
  query?: Record<string, QueryScalar | QueryScalar[] | Record<string, QueryScalar>>;
  headers?: Record<string, string | undefined>;
  cookies?: Record<string, QueryScalar>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  responseType?: "json" | "text" | "bytes";
}

export interface CliRequestOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** The SDK client's options the runtime sets. */
export interface CliClientOptions {
  baseURL: string;
  apiKey: string | null;
  timeout?: number;
  maxRetries?: number;
  logger?: { debug?(message: string, ...args: unknown[]): void; info?(message: string, ...args: unknown[]): void };
}

/** An error class of the SDK (matched with instanceof). */
// biome-ignore lint/suspicious/noExplicitAny: constructors of any signature.
type ErrorClass = abstract new (...args: any[]) => Error;

/** The SDK's error classes, so the runtime can tell them apart. */
export interface SdkErrors {
  APIStatusError: ErrorClass;
  APIConnectionError: ErrorClass;
  APITimeoutError: ErrorClass;
  APIUserAbortError: ErrorClass;
}

/** The streams and environment the runtime uses; `process` in the real program, fakes in tests. */
export interface IO {
  stdout: Writable;
  stderr: Writable;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** The home directory (profile file location). */
  home: string;
  /** Stops long-running commands (a stream) when it aborts, for example on Ctrl-C. */
  signal?: AbortSignal;
}

export interface Writable {
  write(chunk: string | Uint8Array): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Everything `run()` needs. */
export interface CliDefinition {
  program: ProgramSpec;
  groups: readonly GroupSpec[];
  commands: readonly CommandSpec[];
  createClient(options: CliClientOptions): CliClient;
  errors: SdkErrors;
}
