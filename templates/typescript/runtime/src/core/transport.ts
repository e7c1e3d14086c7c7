// One attempt of a request over fetch: the timeout raced against the exchange (no signal handed
// to fetch on the hot path) or, with a caller's signal, a real abort. The retry loop (client.ts)
// decides what happens next.
import { APIConnectionError, APITimeoutError, APIUserAbortError, type DeclaredErrors } from "./errors.ts";
import type { Fetch } from "./options.ts";

/** The transport of a client: its fetch and the extra RequestInit members of every call. */
export interface Transport {
  fetch: Fetch;
  fetchOptions: RequestInit | undefined;
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
}

export type AttemptResult =
  | { ok: true; response: Response; text: string | undefined; bytes?: Uint8Array | undefined }
  | { ok: false; error: APIConnectionError };

const MAX_TIMER_MS = 2_147_483_647;

/**
 * One attempt. Without a caller's signal, fetch gets none: handing fetch an AbortSignal costs
 * about 8 µs per call in Node's fetch (measured: a shared long-lived signal costs the same), so
 * the timeout races the exchange instead (see attemptRacing). With a signal, the attempt is
 * aborted for real on timeout or abort.
 */
export function attempt(transport: Transport, req: PreparedRequest): Promise<AttemptResult> {
  return req.signal === undefined ? attemptRacing(transport, req) : attemptAbortable(transport, req);
}

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

/** Reads what the loop needs of an answer: nothing for a stream, the bytes or the text. */
async function read(req: PreparedRequest, response: Response): Promise<AttemptResult> {
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
function attemptRacing(transport: Transport, req: PreparedRequest): Promise<AttemptResult> {
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
    transport
      .fetch(req.url, init(transport, req))
      .then((response) => {
        if (settled) {
          // Timed out before the answer came: drop it (cancelling the body closes the connection).
          response.body?.cancel().catch(() => {});
          return undefined;
        }
        return read(req, response);
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
async function attemptAbortable(transport: Transport, req: PreparedRequest): Promise<AttemptResult> {
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
    const response = await transport.fetch(req.url, { ...init(transport, req), signal: controller.signal });
    // The stream reader owns the body now: the timeout stops, the caller's signal still aborts it.
    if (req.stream && response.ok) keepUserLink = true;
    return await read(req, response);
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
