// The WebSocket endpoint on a Node HTTP server: upgrades GET /api/v1/ws and hands each socket to
// the hub. No client can end the process from here: the raw socket has an error listener from
// the moment the server hands it over (Node removes its own before emitting `upgrade`), through
// the handshake, and the hub gives every WebSocket one before anything else. Frame-level faults
// (too large, invalid UTF-8, protocol violations) close that one connection with the RFC 6455
// code (1009, 1007, 1002); see the hub's error handling.
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { DeliveryPool } from "./delivery-pool.ts";
import type { WebSocketHub } from "./websocket.ts";

export const WS_PATH = "/api/v1/ws";
/** The largest client message by default (64 KiB; the setting is `ws-max-message`). */
export const DEFAULT_WS_MAX_MESSAGE_BYTES = 64 * 1024;

export interface WebSocketEndpointOptions {
  hub: WebSocketHub;
  /** The largest message a client may send, in bytes, over all of its fragments; beyond it: close 1009. */
  maxMessageBytes?: number;
  /** Delivery processes: each connection's socket goes to one of them (else, or when none runs, here). */
  pool?: DeliveryPool | undefined;
}

export interface WebSocketEndpoint {
  /** Closes every open WebSocket with this code (for example 1001 at shutdown). */
  closeAll(code: number, reason: string): void;
  /** Stops accepting upgrades (open connections are left to closeAll). */
  detach(): void;
}

/** A client-sent X-Request-Id when it is 1-128 visible ASCII characters (as for HTTP), else a new one. */
const acceptableRequestId = /^[\x21-\x7E]{1,128}$/;

export function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers["x-request-id"];
  return typeof sent === "string" && acceptableRequestId.test(sent)
    ? sent
    : `req_${crypto.randomUUID().replaceAll("-", "")}`;
}

/** The request target's path, without parsing it as a URL (a malformed target must not throw). */
function pathOf(request: IncomingMessage): string {
  const target = request.url ?? "";
  const query = target.indexOf("?");
  return query < 0 ? target : target.slice(0, query);
}

/** A socket error before or during the handshake: the peer went away; nothing to do but let go. */
function dropSocket(this: Duplex): void {
  this.destroy();
}

export function attachWebSocketEndpoint(server: Server, options: WebSocketEndpointOptions): WebSocketEndpoint {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? DEFAULT_WS_MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", dropSocket);
    if (pathOf(request) !== WS_PATH) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const requestId = requestIdOf(request);
    if (options.pool?.handoff(request, socket, head, requestId)) return;
    // ws answers a bad handshake (400/405) itself and destroys the socket on errors meanwhile.
    wss.handleUpgrade(request, socket, head, (ws) => {
      try {
        options.hub.accept(ws, request, requestId);
      } catch {
        ws.terminate();
      }
    });
  };
  server.on("upgrade", onUpgrade);
  return {
    closeAll(code, reason) {
      for (const client of wss.clients) client.close(code, reason);
      options.pool?.closeAll(code, reason);
    },
    detach() {
      server.off("upgrade", onUpgrade);
    },
  };
}
