// The base of every generated client: configuration, request preparation and the one request
// loop (retries, idempotency key, OAuth2 token renewal). Attempts over fetch: transport.ts;
// option and spec shapes: options.ts.
import { parseErrorBody, serializeBody } from "../internal/body.ts";
import { Deadlines } from "../internal/deadlines.ts";
import { readEnv } from "../internal/env.ts";
import {
  type HeadersInit_,
  mergeHeaderRecord,
  mergeHeaderRecordInto,
  mergeHeaders,
  redactHeaders,
} from "../internal/headers.ts";
import {
  buildURL,
  cookieHeader,
  fillPath,
  type QueryParams,
  type QueryValue,
  type StyledText,
} from "../internal/query.ts";
import {
  backoffMs,
  DEFAULT_MAX_RETRY_AFTER_MS,
  isRetryableRequest,
  isRetryableResponse,
  type RandomSource,
  retryAfterMs,
} from "../internal/retry.ts";
import { sleep } from "../internal/sleep.ts";
import { userAgent } from "../internal/user-agent.ts";
import { uuid4 } from "../internal/uuid.ts";
import {
  type APIPromise,
  type APIResponseProps,
  apiPromise,
  defaultParse,
  Exchange,
  parseExchange,
  ResponseProps,
} from "./api-promise.ts";
import { APIError, APIStatusError, APIUserAbortError } from "./errors.ts";
import { btoaUtf8, ClientCredentials } from "./oauth.ts";
import type { ClientConfig, ClientOptions, Fetch, Logger, RequestOptions, RequestSpec } from "./options.ts";
import {
  CursorPage,
  DEFAULT_PAGE_FIELDS,
  nextPage,
  type PageBody,
  type PageFields,
  type PagePromise,
  type PageStyle,
  pagePromise,
} from "./pagination.ts";
import { EventStream, type EventStreamOptions } from "./streaming.ts";
import { type AttemptResult, attempt, attemptRacing, type PreparedRequest, type Transport } from "./transport.ts";

export type {
  BinaryBody,
  ClientConfig,
  ClientOptions,
  Fetch,
  HTTPMethod,
  Logger,
  RequestOptions,
  RequestSpec,
} from "./options.ts";

const DEFAULT_TIMEOUT_MS = 60_000;
const NO_BODY = Object.freeze({ body: undefined, contentType: undefined });
/** Upper-case methods as constants (the spellings generated code uses), not a new string per call. */
const METHODS = new Map([
  ["get", "GET"],
  ["post", "POST"],
  ["put", "PUT"],
  ["patch", "PATCH"],
  ["delete", "DELETE"],
  ["head", "HEAD"],
  ["options", "OPTIONS"],
]);
const DEFAULT_MAX_RETRIES = 2;

/** The parse step after the request loop (the paths other than makeRequest's fast one). */
function parseAfter<T>(
  loop: Promise<APIResponseProps>,
  exchange: Exchange,
  parse: (props: APIResponseProps) => T | Promise<T>,
): Promise<T> {
  return loop.then((props) => parseExchange(exchange, props, parse));
}

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
  readonly #transport: Transport;
  #clientHeaderLayer: Readonly<Record<string, string>> | undefined;
  /** #baseHeaders' merged layers by Accept and Content-Type. */
  readonly #baseHeaderLayers = new Map<string, Readonly<Record<string, string>>>();
  /** The idempotency header's name, lower-case; null when the API declares none. */
  readonly #idempotencyKeyName: string | null;
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
    const fetchImpl = options.fetch ?? (globalThis.fetch as Fetch | undefined);
    if (typeof fetchImpl !== "function") {
      throw new APIError("No fetch available: pass `fetch` to the client (Node >= 20 and browsers have one).");
    }
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#transport = { fetch: this.#fetch, fetchOptions: options.fetchOptions, deadlines: new Deadlines() };
    this.#userAgent = userAgent(config.sdkName, config.sdkVersion);
    const idempotencyHeader = config.idempotencyHeader === undefined ? "Idempotency-Key" : config.idempotencyHeader;
    this.#idempotencyKeyName = idempotencyHeader === null ? null : idempotencyHeader.toLowerCase();
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
    // A JSON answer without a decoder (the common case) needs no closure of its own.
    if (decode === undefined && spec.responseType === undefined) {
      return this.call(spec, options, defaultParse as (props: APIResponseProps) => T);
    }
    return this.call(spec, options, (props) => {
      if (spec.responseType === "bytes") return (props.bytes ?? new Uint8Array(0)) as T;
      if (spec.responseType === "text") return (props.text ?? "") as T;
      const json = defaultParse(props);
      return decode ? decode(json) : (json as T);
    });
  }

  /**
   * One call as a native promise of its parsed value (see APIPromise). On the fast path (as
   * makeRequest's) the body is parsed inside the attempt's own settlement: the promise returned
   * is the one the attempt resolves, with no promise between the exchange and the caller's await.
   */
  protected call<T>(
    spec: RequestSpec<unknown>,
    options: RequestOptions | undefined,
    parse: (props: APIResponseProps) => T | Promise<T>,
  ): APIPromise<T> {
    const exchange = new Exchange();
    let req: PreparedRequest;
    try {
      req = this.prepare(spec, options);
    } catch (err) {
      return apiPromise(Promise.reject(err), exchange);
    }
    const promise: Promise<T> =
      this.logger !== undefined || this.#oauth !== undefined || req.signal !== undefined
        ? parseAfter(this.#loop(req), exchange, parse)
        : attemptRacing(this.#transport, req, (result) =>
            result.ok && result.response.ok
              ? parseExchange(exchange, new ResponseProps(result.response, result.text, result.bytes, 0), parse)
              : parseAfter(this.#loop(req, result), exchange, parse),
          );
    return apiPromise(promise, exchange);
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
      const page = this.call(pageSpec, options, (props) => {
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
      return pagePromise(page);
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
    const { body, contentType } = spec.body === undefined ? NO_BODY : serializeBody(spec.body, spec.contentType);
    const cookie = cookieHeader(keyIn?.in === "cookie" ? { ...spec.cookies, [keyIn.name]: this.apiKey } : spec.cookies);
    // Layers, later ones winning: Accept and Content-Type, auth and User-Agent (the same for
    // every call of this client: merged and checked once), default headers, the operation's
    // header and cookie parameters, the per-request headers.
    const headers = this.#baseHeaders(
      spec.accept ?? (spec.stream ? "text/event-stream" : "application/json"),
      contentType || undefined,
    );
    const requestHeaders = options?.headers;
    if (
      this.#defaultHeaders !== undefined ||
      spec.headers !== undefined ||
      cookie !== undefined ||
      requestHeaders !== undefined
    ) {
      mergeHeaderRecordInto(
        headers,
        this.#defaultHeaders,
        spec.headers,
        cookie === undefined ? undefined : { Cookie: cookie },
        requestHeaders,
      );
    }
    const method = METHODS.get(spec.method) ?? spec.method.toUpperCase();
    // The operation's declared idempotency header, else the client's (for a caller's key).
    const key = spec.idempotencyHeader === undefined ? this.#idempotencyKeyName : spec.idempotencyHeader.toLowerCase();
    if (key !== null) {
      // One key per logical request, reused by every retry of it: the server answers a retry
      // of a change it already made with that change's answer. Generated only for an operation
      // that declares the header (a server that ignores it would apply a retry twice).
      if (options?.idempotencyKey !== undefined) headers[key] = options.idempotencyKey;
      else if (spec.idempotencyHeader !== undefined && headers[key] === undefined) headers[key] = uuid4();
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
      keyed: key !== null && headers[key] !== undefined,
    };
  }

  /**
   * A fresh record of the first header layers: Accept and Content-Type, then auth and
   * User-Agent. Merged and checked once per (Accept, Content-Type) and copied per call: they
   * derive from readonly fields and the operation's media types.
   */
  #baseHeaders(accept: string, contentType: string | undefined): Record<string, string> {
    const key = contentType === undefined ? accept : `${accept}\n${contentType}`;
    let layer = this.#baseHeaderLayers.get(key);
    if (layer === undefined) {
      const client = this.#clientHeaders();
      layer = mergeHeaderRecord(
        { Accept: accept },
        contentType === undefined ? undefined : { "Content-Type": contentType },
      );
      Object.assign(layer, client);
      // Not kept when `authHeaders` is overridden (see #clientHeaders), nor past a handful of
      // media-type pairs (an API has a few).
      if (client === this.#clientHeaderLayer && this.#baseHeaderLayers.size < 32)
        this.#baseHeaderLayers.set(key, layer);
      else return layer;
    }
    return { ...layer };
  }

  /**
   * Auth and User-Agent headers (lower-case names), merged and checked once: they derive from
   * readonly fields. A subclass that overrides `authHeaders` (credentials that change) gets it
   * called for every request, as before.
   */
  #clientHeaders(): Readonly<Record<string, string>> {
    if (this.#clientHeaderLayer !== undefined) return this.#clientHeaderLayer;
    const layer = mergeHeaderRecord(
      this.authHeaders(),
      this.#userAgent ? { "User-Agent": this.#userAgent } : undefined,
    );
    if (this.authHeaders === BaseClient.prototype.authHeaders) this.#clientHeaderLayer = layer;
    return layer;
  }

  /** A URL as logged: an API key sent in the query is redacted. */
  #loggedURL(url: string): string {
    if (this.apiKey === undefined || this.config.apiKeyIn?.in !== "query") return url;
    return url.split(encodeURIComponent(this.apiKey)).join("[redacted]");
  }

  /**
   * Sends a request and resolves with its final 2xx exchange. Without a logger, client
   * credentials or a caller's signal, the first attempt is made here and a 2xx answer returned
   * at once; anything else goes through the request loop (#loop), which takes over that attempt.
   * Measured: the async loop's bookkeeping cost about 0.5 µs per call next to a real exchange.
   */
  protected makeRequest(spec: RequestSpec<unknown>, options: RequestOptions | undefined): Promise<APIResponseProps> {
    let req: PreparedRequest;
    try {
      req = this.prepare(spec, options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.logger !== undefined || this.#oauth !== undefined || req.signal !== undefined) return this.#loop(req);
    return attemptRacing(this.#transport, req, (result) =>
      result.ok && result.response.ok
        ? new ResponseProps(result.response, result.text, result.bytes, 0)
        : this.#loop(req, result),
    );
  }

  /** The request loop: sends, retries per policy, and resolves with the final 2xx exchange. */
  async #loop(req: PreparedRequest, first?: AttemptResult): Promise<APIResponseProps> {
    let firstResult = first;
    const canRetry = isRetryableRequest(req.method, req.keyed);
    const log = this.logger;
    // With client credentials, the access token is fetched (or taken from the cache) first.
    let token = this.#oauth === undefined ? undefined : await this.#oauth.token();
    if (token !== undefined) req.headers.authorization = `Bearer ${token}`;
    let renewed = false;

    for (let retries = 0; ; retries++) {
      if (req.signal?.aborted) throw new APIUserAbortError(undefined, { cause: req.signal.reason });
      const started = log === undefined ? 0 : Date.now();
      log?.debug?.(`${req.method} ${this.#loggedURL(req.url)}`, {
        attempt: retries + 1,
        headers: redactHeaders(req.headers, this.config.apiKeyHeader),
      });
      // The first attempt may have been made already (makeRequest).
      const result = firstResult ?? (await attempt(this.#transport, req));
      firstResult = undefined;
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
      if (log !== undefined) {
        log.debug?.(`${req.method} ${this.#loggedURL(req.url)} → ${response.status}`, {
          requestId: response.headers.get("x-request-id") ?? undefined,
          durationMs: Date.now() - started,
        });
      }
      if (response.ok) return new ResponseProps(response, text, bytes, retries);

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
}
