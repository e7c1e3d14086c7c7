import {
  DEFAULT_MAX_RETRY_AFTER_MS,
  isRetryableResponse,
  jitter,
  type RandomSource,
  retryAfterMs,
} from "../internal/retry.ts";
import { sleep } from "../internal/sleep.ts";
import { APIConnectionError, APIError, APIStatusError, APIUserAbortError, EventStreamError } from "./errors.ts";
import type { Logger } from "./options.ts";

/** One dispatched Server-Sent Events message. */
export interface ServerSentEvent {
  /** The `event:` field, or `message` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The `id:` field when this message carried one (non-empty). */
  id: string | undefined;
  /** The last event id in force when the message was dispatched (persists across messages). */
  lastEventId: string;
}

/**
 * An incremental WHATWG Server-Sent Events parser. Feed it bytes (or text) split anywhere, even
 * inside a multi-byte UTF-8 character or between the CR and LF of a CRLF; it returns the messages
 * each chunk completes. A leading BOM is skipped; an unterminated last message is discarded.
 */
export class SSEParser {
  readonly #decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  #started = false;
  #line = "";
  #pendingCR = false;
  #data = "";
  #eventType = "";
  #messageId: string | undefined;
  /** The id buffer: set by `id:` lines, committed to `#lastEventId` only when a block is dispatched. */
  #idBuffer: string;
  #lastEventId: string;
  #retry: number | undefined;
  #comments = 0;

  constructor(lastEventId = "") {
    this.#idBuffer = lastEventId;
    this.#lastEventId = lastEventId;
  }

  /**
   * The last event id of a completed block (also one without data). An `id:` line of a message
   * that is still incomplete does not count, so resuming never skips that message.
   */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** The reconnection time (ms) from the last valid `retry:` field, if any. */
  get retry(): number | undefined {
    return this.#retry;
  }

  /** How many comment lines were seen (keep-alives). */
  get comments(): number {
    return this.#comments;
  }

  /** Parses one chunk; returns the messages it completed. */
  feed(chunk: Uint8Array | string): ServerSentEvent[] {
    const text = typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    return this.#feedText(text);
  }

  /** Flushes the decoder at end of stream. A message without its terminating blank line is dropped. */
  end(): ServerSentEvent[] {
    const out = this.#feedText(this.#decoder.decode());
    this.#line = "";
    this.#data = "";
    this.#eventType = "";
    this.#messageId = undefined;
    return out;
  }

  #feedText(input: string): ServerSentEvent[] {
    let text = input;
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.#pendingCR && text.length > 0) {
      this.#pendingCR = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    const out: ServerSentEvent[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = this.#line + text.slice(start, i);
      this.#line = "";
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          this.#pendingCR = true;
        }
      }
      start = i + 1;
      const message = this.#processLine(line);
      if (message) out.push(message);
    }
    this.#line += text.slice(start);
    return out;
  }

  #processLine(line: string): ServerSentEvent | undefined {
    if (line === "") return this.#dispatch();
    if (line.charCodeAt(0) === 58 /* : */) {
      this.#comments++;
      return undefined;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* space */) value = value.slice(1);
    switch (field) {
      case "event":
        this.#eventType = value;
        break;
      case "data":
        this.#data += `${value}\n`;
        break;
      case "id":
        if (!value.includes("\0")) {
          this.#idBuffer = value;
          this.#messageId = value === "" ? undefined : value;
        }
        break;
      case "retry":
        if (/^[0-9]+$/.test(value)) this.#retry = Number.parseInt(value, 10);
        break;
      default:
        break;
    }
    return undefined;
  }

  #dispatch(): ServerSentEvent | undefined {
    const data = this.#data;
    const event = this.#eventType;
    const id = this.#messageId;
    this.#lastEventId = this.#idBuffer;
    this.#data = "";
    this.#eventType = "";
    this.#messageId = undefined;
    if (data === "") return undefined;
    return { event: event || "message", data: data.slice(0, -1), id, lastEventId: this.#lastEventId };
  }
}

/** Configures an EventStream. Generated code supplies `decode`; the client supplies `connect`. */
export interface EventStreamOptions<T> {
  /** Opens one connection, sending `lastEventId` as `Last-Event-ID` when defined. Throws typed errors. */
  connect: (lastEventId: string | undefined, signal: AbortSignal) => Promise<Response>;
  /** Turns a message into a value; `undefined` skips it. Default: `JSON.parse(message.data)`. */
  decode?: ((message: ServerSentEvent) => T | undefined) | undefined;
  /** Resume after this event id from the start. */
  lastEventId?: string | undefined;
  /** Aborting it closes the stream; iteration then throws `APIUserAbortError`. */
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  /** First reconnect delay (ms), default 1000; a server `retry:` replaces it. */
  initialReconnectDelayMs?: number | undefined;
  /** Reconnect delay ceiling (ms), default 30 000. */
  maxReconnectDelayMs?: number | undefined;
  /** Consecutive failed reconnects before giving up. Default unlimited. */
  maxReconnects?: number | undefined;
  /** Jitter source, default Math.random. */
  random?: RandomSource | undefined;
  /** How many delivered ids are remembered for de-duplication. Default 10 000. */
  dedupeWindow?: number | undefined;
}

/**
 * A typed, self-healing Server-Sent Events stream: `for await (const event of stream)`. On a
 * dropped connection or a retryable status it reconnects with backoff and `Last-Event-ID`, skips
 * ids it already delivered, and ends with the typed error on a non-retryable status. Breaking out of
 * the loop or calling `close()` closes the connection. It can be iterated once.
 */
export class EventStream<T> implements AsyncIterable<T> {
  readonly #options: EventStreamOptions<T>;
  readonly #controller = new AbortController();
  readonly #seen = new Set<string>();
  #lastEventId: string | undefined;
  #closed = false;
  #iterated = false;

  constructor(options: EventStreamOptions<T>) {
    this.#options = options;
    this.#lastEventId = options.lastEventId;
    const signal = options.signal;
    if (signal) {
      if (signal.aborted) this.#controller.abort(signal.reason);
      else signal.addEventListener("abort", () => this.#controller.abort(signal.reason), { once: true });
    }
  }

  /** The id of the last event seen; pass it as `lastEventId` to resume in a later stream. */
  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  /** Closes the connection; a pending iteration ends without error. */
  close(): void {
    this.#closed = true;
    this.#controller.abort(new APIUserAbortError("Stream closed."));
  }

  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    if (this.#iterated) throw new APIError("An EventStream can be iterated only once.");
    this.#iterated = true;
    return this.#run();
  }

  async *#run(): AsyncGenerator<T, void, undefined> {
    const opts = this.#options;
    const signal = this.#controller.signal;
    const decode = opts.decode ?? ((m: ServerSentEvent) => JSON.parse(m.data) as T);
    let baseDelay = opts.initialReconnectDelayMs ?? 1000;
    const maxDelay = opts.maxReconnectDelayMs ?? 30_000;
    const maxReconnects = opts.maxReconnects ?? Number.POSITIVE_INFINITY;
    const random = opts.random ?? Math.random;
    const window = opts.dedupeWindow ?? 10_000;
    let failures = 0;

    try {
      for (;;) {
        this.#checkAborted();
        if (this.#closed) return;
        let response: Response | undefined;
        let serverDelay: number | undefined;
        let failure: unknown;
        try {
          response = await opts.connect(this.#lastEventId, signal);
        } catch (err) {
          if (this.#closed) return;
          this.#checkAborted();
          if (!isRetryableStreamError(err)) throw err;
          failure = err;
          if (err instanceof APIStatusError) {
            serverDelay = retryAfterMs(err.headers);
            // Longer than the client would wait for any request: the stream ends with the error.
            if (serverDelay !== undefined && serverDelay > DEFAULT_MAX_RETRY_AFTER_MS) throw err;
            if (serverDelay === 0) serverDelay = undefined;
          }
        }

        if (response) {
          if (response.status === 204) return; // The server asks the client to stop.
          const reader = response.body?.getReader();
          const parser = new SSEParser(this.#lastEventId ?? "");
          if (reader) {
            try {
              for (;;) {
                const { done, value } = await reader.read();
                if (done) break;
                for (const message of parser.feed(value)) {
                  failures = 0;
                  if (message.lastEventId !== "") this.#lastEventId = message.lastEventId;
                  if (message.id !== undefined) {
                    if (this.#seen.has(message.id)) continue;
                    this.#seen.add(message.id);
                    if (this.#seen.size > window) {
                      const oldest = this.#seen.values().next().value;
                      if (oldest !== undefined) this.#seen.delete(oldest);
                    }
                  }
                  if (message.event === "error" && message.id === undefined) {
                    // The server ends the stream (the contract's StreamErrorEvent): resume from
                    // the last id when the code allows it, else end with the typed error.
                    const ended = streamErrorOf(message.data);
                    if (!ended.resumable) throw ended;
                    failure = ended;
                    continue;
                  }
                  let decoded: T | undefined;
                  try {
                    decoded = decode(message);
                  } catch (cause) {
                    throw new APIError(`Could not decode the "${message.event}" event`, { cause });
                  }
                  if (decoded !== undefined) yield decoded;
                }
                if (parser.lastEventId !== "") this.#lastEventId = parser.lastEventId;
                if (parser.retry !== undefined) baseDelay = parser.retry;
              }
              parser.end();
            } catch (err) {
              if (this.#closed) return;
              this.#checkAborted();
              if (err instanceof APIError) throw err;
              failure = err;
            } finally {
              reader.cancel().catch(() => undefined);
            }
          }
          failure ??= new APIConnectionError("The event stream ended.");
        }

        failures++;
        if (failures > maxReconnects) throw failure;
        const delay = serverDelay ?? Math.min(baseDelay * 2 ** (failures - 1), maxDelay) * jitter(random);
        opts.logger?.info?.(`Event stream reconnecting in ${Math.round(delay)} ms`, {
          lastEventId: this.#lastEventId,
          reason: failure instanceof Error ? failure.message : String(failure),
        });
        try {
          await sleep(delay, signal);
        } catch {
          if (this.#closed) return;
          this.#checkAborted();
        }
      }
    } finally {
      if (!this.#controller.signal.aborted) this.#controller.abort(new APIUserAbortError("Stream closed."));
    }
  }

  #checkAborted(): void {
    if (this.#controller.signal.aborted && !this.#closed) {
      throw new APIUserAbortError(undefined, { cause: this.#controller.signal.reason });
    }
  }
}

/** The `error` event's data as a typed error (a body that is not the contract's still ends the stream resumably). */
function streamErrorOf(data: string): EventStreamError {
  try {
    const body = JSON.parse(data) as { code?: unknown; message?: unknown };
    const code = typeof body.code === "string" ? body.code : "UNKNOWN";
    return new EventStreamError(code, typeof body.message === "string" ? body.message : "");
  } catch {
    return new EventStreamError("UNKNOWN", data.slice(0, 200));
  }
}

function isRetryableStreamError(err: unknown): boolean {
  if (err instanceof APIStatusError) return isRetryableResponse(err.status, err.headers);
  return err instanceof APIConnectionError;
}
