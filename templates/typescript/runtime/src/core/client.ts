import { readEnv } from "../internal/env.ts";
import { type HeadersInit_, mergeHeaderRecord, mergeHeaders, redactHeaders } from "../internal/headers.ts";
import {
  buildURL,
  cookieHeader,
  fillPath,
  type QueryParams,
  type QueryValue,
  type StyledText,
  stringifyForm,
} from "../internal/query.ts";
import {
  backoffMs,
  DEFAULT_MAX_RETRY_AFTER_MS,
  isRetryableRequest,
  isRetryableResponse,
  isSafeMethod,
  type RandomSource,
  retryAfterMs,
} from "../internal/retry.ts";
import { sleep } from "../internal/sleep.ts";
import { userAgent } from "../internal/user-agent.ts";
import { uuid4 } from "../internal/uuid.ts";
import { APIPromise, type APIResponseProps, defaultParse } from "./api-promise.ts";
import {
  APIConnectionError,
  APIError,
  APIStatusError,
  APITimeoutError,
  APIUserAbortError,
  type DeclaredErrors,
} from "./errors.ts";
import { btoaUtf8, ClientCredentials, type OAuth2Config } from "./oauth.ts";
import {
  CursorPage,
  DEFAULT_PAGE_FIELDS,
  linkNext,
  type PageBody,
  type PageFields,
  PagePromise,
  type PageStyle,
} from "./pagination.ts";
import { EventStream, type EventStreamOptions } from "./streaming.ts";

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
   * The idempotency header every non-GET request carries (a key generated once per call and
   * reused on its retries). Default `Idempotency-Key`; `null` sends none (then only GET, HEAD and
   * OPTIONS are retried).
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
  /** The idempotency key to send instead of the one generated for every non-GET request. */
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
  /** Turns the decoded JSON into the result type (the default passes JSON through unchanged). */
  decode?: ((json: unknown) => T) | undefined;
  /** Internal: return after the headers, leaving the body for a stream reader. */
  stream?: boolean | undefined;
}

/** A request fully prepared for the loop (URL, headers and body computed once). */
interface PreparedRequest {
  method: string;
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: BodyInit | undefined;
  timeout: number;
  maxRetries: number;
  signal: AbortSignal | undefined;
  stream: boolean;
  bytes: boolean;
  errors: DeclaredErrors | undefined;
}

type AttemptResult =
  | { ok: true; response: Response; text: string | undefined; bytes?: Uint8Array | undefined }
  | { ok: false; error: APIConnectionError };

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RETRIES = 2;
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The base of every generated client: configuration plus the one request loop. Generated clients
 * extend it, pass their `ClientConfig` to `super`, and hang resource objects off `this`.
 */
export class BaseClient {
  readonly baseURL: string;
  readonly apiKey: string | undefined;
  readonly bearerToken: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly timeout: number;
  readonly maxRetries: number;
  readonly maxRetryAfter: number;
  readonly logger: Logger | undefined;
  protected readonly config: ClientConfig;
  readonly #options: ClientOptions;
  readonly #defaultHeaders: HeadersInit_ | undefined;
  readonly #fetch: Fetch;
  readonly #fetchOptions: RequestInit | undefined;
  readonly #userAgent: string | undefined;
  readonly #oauth: ClientCredentials | undefined;

  /** Uniform random numbers for jitter; override in tests for determinism. */
  protected random: RandomSource = Math.random;

  constructor(options: ClientOptions = {}, config: ClientConfig) {
    this.config = config;
    this.#options = options;
    const baseURL = options.baseURL ?? readEnv(config.env?.baseURL) ?? config.defaultBaseURL;
    if (!baseURL) throw new APIError("No base URL: pass `baseURL` to the client.");
    this.baseURL = baseURL;
    this.apiKey = options.apiKey === null ? undefined : (options.apiKey ?? readEnv(config.env?.apiKey));
    this.bearerToken =
      options.bearerToken === null ? undefined : (options.bearerToken ?? readEnv(config.env?.bearerToken));
    this.username = options.username === null ? undefined : (options.username ?? readEnv(config.env?.username));
    this.password = options.password === null ? undefined : (options.password ?? readEnv(config.env?.password));
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.maxRetryAfter = options.maxRetryAfter ?? DEFAULT_MAX_RETRY_AFTER_MS;
    this.logger = options.logger;
    this.#defaultHeaders = options.defaultHeaders;
    this.#fetchOptions = options.fetchOptions;
    const fetchImpl = options.fetch ?? (globalThis.fetch as Fetch | undefined);
    if (typeof fetchImpl !== "function") {
      throw new APIError("No fetch available: pass `fetch` to the client (Node >= 20 and browsers have one).");
    }
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#userAgent = userAgent(config.sdkName, config.sdkVersion);
    const clientId = options.clientId === null ? undefined : (options.clientId ?? readEnv(config.env?.clientId));
    const clientSecret =
      options.clientSecret === null ? undefined : (options.clientSecret ?? readEnv(config.env?.clientSecret));
    // Client credentials stand in for a bearer token; one given explicitly wins.
    if (
      config.oauth2 !== undefined &&
      clientId !== undefined &&
      clientSecret !== undefined &&
      options.bearerToken == null
    ) {
      this.#oauth = new ClientCredentials({
        fetch: this.#fetch,
        tokenUrl: new URL(config.oauth2.tokenUrl, this.baseURL.endsWith("/") ? this.baseURL : `${this.baseURL}/`).href,
        clientId,
        clientSecret,
        scopes: options.scopes ?? config.oauth2.scopes,
      });
    }
  }

  /**
   * A copy of this client with some options changed (the rest kept), for one call or a scope:
   * `client.withOptions({ timeout: 5_000 }).sequences.get(id)`. Both share nothing mutable.
   */
  withOptions(options: Partial<ClientOptions>): this {
    const Client = this.constructor as new (options: ClientOptions) => this;
    return new Client({ ...this.#options, ...options });
  }

  /** Performs one operation call and returns its parsed value as an APIPromise. */
  request<T = unknown>(spec: RequestSpec<T>, options?: RequestOptions): APIPromise<T> {
    const decode = spec.decode;
    return new APIPromise<T>(this.makeRequest(spec, options), (props) => {
      if (spec.responseType === "bytes") return (props.bytes ?? new Uint8Array(0)) as T;
      if (spec.responseType === "text") return (props.text ?? "") as T;
      const json = defaultParse(props);
      return decode ? decode(json) : (json as T);
    });
  }

  /**
   * Calls a cursor-paginated list operation. Await the result for the first page, or iterate it
   * with `for await` for every item across pages. `decodeItem` maps each raw item.
   */
  requestPage<Item>(
    spec: RequestSpec<unknown>,
    options?: RequestOptions,
    pageOptions?: {
      cursorParam?: string | undefined;
      decodeItem?: ((json: unknown) => Item) | undefined;
      /** The page body's member names (default `data`, `next_cursor`, `has_more`). */
      fields?: PageFields | undefined;
      /** How the next page is asked for (default `cursor`); `cursorParam` names the offset or page parameter. */
      style?: PageStyle | undefined;
      /** The page-size parameter: a page shorter than the size sent is the last (`offset`, `page`). */
      limitParam?: string | undefined;
    },
  ): PagePromise<Item> {
    const style = pageOptions?.style ?? "cursor";
    const cursorParam = pageOptions?.cursorParam ?? "cursor";
    const decodeItem = pageOptions?.decodeItem;
    const fields = pageOptions?.fields ?? DEFAULT_PAGE_FIELDS;
    const first = this.buildURL(spec.path, spec.pathParams, spec.query);
    const fetchPage = (cursor: string | undefined): PagePromise<Item> => {
      let pageSpec: RequestSpec<unknown> = spec;
      if (cursor !== undefined && (style === "link" || style === "nextUrl")) {
        // The next page's URL as the server gave it: only on the first request's origin, so
        // credentials never go to a host the caller did not choose.
        const url = new URL(cursor, first);
        if (url.origin !== new URL(first).origin) {
          throw new APIError(`Not following the next-page URL to another origin: ${url.origin}`);
        }
        pageSpec = { ...spec, path: url.href, pathParams: undefined, query: undefined };
      } else if (cursor !== undefined) {
        pageSpec = { ...spec, query: { ...spec.query, [cursorParam]: cursor } };
      }
      return new PagePromise<Item>(this.makeRequest(pageSpec, options), (props) => {
        const body = (defaultParse(props) ?? {}) as PageBody;
        const next = nextPage(
          style,
          body,
          props.response,
          fields,
          pageSpec.query,
          cursorParam,
          pageOptions?.limitParam,
        );
        return new CursorPage<Item>(body, props.response, fetchPage, decodeItem, cursor, fields, next);
      });
    };
    return fetchPage(undefined);
  }

  /**
   * Opens a Server-Sent Events stream that reconnects by itself (sending `Last-Event-ID`) and
   * decodes each message with `streamOptions.decode`. The connection opens on first iteration.
   */
  requestStream<T>(
    spec: RequestSpec<unknown>,
    options: RequestOptions | undefined,
    streamOptions: Omit<EventStreamOptions<T>, "connect" | "signal" | "logger">,
  ): EventStream<T> {
    return new EventStream<T>({
      ...streamOptions,
      signal: options?.signal ?? undefined,
      logger: this.logger,
      connect: async (lastEventId, signal) => {
        const props = await this.makeRequest(
          {
            ...spec,
            stream: true,
            headers: mergeHeaders(
              spec.headers,
              lastEventId === undefined ? undefined : { "Last-Event-ID": lastEventId },
            ),
          },
          // The stream reconnects with its own (longer) backoff, so the loop does not retry here.
          { ...options, signal, maxRetries: 0 },
        );
        return props.response;
      },
    });
  }

  /** The full URL for a path template, path parameters and query (also for WebSocket URLs). */
  buildURL(path: string, pathParams?: Readonly<Record<string, QueryValue | StyledText>>, query?: QueryParams): string {
    return buildURL(this.baseURL, fillPath(path, pathParams), query);
  }

  /**
   * The auth headers for this client: the API key (in its header, unless the API sends it in the
   * query or a cookie) wins over a bearer token; Basic credentials are sent when given.
   */
  protected authHeaders(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.username !== undefined || this.password !== undefined) {
      headers.Authorization = `Basic ${btoaUtf8(`${this.username ?? ""}:${this.password ?? ""}`)}`;
    }
    if (this.apiKey !== undefined && this.config.apiKeyIn === undefined) {
      const name = this.config.apiKeyHeader;
      return { ...headers, ...(name ? { [name]: this.apiKey } : { Authorization: `Bearer ${this.apiKey}` }) };
    }
    if (this.bearerToken !== undefined) headers.Authorization = `Bearer ${this.bearerToken}`;
    return headers;
  }

  /** The backoff before retry number `retryIndex` (0-based) when the server named no delay. */
  protected backoffDelay(retryIndex: number): number {
    return backoffMs(retryIndex, this.random);
  }

  /** Waits between attempts; a seam for tests. Must reject when `signal` aborts. */
  protected sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return sleep(ms, signal);
  }

  /** Computes URL, headers and body once; the retry loop reuses them on every attempt. */
  protected prepare(spec: RequestSpec<unknown>, options: RequestOptions | undefined): PreparedRequest {
    // An API key the API takes in the query or a cookie goes there (after the operation's own).
    const keyIn = this.apiKey === undefined ? undefined : this.config.apiKeyIn;
    const query = keyIn?.in === "query" ? { ...spec.query, [keyIn.name]: this.apiKey } : spec.query;
    const url = this.buildURL(spec.path, spec.pathParams, query);
    const { body, contentType } = serializeBody(spec.body, spec.contentType);
    const cookie = cookieHeader(keyIn?.in === "cookie" ? { ...spec.cookies, [keyIn.name]: this.apiKey } : spec.cookies);
    const headers = mergeHeaderRecord(
      { Accept: spec.accept ?? (spec.stream ? "text/event-stream" : "application/json") },
      contentType ? { "Content-Type": contentType } : undefined,
      this.authHeaders(),
      this.#userAgent ? { "User-Agent": this.#userAgent } : undefined,
      this.#defaultHeaders,
      spec.headers,
      cookie === undefined ? undefined : { Cookie: cookie },
      options?.headers,
    );
    const method = spec.method.toUpperCase();
    const idempotencyHeader = this.#idempotencyHeader();
    if (idempotencyHeader !== null) {
      // One key per logical request, reused by every retry of it: the server answers a retry
      // of a change it already made with that change's answer.
      const key = idempotencyHeader.toLowerCase();
      if (options?.idempotencyKey !== undefined) headers[key] = options.idempotencyKey;
      else if (!isSafeMethod(method) && headers[key] === undefined) headers[key] = uuid4();
    }
    return {
      method,
      url,
      headers,
      body,
      timeout: options?.timeout ?? this.timeout,
      maxRetries: Math.max(0, options?.maxRetries ?? this.maxRetries),
      signal: options?.signal ?? undefined,
      stream: spec.stream === true,
      bytes: spec.responseType === "bytes",
      errors: spec.errors,
    };
  }

  /** A URL as logged: an API key sent in the query is redacted. */
  #loggedURL(url: string): string {
    if (this.apiKey === undefined || this.config.apiKeyIn?.in !== "query") return url;
    return url.split(encodeURIComponent(this.apiKey)).join("[redacted]");
  }

  #idempotencyHeader(): string | null {
    const name = this.config.idempotencyHeader;
    return name === undefined ? "Idempotency-Key" : name;
  }

  /** The request loop: sends, retries per policy, and resolves with the final 2xx exchange. */
  protected async makeRequest(
    spec: RequestSpec<unknown>,
    options: RequestOptions | undefined,
  ): Promise<APIResponseProps> {
    const req = this.prepare(spec, options);
    const idempotencyHeader = this.#idempotencyHeader();
    const canRetry = isRetryableRequest(
      req.method,
      idempotencyHeader !== null && req.headers[idempotencyHeader.toLowerCase()] !== undefined,
    );
    const log = this.logger;
    // With client credentials, the access token is fetched (or taken from the cache) first.
    let token = this.#oauth === undefined ? undefined : await this.#oauth.token();
    if (token !== undefined) req.headers.authorization = `Bearer ${token}`;
    let renewed = false;

    for (let retries = 0; ; retries++) {
      if (req.signal?.aborted) throw new APIUserAbortError(undefined, { cause: req.signal.reason });
      const started = Date.now();
      log?.debug?.(`${req.method} ${this.#loggedURL(req.url)}`, {
        attempt: retries + 1,
        headers: redactHeaders(req.headers, this.config.apiKeyHeader),
      });
      const result = await this.#attempt(req);
      const attemptsLeft = canRetry && retries < req.maxRetries;

      if (!result.ok) {
        log?.debug?.(`${req.method} ${this.#loggedURL(req.url)} failed: ${result.error.message}`, {
          durationMs: Date.now() - started,
        });
        if (!attemptsLeft) throw result.error;
        await this.#backoff(req, retries, undefined, result.error.message);
        continue;
      }

      const { response, text, bytes } = result;
      const requestId = response.headers.get("x-request-id") ?? undefined;
      log?.debug?.(`${req.method} ${this.#loggedURL(req.url)} → ${response.status}`, {
        requestId,
        durationMs: Date.now() - started,
      });
      if (response.ok) return { response, text, requestId, retries, ...(bytes === undefined ? {} : { bytes }) };

      if (response.status === 401 && this.#oauth !== undefined && token !== undefined && !renewed) {
        // The token was revoked or expired early: one new token, one more attempt (a 401 was
        // not acted on, so even a non-idempotent request is safe to send again).
        renewed = true;
        this.#oauth.invalidate(token);
        token = await this.#oauth.token();
        req.headers.authorization = `Bearer ${token}`;
        retries--;
        continue;
      }

      if (attemptsLeft && isRetryableResponse(response.status, response.headers)) {
        // A server that asks for a longer wait than the ceiling gets its error raised at once
        // (with `retryAfter` on it), never a retry sooner than it asked.
        const asked = retryAfterMs(response.headers);
        if (asked === undefined || asked <= this.maxRetryAfter) {
          await this.#backoff(req, retries, asked, `status ${response.status}`);
          continue;
        }
      }
      throw APIStatusError.generate(
        response.status,
        response.headers,
        parseErrorBody(text, response.headers),
        undefined,
        req.errors,
      );
    }
  }

  async #backoff(req: PreparedRequest, retryIndex: number, asked: number | undefined, why: string): Promise<void> {
    const delay = asked !== undefined && asked > 0 ? asked : this.backoffDelay(retryIndex);
    this.logger?.info?.(`Retrying ${req.method} ${this.#loggedURL(req.url)} in ${Math.round(delay)} ms (${why})`, {
      retry: retryIndex + 1,
      maxRetries: req.maxRetries,
      delayMs: delay,
    });
    try {
      await this.sleep(delay, req.signal);
    } catch (cause) {
      throw new APIUserAbortError(undefined, { cause });
    }
  }

  /**
   * One attempt. Without a caller's signal, fetch gets none: handing fetch an AbortSignal costs
   * about 8 µs per call in Node's fetch (measured: a shared long-lived signal costs the same), so
   * the timeout races the exchange instead (see #attemptUntimed). With a signal, the attempt is
   * aborted for real on timeout or abort.
   */
  #attempt(req: PreparedRequest): Promise<AttemptResult> {
    return req.signal === undefined ? this.#attemptRacing(req) : this.#attemptAbortable(req);
  }

  /** The fetch init of an attempt (no signal). */
  #init(req: PreparedRequest): RequestInit {
    return {
      ...this.#fetchOptions,
      method: req.method,
      headers: req.headers,
      ...(req.body === undefined ? {} : { body: req.body }),
      // A streamed upload needs half-duplex in Node's fetch (browsers ignore the member).
      ...(typeof ReadableStream !== "undefined" && req.body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit;
  }

  /** Reads what the loop needs of an answer: nothing for a stream, the bytes or the text. */
  async #read(req: PreparedRequest, response: Response): Promise<AttemptResult> {
    if (req.stream && response.ok) return { ok: true, response, text: undefined };
    if (req.bytes && response.ok) {
      const bytes =
        response.status === 204 || req.method === "HEAD"
          ? new Uint8Array(0)
          : new Uint8Array(await response.arrayBuffer());
      return { ok: true, response, text: undefined, bytes };
    }
    const text = response.status === 204 || req.method === "HEAD" ? "" : await response.text();
    return { ok: true, response, text };
  }

  /**
   * An attempt whose timeout races the exchange. A timed-out attempt is abandoned: when its answer
   * still comes, the body is cancelled (which closes the connection); an answer that never comes,
   * or a body that stalls while it is read, holds its connection until the transport gives up
   * (Node's fetch: 300 s). Pass a `signal` for a hard abort.
   */
  #attemptRacing(req: PreparedRequest): Promise<AttemptResult> {
    // One promise settled by whichever comes first, the answer (read) or the timer: no race of
    // extra promises on the hot path.
    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      const timer =
        Number.isFinite(req.timeout) && req.timeout > 0
          ? setTimeout(
              () => {
                settled = true;
                resolve({ ok: false, error: new APITimeoutError() });
              },
              Math.min(req.timeout, MAX_TIMER_MS),
            )
          : undefined;
      const settle = (result: AttemptResult): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        resolve(result);
      };
      this.#fetch(req.url, this.#init(req))
        .then((response) => {
          if (settled) {
            // Timed out before the answer came: drop it (cancelling the body closes the connection).
            response.body?.cancel().catch(() => {});
            return undefined;
          }
          return this.#read(req, response);
        })
        .then(
          (result) => {
            if (result !== undefined) settle(result);
          },
          (err: unknown) => {
            const detail = err instanceof Error && err.message ? `: ${err.message}` : "";
            settle({ ok: false, error: new APIConnectionError(`Connection error${detail}`, { cause: err }) });
          },
        );
    });
  }

  /** An attempt with a per-attempt timeout linked to the caller's signal, aborted for real. */
  async #attemptAbortable(req: PreparedRequest): Promise<AttemptResult> {
    const controller = new AbortController();
    const userSignal = req.signal;
    let timedOut = false;
    const onUserAbort = (): void => controller.abort(userSignal?.reason);
    userSignal?.addEventListener("abort", onUserAbort, { once: true });
    const timer =
      Number.isFinite(req.timeout) && req.timeout > 0
        ? setTimeout(
            () => {
              timedOut = true;
              controller.abort(new APITimeoutError());
            },
            Math.min(req.timeout, MAX_TIMER_MS),
          )
        : undefined;
    let keepUserLink = false;
    try {
      const response = await this.#fetch(req.url, { ...this.#init(req), signal: controller.signal });
      // The stream reader owns the body now: the timeout stops, the caller's signal still aborts it.
      if (req.stream && response.ok) keepUserLink = true;
      return await this.#read(req, response);
    } catch (err) {
      if (userSignal?.aborted) throw new APIUserAbortError(undefined, { cause: err });
      if (timedOut) return { ok: false, error: new APITimeoutError(undefined, { cause: err }) };
      const detail = err instanceof Error && err.message ? `: ${err.message}` : "";
      return { ok: false, error: new APIConnectionError(`Connection error${detail}`, { cause: err }) };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      if (!keepUserLink) userSignal?.removeEventListener("abort", onUserAbort);
    }
  }
}

function serializeBody(
  body: unknown,
  contentType: string | undefined,
): { body: BodyInit | undefined; contentType: string | undefined } {
  if (body === undefined) return { body: undefined, contentType: undefined };
  if (typeof FormData !== "undefined" && body instanceof FormData) return { body, contentType: undefined };
  if (
    contentType !== undefined &&
    /^application\/x-www-form-urlencoded\b/i.test(contentType) &&
    typeof body === "object" &&
    body !== null &&
    !(body instanceof URLSearchParams) &&
    Object.getPrototypeOf(body) === Object.prototype
  ) {
    return { body: stringifyForm(body as Record<string, unknown>), contentType };
  }
  // A string is text unless the body is JSON: a JSON body whose schema is a string (an enum, a
  // base64 text) goes out as a JSON string, quoted.
  const json = contentType === undefined || /[/+]json\b/i.test(contentType);
  if (
    (typeof body === "string" && !json) ||
    (typeof Blob !== "undefined" && body instanceof Blob) ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof ReadableStream !== "undefined" && body instanceof ReadableStream)
  ) {
    return { body: body as BodyInit, contentType };
  }
  return { body: JSON.stringify(body), contentType: contentType ?? "application/json" };
}

function parseErrorBody(text: string | undefined, headers: Headers): unknown {
  if (text === undefined || text === "") return undefined;
  const contentType = headers.get("content-type") ?? "";
  if (/[/+]json\b/i.test(contentType) || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * The next page's cursor, offset, page number or URL for a style other than `cursor` (whose
 * page reads its own body): null on the last page.
 */
function nextPage(
  style: PageStyle,
  body: PageBody,
  response: Response,
  fields: PageFields,
  query: QueryParams | undefined,
  param: string,
  limitParam: string | undefined,
): string | null | undefined {
  if (style === "cursor") return undefined;
  if (style === "link") return linkNext(response.headers.get("link"));
  if (style === "nextUrl") {
    const next = body[fields.nextCursor];
    return typeof next === "string" && next !== "" ? next : null;
  }
  const items = fields.items === null ? body : body[fields.items];
  const count = Array.isArray(items) ? items.length : 0;
  const sent = (name: string | undefined): number | undefined => {
    const value = name === undefined ? undefined : (query as Record<string, unknown> | undefined)?.[name];
    const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
    return Number.isFinite(n) ? n : undefined;
  };
  const limit = sent(limitParam);
  if (count === 0 || (limit !== undefined && count < limit)) return null;
  if (style === "offset") return String((sent(param) ?? 0) + count);
  return String((sent(param) ?? 1) + 1);
}
