import { jitter, type RandomSource } from "../internal/retry.ts";
import { APIConnectionError, APIError, WebSocketClosedError } from "./errors.ts";
import type { Logger } from "./options.ts";

/** The subset of the WHATWG WebSocket the client uses; the global `WebSocket` fits. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open", listener: (event: unknown) => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: "error", listener: (event: unknown) => void): void;
}

/**
 * A socket that can send WebSocket ping frames and reports pongs, as the `ws` package's does.
 * The WHATWG WebSocket (browsers, Node's global `WebSocket`) has no ping.
 */
export interface PingableWebSocket extends WebSocketLike {
  ping(): void;
  on(event: "pong", listener: () => void): unknown;
}

function canPing(socket: WebSocketLike): socket is PingableWebSocket {
  const s = socket as Partial<PingableWebSocket>;
  return typeof s.ping === "function" && typeof s.on === "function";
}

/** A protocol without heartbeats: how long a connection may be silent before the client pings. */
export const DEFAULT_PING_INTERVAL_MS = 30_000;
/** How long a ping may go unanswered (a pong or any frame) before the connection is dropped. */
export const DEFAULT_PONG_TIMEOUT_MS = 10_000;
/**
 * A protocol with heartbeats whose welcome does not say their interval: how long a connection may
 * be silent before it is dropped and resumed (the Rust runtime's default too).
 */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 60_000;

/** Creates a socket; inject one to add headers (Node), use a library, or test with a fake. */
export type WebSocketFactory = (url: string, protocols?: string | string[]) => WebSocketLike;

/** The message-type names of the protocol, supplied by generated code. */
export interface WebSocketProtocol<S> {
  /** The discriminator member of every message. Default `type`. */
  typeField?: string | undefined;
  /** The server's first message on each connection; receiving it resets the reconnect backoff. */
  welcomeType: string;
  /** The server's keep-alive message type (tracked, never answered). */
  heartbeatType?: string | undefined;
  /** The client message type that sets the subscription; the last one is re-sent on reconnect. */
  subscribeType: string;
  /** The member of the subscribe message that carries the resume id. */
  lastEventIdField: string;
  /** The event id carried by a server message, or undefined when it is not an event. */
  eventId: (message: S) => string | undefined;
  /** Close codes after which the client does not reconnect. Default 4001 and 4003. */
  finalCloseCodes?: readonly number[] | undefined;
}

export interface ReconnectingWebSocketOptions<C, S> {
  /** The ws:// or wss:// URL, or a function giving it per connection (fresh credentials). */
  url: string | (() => string);
  protocols?: string | string[] | undefined;
  protocol: WebSocketProtocol<S>;
  /** Default: the global `WebSocket`. */
  createWebSocket?: WebSocketFactory | undefined;
  /** Called on every new connection before the subscription is re-sent (for example to authenticate). */
  onOpen?: ((send: (message: C) => void) => void) | undefined;
  /** Turns a parsed JSON frame into a server message. Default: passes JSON through. */
  decode?: ((json: unknown) => S) | undefined;
  /**
   * Drop and reconnect when no frame arrives for this long (ms); a function reads it from `welcome`.
   * Default, for a protocol with heartbeats: `DEFAULT_HEARTBEAT_TIMEOUT_MS` (also when the
   * function finds nothing in the welcome). 0 turns it off.
   */
  heartbeatTimeoutMs?: number | ((welcome: S) => number | undefined) | undefined;
  /**
   * After this long without a frame (ms) the client checks the connection is alive: a socket that
   * can ping (the `ws` package's, given through `createWebSocket`) sends a WebSocket ping, and
   * the connection is dropped and resumed when neither its pong nor any frame follows within
   * `pongTimeoutMs`. A WHATWG WebSocket (browsers, Node's global one) cannot ping: there the
   * same silence, `pingIntervalMs + pongTimeoutMs`, drops the connection (an idle timeout; a
   * quiet but healthy connection is re-opened then). Default: `DEFAULT_PING_INTERVAL_MS` for a
   * protocol without heartbeats (so a half-open connection never hangs), off for a protocol with
   * heartbeats (`heartbeatTimeoutMs` covers those). 0 turns it off.
   */
  pingIntervalMs?: number | undefined;
  /** How long a ping may go unanswered (ms). Default `DEFAULT_PONG_TIMEOUT_MS`. */
  pongTimeoutMs?: number | undefined;
  initialReconnectDelayMs?: number | undefined;
  maxReconnectDelayMs?: number | undefined;
  /** Consecutive failed connections before giving up with APIConnectionError. Default unlimited. */
  maxReconnects?: number | undefined;
  random?: RandomSource | undefined;
  dedupeWindow?: number | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
}

const OPEN = 1;
const DONE: unique symbol = Symbol("done");

/** http(s):// → ws(s)://, for URLs built by the HTTP client. */
export function toWebSocketURL(url: string): string {
  return url.replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s}://`);
}

/**
 * A reconnecting JSON WebSocket client typed by the client (`C`) and server (`S`) message unions.
 * Iterate it with `for await` for server messages; `send()` queues while disconnected. It reconnects
 * with backoff (reset after the welcome message), re-sends the last subscribe message with the last
 * event id, skips events already delivered, and ends with `WebSocketClosedError` on a final close code.
 */
export class ReconnectingWebSocket<C extends object, S extends object> implements AsyncIterable<S> {
  readonly #options: ReconnectingWebSocketOptions<C, S>;
  readonly #typeField: string;
  readonly #seen = new Set<string>();
  readonly #inbox: S[] = [];
  readonly #outbox: string[] = [];
  #waiter: { resolve: (value: S | typeof DONE) => void; reject: (err: unknown) => void } | undefined;
  #socket: WebSocketLike | undefined;
  #subscription: C | undefined;
  #lastEventId: string | undefined;
  #failures = 0;
  #started = false;
  #finished = false;
  #error: unknown;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #keepalive: ReturnType<typeof setTimeout> | undefined;
  #heartbeatTimeout: number | undefined;
  #lastHeartbeatAt: number | undefined;

  constructor(options: ReconnectingWebSocketOptions<C, S>) {
    this.#options = options;
    this.#typeField = options.protocol.typeField ?? "type";
    this.#heartbeatTimeout =
      typeof options.heartbeatTimeoutMs === "number"
        ? options.heartbeatTimeoutMs
        : options.protocol.heartbeatType === undefined
          ? undefined
          : DEFAULT_HEARTBEAT_TIMEOUT_MS;
    options.signal?.addEventListener("abort", () => this.close(), { once: true });
  }

  /** The id of the last event delivered. */
  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  /** When the last heartbeat arrived (ms since epoch). */
  get lastHeartbeatAt(): number | undefined {
    return this.#lastHeartbeatAt;
  }

  /** Whether a connection is open right now. */
  get connected(): boolean {
    return this.#socket?.readyState === OPEN;
  }

  /** Opens the connection (iteration and send() do this too). */
  connect(): void {
    if (this.#started || this.#finished) return;
    this.#started = true;
    if (this.#options.signal?.aborted) {
      this.close();
      return;
    }
    this.#open();
  }

  /** Sends a client message now, or as soon as connected. A subscribe message is remembered for reconnects. */
  send(message: C): void {
    if (this.#finished) throw new APIError("The WebSocket client is closed.");
    const isSubscribe = (message as Record<string, unknown>)[this.#typeField] === this.#options.protocol.subscribeType;
    if (isSubscribe) this.#subscription = message;
    this.connect();
    const socket = this.#socket;
    if (socket?.readyState === OPEN) socket.send(JSON.stringify(message));
    else if (!isSubscribe) this.#outbox.push(JSON.stringify(message)); // A subscribe is sent on open anyway.
  }

  /** Closes the connection for good; iteration ends without error. */
  close(code = 1000, reason = ""): void {
    if (this.#finished) return;
    const socket = this.#socket;
    this.#socket = undefined;
    try {
      socket?.close(code, reason);
    } catch {
      // already closing
    }
    this.#finish(undefined);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<S, void, undefined> {
    this.connect();
    try {
      for (;;) {
        const message = await this.#next();
        if (message === DONE) return;
        yield message;
      }
    } finally {
      this.close();
    }
  }

  #next(): Promise<S | typeof DONE> {
    const queued = this.#inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#finished) return this.#error === undefined ? Promise.resolve(DONE) : Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  #deliver(message: S): void {
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve(message);
    } else {
      this.#inbox.push(message);
    }
  }

  #finish(error: unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#error = error;
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#watchdog);
    clearTimeout(this.#keepalive);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter && this.#inbox.length === 0) {
      if (error === undefined) waiter.resolve(DONE);
      else waiter.reject(error);
    }
  }

  #open(): void {
    const opts = this.#options;
    const url = typeof opts.url === "function" ? opts.url() : opts.url;
    let socket: WebSocketLike;
    try {
      const factory: WebSocketFactory =
        opts.createWebSocket ??
        ((u, p) => {
          const Ctor = (globalThis as { WebSocket?: new (u: string, p?: string | string[]) => WebSocketLike })
            .WebSocket;
          if (!Ctor) throw new APIError("No global WebSocket: pass `createWebSocket`.");
          return new Ctor(u, p);
        });
      socket = factory(url, opts.protocols);
    } catch (err) {
      this.#finish(
        err instanceof APIError ? err : new APIConnectionError("Could not open the WebSocket", { cause: err }),
      );
      return;
    }
    this.#socket = socket;
    if (canPing(socket)) {
      socket.on("pong", () => {
        if (socket === this.#socket) this.#armKeepalive();
      });
    }

    socket.addEventListener("open", () => {
      if (socket !== this.#socket) return;
      const send = (message: C): void => socket.send(JSON.stringify(message));
      opts.onOpen?.(send);
      if (this.#subscription !== undefined) {
        const resume =
          this.#lastEventId === undefined
            ? this.#subscription
            : { ...this.#subscription, [opts.protocol.lastEventIdField]: this.#lastEventId };
        send(resume as C);
      }
      for (const frame of this.#outbox.splice(0)) socket.send(frame);
      this.#armWatchdog();
      this.#armKeepalive();
    });

    socket.addEventListener("message", (event) => {
      if (socket !== this.#socket) return;
      // Any frame proves the connection alive.
      this.#armKeepalive();
      if (typeof event.data !== "string") return;
      this.#armWatchdog();
      let message: S;
      try {
        const json = JSON.parse(event.data) as unknown;
        message = opts.decode ? opts.decode(json) : (json as S);
      } catch (err) {
        opts.logger?.warn?.("Ignoring an undecodable WebSocket frame", err);
        return;
      }
      const type = (message as Record<string, unknown>)[this.#typeField];
      if (type === opts.protocol.welcomeType) {
        this.#failures = 0;
        if (typeof opts.heartbeatTimeoutMs === "function") {
          this.#heartbeatTimeout =
            opts.heartbeatTimeoutMs(message) ??
            (opts.protocol.heartbeatType === undefined ? undefined : DEFAULT_HEARTBEAT_TIMEOUT_MS);
          this.#armWatchdog();
        }
      } else if (opts.protocol.heartbeatType !== undefined && type === opts.protocol.heartbeatType) {
        this.#lastHeartbeatAt = Date.now();
      }
      const id = opts.protocol.eventId(message);
      if (id !== undefined) {
        if (this.#seen.has(id)) return;
        this.#seen.add(id);
        if (this.#seen.size > (opts.dedupeWindow ?? 10_000)) {
          const oldest = this.#seen.values().next().value;
          if (oldest !== undefined) this.#seen.delete(oldest);
        }
        this.#lastEventId = id;
      }
      this.#deliver(message);
    });

    socket.addEventListener("close", (event) => {
      if (socket !== this.#socket) return;
      this.#socket = undefined;
      clearTimeout(this.#watchdog);
      clearTimeout(this.#keepalive);
      const finalCodes = opts.protocol.finalCloseCodes ?? [4001, 4003];
      if (finalCodes.includes(event.code)) {
        this.#finish(new WebSocketClosedError(event.code, event.reason));
        return;
      }
      this.#scheduleReconnect(`closed with code ${event.code}`);
    });

    socket.addEventListener("error", () => {
      // A "close" event always follows; reconnection is decided there.
    });
  }

  #scheduleReconnect(why: string): void {
    if (this.#finished) return;
    const opts = this.#options;
    this.#failures++;
    if (this.#failures > (opts.maxReconnects ?? Number.POSITIVE_INFINITY)) {
      this.#finish(new APIConnectionError(`WebSocket ${why}; gave up after ${opts.maxReconnects} reconnects`));
      return;
    }
    const base = opts.initialReconnectDelayMs ?? 1000;
    const max = opts.maxReconnectDelayMs ?? 30_000;
    const delay = Math.min(base * 2 ** (this.#failures - 1), max) * jitter(opts.random ?? Math.random);
    opts.logger?.info?.(`WebSocket ${why}; reconnecting in ${Math.round(delay)} ms`, {
      lastEventId: this.#lastEventId,
    });
    this.#reconnectTimer = setTimeout(() => {
      if (!this.#finished) this.#open();
    }, delay);
  }

  #armWatchdog(): void {
    clearTimeout(this.#watchdog);
    const timeout = this.#heartbeatTimeout;
    if (timeout === undefined || !(timeout > 0) || this.#finished) return;
    this.#watchdog = setTimeout(() => this.#drop("heartbeat timeout", "went silent"), timeout);
  }

  /** The ping interval: the option, else on for a protocol without heartbeats. */
  #pingInterval(): number {
    const { pingIntervalMs, protocol } = this.#options;
    if (pingIntervalMs !== undefined) return pingIntervalMs;
    return protocol.heartbeatType === undefined ? DEFAULT_PING_INTERVAL_MS : 0;
  }

  /** Restarts the silence timer: ping (when the socket can) after the interval, drop after the pong timeout. */
  #armKeepalive(): void {
    clearTimeout(this.#keepalive);
    const interval = this.#pingInterval();
    if (!(interval > 0) || this.#finished) return;
    const pongTimeout = this.#options.pongTimeoutMs ?? DEFAULT_PONG_TIMEOUT_MS;
    this.#keepalive = setTimeout(() => {
      const socket = this.#socket;
      if (socket === undefined || socket.readyState !== OPEN) return;
      const pinged = canPing(socket);
      if (pinged) {
        try {
          socket.ping();
        } catch {
          // closing: the close event decides
        }
      }
      this.#keepalive = setTimeout(
        () => this.#drop("keepalive timeout", pinged ? "did not answer a ping" : "went silent"),
        pongTimeout,
      );
    }, interval);
  }

  /** Closes a connection found dead (code 4000) and reconnects. */
  #drop(reason: string, why: string): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = undefined;
    clearTimeout(this.#watchdog);
    clearTimeout(this.#keepalive);
    try {
      socket.close(4000, reason);
    } catch {
      // ignore
    }
    this.#scheduleReconnect(why);
  }
}
