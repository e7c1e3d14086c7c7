// A delivery process (DELIVERY_PROCESSES > 0): owns the sockets of the WebSocket connections the
// server hands it and writes their live events, so the kernel's cost of those writes (most of a
// fan-out's CPU) is not paid by the process that answers mutations. The server keeps everything
// else: authentication, subscriptions, resume and replays, ordering and gap fill (the
// dispatcher); it sends each live event once per child (delivery-pool.ts), already framed.
// Here: the handshake (ws), frames from and to the client, relayed to the server in order; per
// connection, the live cursor and filter; the slow-consumer cut-off (4009) on live writes.
import type { Socket } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import type { FromChild, ToChild, WireEvent } from "./delivery-wire.ts";
import { CLOSE_SLOW_CONSUMER, closeSlowConsumer } from "./ws-sink.ts";

const maxPayload = Number(process.env.TKA_DELIVERY_MAX_MESSAGE ?? 65536);
const sendBuffer = Number(process.env.TKA_DELIVERY_SEND_BUFFER ?? 1024 * 1024);

interface Live {
  project: string;
  cursor: number;
  types: ReadonlySet<string>;
  seqs: ReadonlySet<string>;
}

interface Conn {
  ws: WebSocket;
  raw: Socket;
  live: Live | null;
  sent: number;
}

const conns = new Map<number, Conn>();
/** Live connections by project. */
const following = new Map<string, Set<number>>();
const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false });

function tell(message: FromChild): void {
  process.send?.(message);
}

function unfollow(id: number, conn: Conn): void {
  if (conn.live === null) return;
  const set = following.get(conn.live.project);
  set?.delete(id);
  if (set?.size === 0) following.delete(conn.live.project);
  conn.live = null;
}

function accept(message: Extract<ToChild, { t: "conn" }>, socket: Socket | undefined): void {
  const { id } = message;
  if (socket === undefined) {
    tell({ t: "closed", id });
    return;
  }
  socket.on("error", () => socket.destroy());
  const request = { method: message.method, url: message.url, headers: message.headers };
  let opened = false;
  socket.once("close", () => {
    if (!opened) tell({ t: "closed", id });
  });
  // ws answers a bad handshake (400/405) itself; the server checked the path already.
  wss.handleUpgrade(request as never, socket, Buffer.from(message.head), (ws) => {
    opened = true;
    const conn: Conn = { ws, raw: socket, live: null, sent: 0 };
    conns.set(id, conn);
    ws.on("error", (error: Error & { code?: string }) => {
      tell({ t: "error", id, code: error.code ?? error.message, closeCode: closeCodeOf(error) });
    });
    ws.on("message", (data, binary) => {
      tell({ t: "msg", id, data: binary ? Buffer.from(data as Buffer) : data.toString(), binary });
    });
    ws.on("pong", () => tell({ t: "pong", id }));
    ws.on("close", () => {
      unfollow(id, conn);
      conns.delete(id);
      tell({ t: "closed", id });
    });
    tell({ t: "open", id });
  });
}

/** Writes the events after each follower's cursor: one write without a filter, else matching frames, corked. */
function fanOut(project: string, events: WireEvent[]): void {
  const ids = following.get(project);
  const first = events[0];
  if (ids === undefined || first === undefined) return;
  let all: Buffer | undefined;
  let offsets: number[] | undefined;
  for (const id of ids) {
    const conn = conns.get(id) as Conn;
    const live = conn.live as Live;
    const last = (events[events.length - 1] as WireEvent).p;
    if (last <= live.cursor) continue;
    if (first.p > live.cursor + 1 || !conn.raw.writable) {
      // A gap cannot happen (the server sends every position in order); if it ever does, the
      // client resumes from its last event id rather than miss one.
      unfollow(id, conn);
      conn.ws.close(1011, "internal error: resume from your last event id");
      continue;
    }
    if (conn.ws.bufferedAmount > sendBuffer) {
      unfollow(id, conn);
      tell({ t: "slow", id });
      closeSlowConsumer(conn.ws);
      continue;
    }
    const from = live.cursor + 1 - first.p;
    if (live.types.size === 0 && live.seqs.size === 0) {
      if (all === undefined) {
        all = Buffer.concat(events.map((e) => e.frame));
        offsets = [0];
        for (const e of events) offsets.push((offsets[offsets.length - 1] as number) + e.frame.length);
      }
      conn.raw.write(from === 0 ? all : all.subarray((offsets as number[])[from]));
      conn.sent += events.length - from;
    } else {
      conn.raw.cork();
      for (let i = from; i < events.length; i++) {
        const e = events[i] as WireEvent;
        if ((live.types.size === 0 || live.types.has(e.type)) && (live.seqs.size === 0 || live.seqs.has(e.seq))) {
          conn.raw.write(e.frame);
          conn.sent++;
        }
      }
      conn.raw.uncork();
    }
    live.cursor = last;
  }
}

/**
 * Live events waiting for the next flush, by project. Events that arrive while a flush writes
 * (a pass over thousands of sockets takes a while) go out together in the next one: each
 * connection then gets several events in one write, as in the server's own fan-out. Messages
 * about one connection are handled at once: a `live` cursor skips what it already has; after
 * `unlive` the connection gets no more events (what it missed, a resume replays).
 */
const pending = new Map<string, WireEvent[]>();
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  for (const [project, events] of pending) {
    pending.delete(project);
    fanOut(project, events);
  }
  report();
}

let bytes = 0;
let reportScheduled = false;
/** Tells the server, once per turn, how many `ev` messages are done and what each connection got. */
function report(): void {
  if (reportScheduled) return;
  reportScheduled = true;
  setImmediate(() => {
    reportScheduled = false;
    const sent: [number, number][] = [];
    for (const [id, conn] of conns) {
      if (conn.sent > 0) sent.push([id, conn.sent]);
      conn.sent = 0;
    }
    tell({ t: "done", bytes, sent });
    bytes = 0;
  });
}

process.on("message", (message: ToChild, handle: unknown) => {
  if (message.t === "conn") return accept(message, handle as Socket | undefined);
  if (message.t === "ev") {
    const waiting = pending.get(message.project);
    if (waiting === undefined) pending.set(message.project, message.events);
    else for (const e of message.events) waiting.push(e);
    for (const e of message.events) bytes += e.frame.length;
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
    return;
  }
  if (message.t === "closeAll") {
    for (const conn of conns.values()) conn.ws.close(message.code, message.reason);
    return;
  }
  const conn = conns.get(message.id);
  if (conn === undefined) {
    // The connection is gone; a replay still waits for room: let it see the socket is closed.
    if (message.t === "frames") tell({ t: "ack", id: message.id, bytes: message.data.length });
    return;
  }
  const { ws } = conn;
  switch (message.t) {
    case "send":
      if (ws.readyState === ws.OPEN) ws.send(message.data);
      return;
    case "frames": {
      const bytes = message.data.length;
      if (ws.readyState !== ws.OPEN || !conn.raw.writable) return tell({ t: "ack", id: message.id, bytes });
      conn.raw.write(message.data, () => tell({ t: "ack", id: message.id, bytes }));
      return;
    }
    case "ping":
      if (ws.readyState === ws.OPEN) ws.ping();
      return;
    case "close":
      if (message.code === CLOSE_SLOW_CONSUMER) closeSlowConsumer(ws);
      else ws.close(message.code, message.reason);
      return;
    case "terminate":
      ws.terminate();
      return;
    case "live": {
      unfollow(message.id, conn);
      conn.live = {
        project: message.project,
        cursor: message.cursor,
        types: new Set(message.types),
        seqs: new Set(message.seqs),
      };
      const set = following.get(message.project) ?? new Set<number>();
      following.set(message.project, set);
      set.add(message.id);
      return;
    }
    case "unlive":
      unfollow(message.id, conn);
      return;
  }
});

// The server went away: nothing to deliver for; the sockets close with the process.
process.on("disconnect", () => process.exit(0));

/** The close code ws sent for a frame fault (the status it attaches to the error), else 1002. */
function closeCodeOf(error: Error): number {
  for (const symbol of Object.getOwnPropertySymbols(error)) {
    const value = (error as unknown as Record<symbol, unknown>)[symbol];
    if (symbol.description === "status-code" && typeof value === "number") return value;
  }
  return 1002;
}

tell({ t: "ready" });
