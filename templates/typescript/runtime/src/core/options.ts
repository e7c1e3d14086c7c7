// The shapes a client is configured and called with: what users pass (ClientOptions,
// RequestOptions), what generated code supplies (ClientConfig) and passes per call (RequestSpec).
import type { HeadersInit_ } from "../internal/headers.ts";
import type { QueryParams, QueryValue, StyledText } from "../internal/query.ts";
import type { DeclaredErrors } from "./errors.ts";
import type { OAuth2Config } from "./oauth.ts";

/** The logging hooks the runtime calls; `console` fits. Every method is optional. */
export interface Logger {
  debug?(message: string, ...args: unknown[]): void;
  info?(message: string, ...args: unknown[]): void;
  warn?(message: string, ...args: unknown[]): void;
  error?(message: string, ...args: unknown[]): void;
}

/** The transport: `fetch` or anything with its shape (a proxy-aware fetch, a test double). */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export type HTTPMethod = "get" | "post" | "put" | "patch" | "delete" | "head" | "options";

/** A binary request body (`application/octet-stream`, images, ...): sent as is, never copied. */
export type BinaryBody = Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>;

/** What a user passes when constructing a client. */
export interface ClientOptions {
  /** Overrides the default base URL and the base-URL environment variable. */
  baseURL?: string | null | undefined;
  /** Sent in the API-key header. Read from the API-key environment variable when undefined; `null` means none. */
  apiKey?: string | null | undefined;
  /** Sent as `Authorization: Bearer`. Read from its environment variable when undefined; `null` means none. */
  bearerToken?: string | null | undefined;
  /**
   * HTTP Basic credentials (`Authorization: Basic`), for APIs that declare the scheme. Read from
   * the username and password environment variables when undefined; `null` means none.
   */
  username?: string | null | undefined;
  password?: string | null | undefined;
  /**
   * OAuth2 client credentials, for APIs that declare the client-credentials flow: the client
   * fetches an access token from the token URL, caches it until it expires and fetches a new one
   * once when the API answers 401. Read from their environment variables when undefined; `null`
   * means none. A `bearerToken` given explicitly is used instead.
   */
  clientId?: string | null | undefined;
  clientSecret?: string | null | undefined;
  /** The scopes to request with client credentials (default: the document's, else none). */
  scopes?: readonly string[] | undefined;
  /** Per-attempt timeout in milliseconds, from sending to the whole body read. Default 60 000. */
  timeout?: number | undefined;
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number | undefined;
  /**
   * The longest `Retry-After` (ms) the client waits before retrying. A 429 or 503 asking for
   * longer is thrown at once (its `retryAfter` says how long), never retried sooner. Default 60 000.
   */
  maxRetryAfter?: number | undefined;
  /** Headers sent with every request (per-request headers win). `null` removes a header. */
  defaultHeaders?: HeadersInit_ | undefined;
  /** Receives debug logs of requests, responses and retries (credentials redacted). */
  logger?: Logger | undefined;
  /** A custom fetch (proxies, tests). Defaults to the global `fetch`. */
  fetch?: Fetch | undefined;
  /** Extra `RequestInit` members passed to every fetch (for example `dispatcher`, `keepalive`). */
  fetchOptions?: RequestInit | undefined;
}

/** What generated code supplies about its API; nothing API-specific is hard-coded in the runtime. */
export interface ClientConfig {
  /** SDK package name and version, for the User-Agent. */
  sdkName: string;
  sdkVersion: string;
  /** The base URL used when neither the option nor the environment variable gives one. */
  defaultBaseURL?: string | undefined;
  /** The API-key header name (for example `X-API-Key`); without it an API key is sent as a bearer token. */
  apiKeyHeader?: string | undefined;
  /**
   * Where the API key goes when the API declares it in the query or a cookie (its name there);
   * default: the `apiKeyHeader` header.
   */
  apiKeyIn?: { in: "query" | "cookie"; name: string } | undefined;
  /** The client-credentials flow, when the API declares one. */
  oauth2?: OAuth2Config | undefined;
  /** Environment variable names read when the matching option is undefined. */
  env?:
    | {
        apiKey?: string | undefined;
        bearerToken?: string | undefined;
        baseURL?: string | undefined;
        username?: string | undefined;
        password?: string | undefined;
        clientId?: string | undefined;
        clientSecret?: string | undefined;
      }
    | undefined;
  /**
   * The header a caller's `idempotencyKey` is sent in on an operation that declares none of its
   * own (`RequestSpec.idempotencyHeader`). Default `Idempotency-Key`; `null` sends none there.
   */
  idempotencyHeader?: string | null | undefined;
}

/** Per-request options: the last argument of every generated method. */
export interface RequestOptions {
  /** Overrides the client timeout for this request (ms). */
  timeout?: number | undefined;
  /** Overrides the client's max retries for this request. */
  maxRetries?: number | undefined;
  /** Extra headers; these win over everything else. `null` removes a header. */
  headers?: HeadersInit_ | undefined;
  /**
   * The idempotency key to send (instead of a generated one): it also makes the request retryable
   * on any operation, as the caller asserts the server honours it.
   */
  idempotencyKey?: string | undefined;
  /** Cancels the request, its retries and backoff sleeps (and a stream's connection). */
  signal?: AbortSignal | null | undefined;
}

/** What generated code passes to `request()` to describe one operation call. */
export interface RequestSpec<T = unknown> {
  method: HTTPMethod;
  /** The path template, e.g. `/v1/things/{thing_id}`; placeholders are filled from `pathParams`. */
  path: string;
  pathParams?: Readonly<Record<string, QueryValue | StyledText>> | undefined;
  /** Query parameters in declaration order. */
  query?: QueryParams | undefined;
  /** Header parameters of the operation (If-Match, ...); `undefined` values are skipped. */
  headers?: HeadersInit_ | undefined;
  /**
   * Cookie parameters of the operation, sent as one `Cookie` header (`a=1; b=2`, values
   * percent-encoded); `undefined` values are skipped. Browsers forbid setting `Cookie` from
   * `fetch`: there the browser's own cookies for the API's origin apply instead.
   */
  cookies?: Readonly<Record<string, QueryValue | StyledText>> | undefined;
  /**
   * The request body: sent as is when it is a Blob, FormData, URLSearchParams, binary
   * (ArrayBuffer, typed array), a stream, or a string of a non-JSON `contentType` (text); a
   * plain object is form-encoded when `contentType` is `application/x-www-form-urlencoded`;
   * anything else, a string of a JSON body included, is JSON-serialised.
   */
  body?: unknown;
  /** Content-Type of the body. Default `application/json` (use `application/merge-patch+json` for merge patches). */
  contentType?: string | undefined;
  /** Accept header. Default `application/json`, or `text/event-stream` for streams. */
  accept?: string | undefined;
  /**
   * How a 2xx body becomes the result: `"json"` (default: JSON content types parsed, other text
   * returned as a string), `"text"` (the body as a string) or `"bytes"` (the body as a `Uint8Array`).
   */
  responseType?: "json" | "text" | "bytes" | undefined;
  /**
   * The statuses the operation declares an error body for (`"400 404 4XX default"`): their JSON
   * bodies become the error's typed `problem`. Undefined: any problem+json body does.
   */
  errors?: DeclaredErrors | undefined;
  /**
   * The idempotency header the operation declares: a key generated once per call goes in it,
   * reused by every retry. Without one, only safe methods (GET, HEAD, OPTIONS) or calls given
   * an `idempotencyKey` are retried, and no key is sent.
   */
  idempotencyHeader?: string | undefined;
  /** Turns the decoded JSON into the result type (the default passes JSON through unchanged). */
  decode?: ((json: unknown) => T) | undefined;
  /** Internal: return after the headers, leaving the body for a stream reader. */
  stream?: boolean | undefined;
}
