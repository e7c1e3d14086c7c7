// The WebSocket protocol of the contract (WsClientMessage / WsServerMessage): welcome, auth,
// subscribe with filters and resume, ping/pong, heartbeat, stats, errors. Bad input gets an
// `error` message; the connection survives it.
import type { IncomingMessage } from "node:http";
import type { WebSocket } from "ws";
import type { Log } from "../http/observe.ts";
import { RateLimiter } from "../http/rate-limit.ts";
import type { Store, StoredEvent } from "../store/types.ts";
import type { EventBus } from "./bus.ts";
import { EventsExpiredError, type Feed, openFeed } from "./feed.ts";
import { eventFilter, wireEvent } from "./filter.ts";

export const CLOSE_AUTH_FAILED = 4001;
export const CLOSE_FORBIDDEN_ORIGIN = 4003;
export const CLOSE_HEARTBEAT_TIMEOUT = 4008;
export const CLOSE_RATE_LIMITED = 4029;

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
  bus: EventBus;
  /** Resolves a token (API key) to its project, or null. */
  authenticate: (token: string) => Promise<{ projectId: string } | null>;
  allowedOrigins: readonly string[];
  heartbeatMs?: number;
  authTimeoutMs?: number;
  messagesPerSecond?: number;
  /** Where protocol faults and unexpected errors of a connection are logged (once each). */
  log?: Log;
  onOpen?: () => void;
  onClose?: () => void;
}

export class WebSocketHub {
  readonly #options: Required<Omit<WebSocketOptions, "onOpen" | "onClose" | "log">> &
    Pick<WebSocketOptions, "onOpen" | "onClose" | "log">;
  #connections = 0;
  #eventsSent = 0;
  #nextSession = 1;

  constructor(options: WebSocketOptions) {
    this.#options = { heartbeatMs: 30_000, authTimeoutMs: 10_000, messagesPerSecond: 100, ...options };
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
    let feed: Feed | null = null;
    let eventsSent = 0;
    let lastSeen = Date.now();
    let refusedInARow = 0;

    const send = (message: Record<string, unknown>) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const error = (code: string, message: string, requestId?: unknown) =>
      send({ type: "error", ...(typeof requestId === "string" ? { request_id: requestId } : {}), code, message });
    const deliver = (event: StoredEvent) => {
      eventsSent++;
      this.#eventsSent++;
      send({ type: "event", event: wireEvent(event) });
    };

    const heartbeat = setInterval(() => {
      if (Date.now() - lastSeen > 2 * options.heartbeatMs) {
        socket.close(CLOSE_HEARTBEAT_TIMEOUT, "heartbeat timeout");
        return;
      }
      send({ type: "heartbeat", server_time: new Date().toISOString() });
      socket.ping();
    }, options.heartbeatMs);
    let authTimer: NodeJS.Timeout | undefined;

    socket.on("pong", () => {
      lastSeen = Date.now();
    });
    socket.on("close", () => {
      clearInterval(heartbeat);
      clearTimeout(authTimer);
      feed?.close();
      this.#connections--;
      options.onClose?.();
    });

    const token = tokenOf(request);
    const start = async () => {
      if (token !== null) {
        const principal = await options.authenticate(token);
        if (principal === null) {
          socket.close(CLOSE_AUTH_FAILED, "authentication failed");
          return;
        }
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
    // An unexpected fault (the database failing mid-request, say) closes this connection with
    // 1011, logged once; the client reconnects and resumes. It never reaches the process.
    const fail = (error: unknown) => {
      options.log?.({
        level: "error",
        msg: "websocket closed on an internal error",
        request_id: upgradeRequestId,
        close_code: 1011,
        error: String(error),
      });
      if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) {
        socket.close(1011, "internal error");
      }
    };
    const ready = start().catch(fail);

    // Messages are handled one after another, in arrival order (an `auth` completes before the
    // `subscribe` that follows it is looked at).
    let queue: Promise<unknown> = ready;
    socket.on("message", (data, isBinary) => {
      lastSeen = Date.now();
      queue = queue.then(async () => {
        if (!limiter.take("ws").allowed) {
          if (++refusedInARow > options.messagesPerSecond) socket.close(CLOSE_RATE_LIMITED, "message rate exceeded");
          else error("RATE_LIMITED", `More than ${options.messagesPerSecond} messages per second.`);
          return;
        }
        refusedInARow = 0;
        let message: unknown;
        try {
          message = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString("utf8") : data.toString());
        } catch {
          error("INVALID_JSON", "The message is not valid JSON.");
          return;
        }
        if (typeof message !== "object" || message === null || Array.isArray(message)) {
          error("INVALID_MESSAGE", "A message is a JSON object with a `type`.");
          return;
        }
        const m = message as Record<string, unknown>;
        const requestId = m.request_id;
        if (requestId !== undefined && (typeof requestId !== "string" || requestId.length > 64)) {
          error("INVALID_MESSAGE", "request_id must be a string of at most 64 characters.");
          return;
        }
        const echo = typeof requestId === "string" ? { request_id: requestId } : {};
        switch (m.type) {
          case "auth": {
            if (typeof m.token !== "string" || m.token === "")
              return error("INVALID_MESSAGE", "auth needs a token.", requestId);
            const principal = await options.authenticate(m.token);
            if (principal === null) return socket.close(CLOSE_AUTH_FAILED, "authentication failed");
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
          case "subscribe": {
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
            const unknown = types.filter((t) => !eventTypes.has(t));
            if (unknown.length > 0)
              return error("INVALID_MESSAGE", `Unknown event types: ${unknown.join(", ")}.`, requestId);
            feed?.close();
            feed = null;
            // Confirm first, so the replayed events follow the confirmation.
            send({
              type: "subscribed",
              ...echo,
              event_types: types,
              sequence_ids: sequences,
              resumed_after: last ?? null,
            });
            try {
              feed = await openFeed({
                store: options.store,
                bus: options.bus,
                projectId,
                filter: eventFilter(types, sequences),
                lastEventId: typeof last === "string" ? last : null,
                deliver,
              });
            } catch (e) {
              if (e instanceof EventsExpiredError) return error("EVENTS_EXPIRED", e.message, requestId);
              throw e;
            }
            return;
          }
          case "unsubscribe":
            feed?.close();
            feed = null;
            return send({ type: "unsubscribed", ...echo });
          default:
            return error("UNKNOWN_MESSAGE_TYPE", `Unknown message type ${JSON.stringify(m.type)}.`, requestId);
        }
      });
      // A handler that throws must not leave a rejected chain behind (an unhandled rejection
      // ends the process) nor stop the messages after it.
      queue = queue.catch(fail);
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
