// One attempt of a request over fetch: the timeout raced against the exchange (no signal handed
// to fetch on the hot path) or, with a caller's signal, a real abort. The retry loop (client.ts)
// decides what happens next.

import type { Deadline, Deadlines } from "../internal/deadlines.ts";
import { APIConnectionError, APITimeoutError, APIUserAbortError, type DeclaredErrors } from "./errors.ts";
import type { Fetch } from "./options.ts";

/** The transport of a client: its fetch, the extra RequestInit members of every call, its deadlines. */
export interface Transport {
  fetch: Fetch;
  fetchOptions: RequestInit | undefined;
  deadlines: Deadlines;
}

/** A request fully prepared for the loop (URL, headers and body computed once). */
export interface PreparedRequest {
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
  /** Carries an idempotency key (the operation's declared header, or the caller's key): retryable whatever its method. */
  keyed: boolean;
}

export type AttemptResult =
  | { ok: true; response: Response; text: string | undefined; bytes?: Uint8Array | undefined }
  | { ok: false; error: APIConnectionError };

const hasTimeout = (req: PreparedRequest): boolean => req.timeout > 0 && Number.isFinite(req.timeout);

/**
 * One attempt. Without a caller's signal, fetch gets none: handing fetch an AbortSignal costs
 * about 8 µs per call in Node's fetch (measured: a shared long-lived signal costs the same), so
 * the timeout races the exchange instead (see attemptRacing). With a signal, the attempt is
 * aborted for real on timeout or abort. Either way the timeout is a deadline in the client's
 * Deadlines (one timer for all its attempts), not a timer per attempt.
 */
export function attempt(transport: Transport, req: PreparedRequest): Promise<AttemptResult> {
  return req.signal === undefined ? attemptRacing(transport, req, same) : attemptAbortable(transport, req);
}

const same = (result: AttemptResult): AttemptResult => result;

/** The fetch init of an attempt (no signal); built without spreads (a hot path). */
function init(transport: Transport, req: PreparedRequest): RequestInit {
  const out: RequestInit & { duplex?: "half" } =
    transport.fetchOptions === undefined ? {} : { ...transport.fetchOptions };
  out.method = req.method;
  out.headers = req.headers;
  if (req.body !== undefined) {
    out.body = req.body;
    // A streamed upload needs half-duplex in Node's fetch (browsers ignore the member).
    if (typeof ReadableStream !== "undefined" && req.body instanceof ReadableStream) out.duplex = "half";
  }
  return out;
}

/**
 * Reads what the loop needs of an answer (nothing for a stream, the bytes or the text) and hands
 * it to `sink.settle`, at once when there is nothing to read; a failed read goes to `fail`.
 * Callbacks, not a promise: the racing attempt's hot path adopts no promise.
 */
function readAnswer(
  req: PreparedRequest,
  response: Response,
  sink: { settle(result: AttemptResult): void },
  fail: (err: unknown) => void,
): void {
  const empty = response.status === 204 || req.method === "HEAD";
  if (req.stream && response.ok) {
    sink.settle({ ok: true, response, text: undefined });
  } else if (req.bytes && response.ok) {
    if (empty) sink.settle({ ok: true, response, text: undefined, bytes: new Uint8Array(0) });
    else {
      response
        .arrayBuffer()
        .then((buffer) => sink.settle({ ok: true, response, text: undefined, bytes: new Uint8Array(buffer) }), fail);
    }
  } else if (empty) {
    sink.settle({ ok: true, response, text: "" });
  } else {
    response.text().then((text) => sink.settle({ ok: true, response, text }), fail);
  }
}

/** A failure of fetch itself (DNS, connection refused, reset) as the loop sees it. */
function connectionError(err: unknown): AttemptResult {
  const detail = err instanceof Error && err.message ? `: ${err.message}` : "";
  return { ok: false, error: new APIConnectionError(`Connection error${detail}`, { cause: err }) };
}

/**
 * An attempt whose timeout races the exchange. A timed-out attempt is abandoned: when its answer
 * still comes, the body is cancelled (which closes the connection); an answer that never comes,
 * or a body that stalls while it is read, holds its connection until the transport gives up
 * (Node's fetch: 300 s). Pass a `signal` for a hard abort. `req.signal` must be undefined.
 */
export function attemptRacing<T>(
  transport: Transport,
  req: PreparedRequest,
  finish: (result: AttemptResult) => T | PromiseLike<T>,
): Promise<T> {
  const racing = new RacingAttempt(transport, req, finish);
  // One promise settled by whichever comes first, the answer (read) or the deadline, with what
  // `finish` makes of the result (the caller's next step without a promise hop of its own).
  const promise = new Promise<T>((resolve, reject) => {
    racing.resolve = resolve;
    racing.reject = reject;
  });
  racing.start();
  return promise;
}

/**
 * One racing attempt's state, and its deadline: one object whose methods do what per-attempt
 * closures did (measured: fewer allocations per call). The body is read from its own promise
 * (no promise adopts another on the hot path: each adoption is two more microtasks).
 */
class RacingAttempt<T> implements Deadline {
  at = 0;
  timeout: number;
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  resolve: (value: T | PromiseLike<T>) => void = noop;
  reject: (reason: unknown) => void = noop;
  #settled = false;
  /** Whether the deadline was added to the client's list. */
  #timed: boolean;
  readonly #transport: Transport;
  readonly #req: PreparedRequest;
  readonly #finish: (result: AttemptResult) => T | PromiseLike<T>;
  readonly #fail = (err: unknown): void => this.settle(connectionError(err));

  constructor(transport: Transport, req: PreparedRequest, finish: (result: AttemptResult) => T | PromiseLike<T>) {
    this.#transport = transport;
    this.#req = req;
    this.#finish = finish;
    this.timeout = req.timeout;
    this.#timed = hasTimeout(req);
  }

  start(): void {
    if (this.#timed) {
      this.at = Date.now() + this.timeout;
      this.#transport.deadlines.add(this);
    }
    let exchange: Promise<Response>;
    try {
      exchange = this.#transport.fetch(this.#req.url, init(this.#transport, this.#req));
    } catch (err) {
      if (this.#timed) this.#transport.deadlines.delete(this);
      this.#settled = true;
      this.reject(err);
      return;
    }
    exchange.then((response) => this.#answer(response), this.#fail);
  }

  expire(): void {
    this.#settled = true;
    this.#done({ ok: false, error: new APITimeoutError() });
  }

  #answer(response: Response): void {
    if (this.#settled) {
      // Timed out before the answer came: drop it (cancelling the body closes the connection).
      response.body?.cancel().catch(noop);
      return;
    }
    readAnswer(this.#req, response, this, this.#fail);
  }

  /** The attempt's result (the answer read, or a connection error), unless the deadline came first. */
  settle(result: AttemptResult): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#timed) this.#transport.deadlines.delete(this);
    this.#done(result);
  }

  /** `finish` may throw (a body that does not parse): the promise rejects with it. */
  #done(result: AttemptResult): void {
    try {
      this.resolve(this.#finish(result));
    } catch (err) {
      this.reject(err);
    }
  }
}

const noop = (): void => {};

/** An attempt with a per-attempt timeout linked to the caller's signal, aborted for real. */
async function attemptAbortable(transport: Transport, req: PreparedRequest): Promise<AttemptResult> {
  const controller = new AbortController();
  const userSignal = req.signal;
  let timedOut = false;
  const onUserAbort = (): void => controller.abort(userSignal?.reason);
  userSignal?.addEventListener("abort", onUserAbort, { once: true });
  const deadline: Deadline | undefined = hasTimeout(req)
    ? {
        at: Date.now() + req.timeout,
        timeout: req.timeout,
        prev: undefined,
        next: undefined,
        expire() {
          timedOut = true;
          controller.abort(new APITimeoutError());
        },
      }
    : undefined;
  if (deadline !== undefined) transport.deadlines.add(deadline);
  let keepUserLink = false;
  try {
    const response = await transport.fetch(req.url, { ...init(transport, req), signal: controller.signal });
    // The stream reader owns the body now: the timeout stops, the caller's signal still aborts it.
    if (req.stream && response.ok) keepUserLink = true;
    return await new Promise<AttemptResult>((resolve, reject) =>
      readAnswer(req, response, { settle: resolve }, reject),
    );
  } catch (err) {
    if (userSignal?.aborted) throw new APIUserAbortError(undefined, { cause: err });
    if (timedOut) return { ok: false, error: new APITimeoutError(undefined, { cause: err }) };
    return connectionError(err);
  } finally {
    if (deadline !== undefined) transport.deadlines.delete(deadline);
    if (!keepUserLink) userSignal?.removeEventListener("abort", onUserAbort);
  }
}
