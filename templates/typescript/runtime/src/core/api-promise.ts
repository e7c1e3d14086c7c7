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
 * What every generated method returns: a native `Promise` of the parsed value (so `await` takes
 * V8's fast path: no thenable job, no extra promises), with three methods of its own:
 * `.withResponse()` for the value plus the raw `Response` and request id, `.asResponse()` for the
 * raw `Response` alone, and `._thenUnwrap(fn)` for a derived value. All share one HTTP exchange;
 * the body is parsed once, as soon as it has been read.
 */
export interface APIPromise<T> extends Promise<T> {
  /**
   * The raw response, whether or not its body parsed. For a buffered (non-streaming) call it is
   * a copy whose body can still be read, since the runtime reads the body inside the request loop.
   */
  asResponse(): Promise<Response>;
  /** The parsed value plus the raw response (headers, status) and the request id. */
  withResponse(): Promise<WithResponse<T>>;
  /** A new promise over the same exchange whose value is transformed by `fn`. */
  _thenUnwrap<U>(fn: (data: T, props: APIResponseProps) => U | Promise<U>): APIPromise<U>;
}

/**
 * One call's exchange as the request loop hands it over, for `asResponse` and `withResponse`
 * (set before the body is parsed, so a parse failure still has its response).
 */
export class Exchange {
  props: APIResponseProps | undefined = undefined;
  /** The call's promise (set by apiPromise), marked handled when its body does not parse. */
  promise: Promise<unknown> | undefined = undefined;
}

const EXCHANGE = Symbol("exchange");
type Extended<T> = APIPromise<T> & { [EXCHANGE]: Exchange };
const noop = (): void => {};

/**
 * Makes `promise` (a native Promise of the parsed value over `exchange`) an APIPromise. The methods
 * are shared functions set as own members, in one order (one hidden-class transition chain):
 * the promise stays a plain `Promise`, which a subclass or a thenable would not.
 */
export function apiPromise<T>(promise: Promise<T>, exchange: Exchange): APIPromise<T> {
  const p = promise as Extended<T>;
  exchange.promise = p;
  p[EXCHANGE] = exchange;
  p.asResponse = asResponse;
  p.withResponse = withResponse;
  p._thenUnwrap = thenUnwrap;
  return p;
}

/**
 * The parse step of a call: records the exchange, then parses. A parse failure marks the promise
 * handled first: it never becomes an unhandled rejection for a caller that only used
 * `asResponse()`, or none of the call's results (as when parsing was lazy).
 */
export function parseExchange<T>(
  exchange: Exchange,
  props: APIResponseProps,
  parse: (props: APIResponseProps) => T | Promise<T>,
): T | Promise<T> {
  exchange.props = props;
  try {
    const value = parse(props);
    if (value instanceof Promise) exchange.promise?.catch(noop);
    return value;
  } catch (err) {
    exchange.promise?.catch(noop);
    throw err;
  }
}

function asResponse(this: Extended<unknown>): Promise<Response> {
  const exchange = this[EXCHANGE];
  return this.then(
    () => rawResponse(exchange.props as APIResponseProps),
    (err: unknown) => {
      if (exchange.props === undefined) throw err;
      return rawResponse(exchange.props);
    },
  );
}

function withResponse<T>(this: Extended<T>): Promise<WithResponse<T>> {
  const exchange = this[EXCHANGE];
  return this.then((data) => {
    const props = exchange.props as APIResponseProps;
    return { data, response: props.response, requestId: props.requestId };
  });
}

function thenUnwrap<T, U>(this: Extended<T>, fn: (data: T, props: APIResponseProps) => U | Promise<U>): APIPromise<U> {
  const exchange = this[EXCHANGE];
  return apiPromise(
    this.then((data) => fn(data, exchange.props as APIResponseProps)),
    exchange,
  );
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
