// The messages between the server process and its delivery processes (delivery-pool.ts, the
// server side; delivery-process.ts, a child). One IPC channel per child, in order both ways
// (Node queues messages behind a handle until the child has taken it), with the "advanced"
// serialisation, so frames travel as bytes. Connections are named by a number the server gives.

/** A committed event as a child needs it: its position, what filters look at, and its WebSocket frame. */
export interface WireEvent {
  p: number;
  type: string;
  seq: string;
  frame: Uint8Array;
}

/** Server -> child. */
export type ToChild =
  /** An upgrade request's socket (the handle) to complete the handshake on. */
  | {
      t: "conn";
      id: number;
      method: string;
      url: string;
      headers: Record<string, string | string[] | undefined>;
      head: Uint8Array;
    }
  /** A control message (welcome, subscribed, error, pong, heartbeat, stats), as text. */
  | { t: "send"; id: number; data: string }
  /** Replayed events: frames back to back, written as they are; acknowledged once written. */
  | { t: "frames"; id: number; data: Uint8Array }
  | { t: "ping"; id: number }
  | { t: "close"; id: number; code: number; reason: string }
  | { t: "terminate"; id: number }
  /** From now on the child delivers the project's live events after `cursor` to the connection. */
  | { t: "live"; id: number; project: string; cursor: number; types: string[]; seqs: string[] }
  /** The subscription ended (unsubscribe, replaced, closed): no more live events for it. */
  | { t: "unlive"; id: number }
  /** Consecutive live events of one project, for every connection of the child that follows it. */
  | { t: "ev"; project: string; events: WireEvent[] }
  | { t: "closeAll"; code: number; reason: string };

/** Child -> server. */
export type FromChild =
  | { t: "ready" }
  | { t: "open"; id: number }
  /** The handshake failed or the connection ended; nothing more will come for it. */
  | { t: "closed"; id: number }
  | { t: "msg"; id: number; data: Uint8Array | string; binary: boolean }
  | { t: "pong"; id: number }
  | { t: "error"; id: number; code: string; closeCode: number }
  /** Replayed bytes written to the connection's socket (the send buffer has room again). */
  | { t: "ack"; id: number; bytes: number }
  /** The connection was over its send buffer on a live write: closed with 4009. */
  | { t: "slow"; id: number }
  /** Live events written (counted per connection), and the frame bytes of `ev` messages finished (the backlog). */
  | { t: "done"; bytes: number; sent: [number, number][] };
