// Open connections per client address, capped on the listener itself (MAX_CONNECTIONS_PER_IP),
// before any request is read: one address holding hundreds of idle, trickling or unauthenticated
// connections (HTTP, SSE or WebSocket alike) cannot take the file descriptors and memory every
// other client needs. A connection over the cap is answered 429 with Retry-After and closed.
// Trusted reverse proxies (TRUST_PROXY) are exempt: all their clients arrive from them.
import type { Server } from "node:net";
import { addressKey } from "../auth/failure-limit.ts";

export interface ConnectionLimitOptions {
  /** Connections one address (an IPv6 /64) may have open at once. */
  maxPerAddress: number;
  /** Addresses never limited (trusted proxies). */
  exempt?: (address: string) => boolean;
  /** Called for each connection refused. */
  onRefused?: (address: string) => void;
}

const REFUSAL =
  "HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: 1\r\nContent-Type: text/plain\r\nContent-Length: 43\r\n\r\nToo many open connections from this address";

/** Sockets counted by a limiter: how to stop counting them. */
const counted = new WeakMap<object, () => void>();
/** Sockets whose count outlives them here (handed to a delivery process). */
const handedOff = new WeakSet<object>();

/**
 * The socket is handed to another process (events/delivery-pool.ts): it stays counted against
 * its address until the returned function is called (the connection ended there).
 */
export function keepCounted(socket: object): () => void {
  const release = counted.get(socket);
  if (release === undefined) return () => {};
  handedOff.add(socket);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    release();
  };
}

/** Caps open connections per client address on `server`. */
export function limitConnectionsPerAddress(server: Server, options: ConnectionLimitOptions): void {
  const open = new Map<string, number>();
  server.on("connection", (socket) => {
    const address = socket.remoteAddress ?? "unknown";
    if (options.exempt?.(address)) return;
    const key = addressKey(address);
    const count = open.get(key) ?? 0;
    if (count >= options.maxPerAddress) {
      options.onRefused?.(address);
      // Nothing of it is read: the HTTP parser gets no data, so no request of it ever runs.
      socket.pause();
      socket.on("error", () => {});
      socket.write(REFUSAL, () => socket.destroy());
      // A peer that does not even take the 200 bytes is dropped all the same.
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    open.set(key, count + 1);
    const release = () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    };
    counted.set(socket, release);
    socket.once("close", () => {
      if (!handedOff.has(socket)) release();
    });
  });
}
