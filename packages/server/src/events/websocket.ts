// The WebSocket protocol of the contract (WsClientMessage / WsServerMessage): welcome, auth,
// subscribe with filters and resume, ping/pong, heartbeat, stats, errors. Bad input gets an
// `error` message; the connection survives it. Frame faults and internal errors close only the
// connection concerned (1009/1007/1002 from ws, 1011), each logged once with the request id.
import type { IncomingMessage } from "node:http";
import type { WebSocket } from "ws";
import type { Log } from "../http/observe.ts";
import { RateLimiter } from "../http/rate-limit.ts";
import type { Store } from "../store/types.ts";
import type { EventDispatcher } from "./dispatcher.ts";
import { EventsExpiredError, Feed, InvalidEventIdError, UnknownEventIdError } from "./feed.ts";
import { eventFilter } from "./filter.ts";
import { RemoteSink, RemoteSocket } from "./remote-socket.ts";
import { WebSocketSink, type WebSocketSinkHooks } from "./ws-sink.ts";

export { CLOSE_SLOW_CONSUMER } from "./ws-sink.ts";
export const CLOSE_AUTH_FAILED = 4001;
export const CLOSE_FORBIDDEN_ORIGIN = 4003;
export const CLOSE_HEARTBEAT_TIMEOUT = 4008;
export const CLOSE_RATE_LIMITED = 4029;
/** The send buffer of a connection by default (the setting is `event-send-buffer`). */
export const DEFAULT_SEND_BUFFER_BYTES = 1024 * 1024;
/** Messages accepted but not yet handled, per connection, before it counts as flooding (4029). */
const MAX_QUEUED_MESSAGES = 256;
/** The contract's maxItems for `sequence_ids`. */
const MAX_SEQUENCE_IDS = 1000;

const eventTypes = new Set([
  "sequence.created",
  "sequence.updated",
  "sequence.deleted",
  "beat.added",
  "beat.updated",
  "beat.moved",
  "beat.removed",
  "command.undone",
  "command.redone",
]);

export interface WebSocketOptions {
  store: Store;
  dispatcher: EventDispatcher;
  /**
   * Resolves a token (API key) to its project; null when it is unknown; `retryAfterSeconds` when
   * the client (this upgrade request's address) may not present keys now: closed with 4029.
   */
  authenticate: (
    token: string,
    request: IncomingMessage,
  ) => Promise<{ projectId: string } | { retryAfterSeconds: number } | null>;
  allowedOrigins: readonly string[];
  heartbeatMs?: number;
  authTimeoutMs?: number;
  messagesPerSecond?: number;
  /** Unsent bytes a connection may have before it is closed as a slow consumer (4009). */
  sendBufferBytes?: number;
  /** Where protocol faults and unexpected errors of a connection are logged (once each). */
  log?: Log;
  onOpen?: () => void;
  onClose?: () => void;
  onSlowConsumer?: () => void;
}

type Defaulted = "heartbeatMs" | "authTimeoutMs" | "messagesPerSecond" | "sendBufferBytes";

export class WebSocketHub {
  readonly #options: WebSocketOptions & Required<Pick<WebSocketOptions, Defaulted>>;
  #connections = 0;
  #eventsSent = 0;
  #nextSession = 1;

  constructor(options: WebSocketOptions) {
    this.#options = {
      heartbeatMs: 30_000,
      authTimeoutMs: 10_000,
      messagesPerSecond: 100,
      sendBufferBytes: DEFAULT_SEND_BUFFER_BYTES,
      ...options,
    };
  }

  get connections(): number {
    return this.#connections;
  }

  /** Serves one accepted connection until it closes; `upgradeRequestId` names it in logs. */
  accept(socket: WebSocket, request: IncomingMessage, upgradeRequestId = "-"): void {
    const options = this.#options;
    // First of all: a WebSocket without an error listener takes the process down on the first
    // bad frame. ws has already closed the connection with the fault's code when this runs.
    socket.on("error", (error: Error & { code?: string }) => {
      options.log?.({
        level: "warn",
        msg: "websocket closed on a protocol error",
        request_id: upgradeRequestId,
        close_code: closeCodeOf(error),
        error: error.code ?? error.message,
      });
    });
    const origin = request.headers.origin;
    if (origin !== undefined && !options.allowedOrigins.includes(origin)) {
      socket.close(CLOSE_FORBIDDEN_ORIGIN, "origin not allowed");
      return;
    }
    this.#connections++;
    options.onOpen?.();
    const session = `ws_${(this.#nextSession++).toString(36)}`;
    const limiter = new RateLimiter({
      capacity: options.messagesPerSecond,
      refillPerSecond: options.messagesPerSecond,
    });
    let projectId: string | null = null;
    let subscription: { feed: Feed; sink: WebSocketSink | RemoteSink } | null = null;
    let eventsSent = 0;
    let lastSeen = Date.now();
    let refusedInARow = 0;
    let queued = 0;

    const send = (message: Record<string, unknown>) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const error = (code: string, message: string, requestId?: unknown) =>
      send({ type: "error", ...(typeof requestId === "string" ? { request_id: requestId } : {}), code, message });
    const unsubscribe = () => {
      subscription?.feed.close();
      subscription?.sink.close();
      subscription = null;
    };
    // An unexpected fault (the database failing mid-request, say) closes this connection with
    // 1011, logged once; the client reconnects and resumes. It never reaches the process.
    const fail = (reason: unknown) => {
      options.log?.({
        level: "error",
        msg: "websocket closed on an internal error",
        request_id: upgradeRequestId,
        close_code: 1011,
        error: String(reason),
      });
      if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) {
        socket.close(1011, "internal error");
      }
    };

    const heartbeat = setInterval(() => {
      if (Date.now() - lastSeen > 2 * options.heartbeatMs) {
        socket.close(CLOSE_HEARTBEAT_TIMEOUT, "heartbeat timeout");
        return;
      }
      send({ type: "heartbeat", server_time: new Date().toISOString() });
      if (socket.readyState === socket.OPEN) socket.ping();
    }, options.heartbeatMs);
    let authTimer: NodeJS.Timeout | undefined;

    socket.on("pong", () => {
      lastSeen = Date.now();
    });
    socket.on("close", () => {
      clearInterval(heartbeat);
      clearTimeout(authTimer);
      unsubscribe();
      this.#connections--;
      options.onClose?.();
    });

    // An unknown key is final (4001); too many from the client's address, 4029 (retry later).
    const refuse = (refusal: { retryAfterSeconds: number } | null) =>
      refusal === null
        ? socket.close(CLOSE_AUTH_FAILED, "authentication failed")
        : socket.close(CLOSE_RATE_LIMITED, `too many unknown keys; retry after ${refusal.retryAfterSeconds} s`);
    const token = tokenOf(request);
    const start = async () => {
      if (token !== null) {
        const principal = await options.authenticate(token, request);
        if (principal === null || !("projectId" in principal)) return refuse(principal);
        projectId = principal.projectId;
      } else {
        authTimer = setTimeout(() => {
          if (projectId === null) socket.close(CLOSE_AUTH_FAILED, "authentication required");
        }, options.authTimeoutMs);
      }
      send({
        type: "welcome",
        session_id: session,
        server_time: new Date().toISOString(),
        heartbeat_interval_ms: options.heartbeatMs,
        authenticated: projectId !== null,
      });
    };

    const subscribe = async (m: Record<string, unknown>, requestId: unknown, echo: Record<string, string>) => {
      if (projectId === null) return error("UNAUTHENTICATED", "Send auth first.", requestId);
      const types = stringList(m.event_types);
      const sequences = stringList(m.sequence_ids);
      const last = m.last_event_id;
      if (types === null || sequences === null || (last !== undefined && typeof last !== "string")) {
        return error(
          "INVALID_MESSAGE",
          "event_types and sequence_ids are string lists; last_event_id a string.",
          requestId,
        );
      }
      if (sequences.length > MAX_SEQUENCE_IDS) {
        return error("INVALID_MESSAGE", `sequence_ids holds at most ${MAX_SEQUENCE_IDS} ids.`, requestId);
      }
      const unknown = types.filter((t) => !eventTypes.has(t));
      if (unknown.length > 0) {
        return error("INVALID_MESSAGE", `Unknown event types: ${unknown.slice(0, 10).join(", ")}.`, requestId);
      }
      // A refused subscribe changes nothing: the resume id is checked before the current
      // subscription is replaced.
      const hooks: WebSocketSinkHooks = {
        sent: (events) => {
          eventsSent += events;
          this.#eventsSent += events;
        },
        lost: (e) => {
          if (subscription?.sink === sink) subscription = null;
          error("EVENTS_EXPIRED", e.message);
        },
        failed: (e) => fail(e),
        slow: () => {
          options.onSlowConsumer?.();
          options.log?.({ level: "info", msg: "websocket slow consumer closed", request_id: upgradeRequestId });
        },
      };
      // A connection a delivery process owns (delivery-pool.ts) is served through it.
      const remote = socket as unknown;
      const sink =
        remote instanceof RemoteSocket
          ? new RemoteSink(remote, options.sendBufferBytes, hooks)
          : new WebSocketSink(socket, options.sendBufferBytes, hooks);
      let feed: Feed;
      try {
        feed = await Feed.open({
          store: options.store,
          dispatcher: options.dispatcher,
          projectId,
          filter: eventFilter(types, sequences),
          lastEventId: typeof last === "string" ? last : null,
          sink,
        });
      } catch (e) {
        if (e instanceof InvalidEventIdError) return error("INVALID_EVENT_ID", e.message, requestId);
        if (e instanceof UnknownEventIdError) return error("UNKNOWN_EVENT_ID", e.message, requestId);
        if (e instanceof EventsExpiredError) return error("EVENTS_EXPIRED", e.message, requestId);
        throw e;
      }
      if (socket.readyState !== socket.OPEN) {
        feed.close();
        return;
      }
      unsubscribe();
      subscription = { feed, sink };
      // Confirm first, so the replayed events follow the confirmation.
      send({
        type: "subscribed",
        ...echo,
        event_types: types,
        sequence_ids: sequences,
        resumed_after: last ?? null,
      });
      feed.start();
    };

    const handle = async (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      let message: unknown;
      try {
        message = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString("utf8") : data.toString());
      } catch {
        return error("INVALID_JSON", "The message is not valid JSON.");
      }
      if (typeof message !== "object" || message === null || Array.isArray(message)) {
        return error("INVALID_MESSAGE", "A message is a JSON object with a `type`.");
      }
      const m = message as Record<string, unknown>;
      const requestId = m.request_id;
      if (requestId !== undefined && (typeof requestId !== "string" || requestId.length > 64)) {
        return error("INVALID_MESSAGE", "request_id must be a string of at most 64 characters.");
      }
      const echo: Record<string, string> = typeof requestId === "string" ? { request_id: requestId } : {};
      switch (m.type) {
        case "auth": {
          if (typeof m.token !== "string" || m.token === "") {
            return error("INVALID_MESSAGE", "auth needs a token.", requestId);
          }
          const principal = await options.authenticate(m.token, request);
          if (principal === null || !("projectId" in principal)) return refuse(principal);
          projectId = principal.projectId;
          clearTimeout(authTimer);
          return send({ type: "authenticated", ...echo });
        }
        case "ping":
          return send({ type: "pong", ...echo, server_time: new Date().toISOString() });
        case "get_stats":
          return send({
            type: "stats",
            ...echo,
            connections: this.#connections,
            events_sent: eventsSent,
            total_events_sent: this.#eventsSent,
          });
        case "subscribe":
          return subscribe(m, requestId, echo);
        case "unsubscribe":
          unsubscribe();
          return send({ type: "unsubscribed", ...echo });
        default:
          return error("UNKNOWN_MESSAGE_TYPE", `Unknown message type ${JSON.stringify(m.type)}.`, requestId);
      }
    };

    // Messages are handled one after another, in arrival order (an `auth` completes before the
    // `subscribe` that follows it is looked at). The rate limit applies on arrival, so a flood
    // never piles up behind a slow message; a connection with too much queued is closed.
    let queue: Promise<unknown> = start().catch(fail);
    socket.on("message", (data, isBinary) => {
      lastSeen = Date.now();
      if (!limiter.take("ws").allowed) {
        if (++refusedInARow > options.messagesPerSecond) socket.close(CLOSE_RATE_LIMITED, "message rate exceeded");
        else error("RATE_LIMITED", `More than ${options.messagesPerSecond} messages per second.`);
        return;
      }
      refusedInARow = 0;
      if (++queued > MAX_QUEUED_MESSAGES) {
        socket.close(CLOSE_RATE_LIMITED, "too many messages waiting");
        return;
      }
      // A handler that throws must not leave a rejected chain behind (an unhandled rejection
      // ends the process) nor stop the messages after it.
      queue = queue
        .then(() => (socket.readyState === socket.OPEN ? handle(data, isBinary) : undefined))
        .catch(fail)
        .finally(() => {
          queued--;
        });
    });
  }
}

function stringList(value: unknown): string[] | null {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) return null;
  return value as string[];
}

/** Credentials at connect time: X-API-Key, Authorization: Bearer, or the `token` query parameter. */
function tokenOf(request: IncomingMessage): string | null {
  const header = request.headers["x-api-key"];
  if (typeof header === "string" && header !== "") return header;
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "");
  if (bearer?.[1]) return bearer[1];
  const target = request.url ?? "";
  const query = target.indexOf("?");
  if (query < 0) return null;
  return new URLSearchParams(target.slice(query + 1)).get("token");
}

/** The close code ws sent for a frame fault (the status it attaches to the error), else 1002. */
function closeCodeOf(error: Error): number {
  for (const symbol of Object.getOwnPropertySymbols(error)) {
    const value = (error as unknown as Record<symbol, unknown>)[symbol];
    if (symbol.description === "status-code" && typeof value === "number") return value;
  }
  return 1002;
}
