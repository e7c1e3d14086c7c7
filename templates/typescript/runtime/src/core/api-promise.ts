import { APIError } from "./errors.ts";

/** What one finished HTTP exchange hands to the parsing step. */
export interface APIResponseProps {
  /** The final response (after retries). Its body has already been read unless `streamed`. */
  readonly response: Response;
  /** The body text, read inside the request loop; undefined for streamed and binary responses. */
  readonly text: string | undefined;
  /** The body bytes of a binary response (`responseType: "bytes"`), read inside the request loop. */
  readonly bytes?: Uint8Array | undefined;
  /** The `X-Request-Id` response header. */
  readonly requestId: string | undefined;
  /** How many retries were spent before this response. */
  readonly retries: number;
}

/**
 * The props of a 2xx exchange as the request loop builds them. The request id is read from the
 * headers when asked for (a `Headers` lookup per call otherwise, which awaiting a value never needs).
 */
export class ResponseProps implements APIResponseProps {
  readonly response: Response;
  readonly text: string | undefined;
  readonly bytes: Uint8Array | undefined;
  readonly retries: number;
  #requestId: string | undefined | null = null;

  constructor(response: Response, text: string | undefined, bytes: Uint8Array | undefined, retries: number) {
    this.response = response;
    this.text = text;
    this.bytes = bytes;
    this.retries = retries;
  }

  get requestId(): string | undefined {
    if (this.#requestId === null) this.#requestId = this.response.headers.get("x-request-id") ?? undefined;
    return this.#requestId;
  }
}

/** The parsed value together with the raw response. */
export interface WithResponse<T> {
  data: T;
  response: Response;
  requestId: string | undefined;
}

/**
 * The promise every generated method returns: `await` it for the parsed value, or call
 * `.withResponse()` for the value plus the raw `Response` and request id, or `.asResponse()`
 * for the raw `Response` alone. All three share one HTTP exchange.
 */
export class APIPromise<T> implements PromiseLike<T> {
  readonly #responsePromise: Promise<APIResponseProps>;
  readonly #parse: (props: APIResponseProps) => T | Promise<T>;
  #parsed: Promise<WithResponse<T>> | undefined;
  #data: Promise<T> | undefined;

  constructor(responsePromise: Promise<APIResponseProps>, parse: (props: APIResponseProps) => T | Promise<T>) {
    this.#responsePromise = responsePromise;
    this.#parse = parse;
  }

  /** A new promise over the same exchange whose value is transformed by `fn`. */
  _thenUnwrap<U>(fn: (data: T, props: APIResponseProps) => U | Promise<U>): APIPromise<U> {
    return new APIPromise<U>(this.#responsePromise, async (props) => fn(await this.#parse(props), props));
  }

  /**
   * The raw response, without parsing. For a buffered (non-streaming) call it is a copy whose body
   * can still be read, since the runtime reads the body inside the request loop.
   */
  asResponse(): Promise<Response> {
    return this.#responsePromise.then((props) => rawResponse(props));
  }

  /** The parsed value plus the raw response (headers, status) and the request id. */
  withResponse(): Promise<WithResponse<T>> {
    this.#parsed ??= this.#responsePromise.then(async (props) => ({
      data: await this.#parse(props),
      response: props.response,
      requestId: props.requestId,
    }));
    return this.#parsed;
  }

  // biome-ignore lint/suspicious/noThenProperty: APIPromise is deliberately a thenable.
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // Awaiting the value alone skips the WithResponse object and one promise hop (the hot path).
    this.#data ??=
      this.#parsed === undefined
        ? this.#responsePromise.then((props) => this.#parse(props))
        : this.#parsed.then((r) => r.data);
    return this.#data.then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return "APIPromise";
  }
}

/** The default body decoding: empty → undefined, JSON content types → parsed JSON, else text. */
export function defaultParse(props: APIResponseProps): unknown {
  const { text, response } = props;
  if (text === undefined || text === "") return undefined;
  if (isJSON(response.headers.get("content-type") ?? "")) {
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new APIError(`Could not parse the response body as JSON (status ${response.status})`, { cause });
    }
  }
  return text;
}

// The last content type seen and whether it is JSON: an API answers with one or two, so the
// regular expression runs once per new one, not per call.
let lastContentType = "";
let lastIsJSON = false;
function isJSON(contentType: string): boolean {
  if (contentType !== lastContentType) {
    lastIsJSON = /[/+]json\b/i.test(contentType);
    lastContentType = contentType;
  }
  return lastIsJSON;
}

function rawResponse(props: APIResponseProps): Response {
  const { response, text, bytes } = props;
  if (text === undefined && bytes === undefined) return response;
  const nullBody = response.status === 204 || response.status === 205 || response.status === 304;
  const copy = new Response(nullBody ? null : ((bytes as BodyInit | undefined) ?? text ?? null), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  if (response.url) Object.defineProperty(copy, "url", { value: response.url });
  return copy;
}
