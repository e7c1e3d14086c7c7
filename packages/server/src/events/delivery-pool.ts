// Delivery processes (DELIVERY_PROCESSES): the WebSocket connections' sockets are handed, right
// after the upgrade request, to one of N child processes (the one with the fewest), which owns
// them from then on (delivery-process.ts). This process keeps the connection's logic through a
// RemoteSocket (remote-socket.ts) that the hub serves like any WebSocket, and sends each live
// event once per child. A child that dies takes its sockets with it (the clients see the TCP
// connection end without a close frame, 1006, and resume from their last event id); its
// connections end here, and it is started again (after 100 ms, doubling to 5 s while it keeps
// dying). A child that falls behind by more than BACKLOG_BUFFERS subscribers' send buffers of
// events (256 MiB by default) is stopped the same way, so this process never holds an unbounded
// queue for it. A handed-off connection still
// counts against its address's MAX_CONNECTIONS_PER_IP until it ends in the child.
import { type ChildProcess, fork } from "node:child_process";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { keepCounted } from "../http/connection-limit.ts";
import type { FromChild, ToChild } from "./delivery-wire.ts";
import { type ChildLink, type Forwarder, RemoteSocket } from "./remote-socket.ts";

/**
 * Event bytes sent to a child and not yet written by it, before it is stopped as stuck, in send
 * buffers (EVENT_SEND_BUFFER): a child that keeps up never holds more than a few passes' worth,
 * and one that holds this much is not reading its IPC channel (hung, stopped, or swapping).
 */
const BACKLOG_BUFFERS = 256;
const RESPAWN_MIN_MS = 100;
const RESPAWN_MAX_MS = 5_000;
/** A child that ran this long is healthy again: the next respawn waits the minimum. */
const HEALTHY_MS = 10_000;

export interface DeliveryPoolOptions {
  processes: number;
  maxMessageBytes: number;
  sendBufferBytes: number;
  /** Serves a connection once its handshake is done (WebSocketHub.accept). */
  accept(socket: RemoteSocket, request: IncomingMessage, requestId: string): void;
  log?: (entry: Record<string, unknown>) => void;
}

interface Pending {
  request: IncomingMessage;
  requestId: string;
  /** Stops counting the connection against its address (MAX_CONNECTIONS_PER_IP) once it ends. */
  release: () => void;
}

class PoolChild implements ChildLink {
  readonly forwarders = new Map<string, Forwarder>();
  readonly sockets = new Map<number, RemoteSocket>();
  readonly releases = new Map<number, () => void>();
  readonly pending = new Map<number, Pending>();
  readonly process: ChildProcess;
  readonly startedAt = Date.now();
  readonly #maxBacklog: number;
  readonly #stuck: (backlog: number) => void;
  ready = false;
  exited = false;
  backlog = 0;

  constructor(process: ChildProcess, maxBacklog: number, stuck: (backlog: number) => void) {
    this.process = process;
    this.#maxBacklog = maxBacklog;
    this.#stuck = stuck;
  }

  get load(): number {
    return this.sockets.size + this.pending.size;
  }

  post(message: ToChild): void {
    if (this.exited || !this.process.connected) return;
    if (message.t === "ev") {
      for (const e of message.events) this.backlog += e.frame.length;
      if (this.backlog > this.#maxBacklog) {
        this.#stuck(this.backlog);
        this.exited = true; // takes no more events or connections while it dies
        this.process.kill("SIGKILL");
        return;
      }
    }
    this.process.send(message);
  }
}

export class DeliveryPool {
  readonly #options: DeliveryPoolOptions;
  readonly #children: (PoolChild | null)[];
  readonly #respawnMs: number[];
  #nextId = 1;
  #closing = false;

  constructor(options: DeliveryPoolOptions) {
    this.#options = options;
    this.#children = new Array(options.processes).fill(null);
    this.#respawnMs = new Array(options.processes).fill(RESPAWN_MIN_MS);
    for (let slot = 0; slot < options.processes; slot++) this.#spawn(slot);
  }

  /** Connections served through children now. */
  get connections(): number {
    let n = 0;
    for (const child of this.#children) n += child?.sockets.size ?? 0;
    return n;
  }

  /** Resolves once every child has started (tests, benchmarks). */
  async ready(): Promise<void> {
    while (this.#children.some((c) => c === null || !c.ready)) await new Promise((r) => setTimeout(r, 10));
  }

  /** The process ids of the children (tests). */
  get pids(): number[] {
    return this.#children.flatMap((c) => (c?.process.pid === undefined || c.exited ? [] : [c.process.pid]));
  }

  /**
   * Hands an upgrade request's socket to the least loaded child; false when none is running
   * (the caller serves it in this process).
   */
  handoff(request: IncomingMessage, socket: Duplex, head: Buffer, requestId: string): boolean {
    if (this.#closing) return false;
    let best: PoolChild | null = null;
    for (const child of this.#children) {
      if (child?.ready && !child.exited && child.process.connected && (best === null || child.load < best.load)) {
        best = child;
      }
    }
    if (best === null) return false;
    // Read now: once the socket is in the child, this process can no longer ask it (the auth
    // failure limit keys on the client's address).
    void request.socket.remoteAddress;
    const id = this.#nextId++;
    best.pending.set(id, { request, requestId, release: keepCounted(socket) });
    const { method = "GET", url = "/", headers } = request;
    best.process.send({ t: "conn", id, method, url, headers, head } satisfies ToChild, socket as Socket);
    return true;
  }

  closeAll(code: number, reason: string): void {
    for (const child of this.#children) child?.post({ t: "closeAll", code, reason });
  }

  /** Stops the children (their connections close with them) and starts no more. */
  close(): void {
    this.#closing = true;
    for (const child of this.#children) child?.process.kill();
  }

  #spawn(slot: number): void {
    const process = fork(join(import.meta.dirname, "delivery-process.ts"), [], {
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: {
        ...globalThis.process.env,
        TKA_DELIVERY_MAX_MESSAGE: String(this.#options.maxMessageBytes),
        TKA_DELIVERY_SEND_BUFFER: String(this.#options.sendBufferBytes),
      },
    });
    const child = new PoolChild(process, this.#options.sendBufferBytes * BACKLOG_BUFFERS, (backlog) =>
      this.#options.log?.({ level: "error", msg: "delivery process stuck", pid: process.pid, backlog }),
    );
    this.#children[slot] = child;
    process.on("message", (message: FromChild) => this.#receive(child, message));
    process.on("error", () => {});
    process.once("exit", (code, signal) => this.#exited(slot, child, code, signal));
  }

  #receive(child: PoolChild, message: FromChild): void {
    switch (message.t) {
      case "ready":
        child.ready = true;
        this.#options.log?.({ level: "info", msg: "delivery process started", pid: child.process.pid });
        return;
      case "done":
        child.backlog -= message.bytes;
        for (const [id, n] of message.sent) child.sockets.get(id)?.sink?.hooks.sent(n);
        return;
      case "open": {
        const pending = child.pending.get(message.id);
        if (pending === undefined) return;
        child.pending.delete(message.id);
        const socket = new RemoteSocket(child, message.id);
        child.sockets.set(message.id, socket);
        child.releases.set(message.id, pending.release);
        this.#options.accept(socket, pending.request, pending.requestId);
        return;
      }
      case "closed":
        child.pending.get(message.id)?.release();
        child.pending.delete(message.id);
        child.releases.get(message.id)?.();
        child.releases.delete(message.id);
        child.sockets.get(message.id)?.closed();
        child.sockets.delete(message.id);
        return;
    }
    const socket = child.sockets.get(message.id);
    if (socket === undefined) return;
    switch (message.t) {
      case "msg":
        socket.emit("message", message.binary ? Buffer.from(message.data) : message.data, message.binary);
        return;
      case "pong":
        socket.emit("pong");
        return;
      case "error": {
        const error = Object.assign(new Error(message.code), { code: message.code });
        Object.defineProperty(error, Symbol("status-code"), { value: message.closeCode, enumerable: false });
        socket.emit("error", error);
        return;
      }
      case "ack":
        socket.unacked = Math.max(0, socket.unacked - message.bytes);
        return;
      case "slow":
        socket.sink?.hooks.slow();
        socket.sink?.close();
        return;
    }
  }

  #exited(slot: number, child: PoolChild, code: number | null, signal: string | null): void {
    child.exited = true;
    if (!this.#closing) {
      this.#options.log?.({
        level: "error",
        msg: "delivery process ended",
        pid: child.process.pid,
        code,
        signal,
        connections: child.sockets.size,
      });
    }
    for (const socket of child.sockets.values()) socket.closed();
    for (const release of child.releases.values()) release();
    for (const pending of child.pending.values()) pending.release();
    child.sockets.clear();
    child.releases.clear();
    child.pending.clear();
    if (this.#closing) return;
    const ran = Date.now() - child.startedAt;
    const wait = ran > HEALTHY_MS ? RESPAWN_MIN_MS : (this.#respawnMs[slot] as number);
    this.#respawnMs[slot] = Math.min(wait * 2, RESPAWN_MAX_MS);
    setTimeout(() => {
      if (!this.#closing) this.#spawn(slot);
    }, wait).unref();
  }
}
