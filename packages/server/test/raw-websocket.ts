// A WebSocket client written by hand over a raw TCP socket, for tests that send what no library
// would: oversized or unmasked frames, invalid UTF-8, broken handshakes, resets at any moment.
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

export interface FrameOptions {
  opcode?: number;
  fin?: boolean;
  /** Clients must mask; false sends an unmasked frame (a protocol violation). */
  mask?: boolean;
  rsv?: number;
  /** Announce this payload length instead of the real one (the bytes may follow later or never). */
  announcedLength?: number;
}

/** One WebSocket frame as a client would write it. */
export function frame(payload: Buffer | string, options: FrameOptions = {}): Buffer {
  const data = typeof payload === "string" ? Buffer.from(payload) : payload;
  const { opcode = 0x1, fin = true, mask = true, rsv = 0 } = options;
  const length = options.announcedLength ?? data.length;
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    head.push(maskBit | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), data]);
  const key = randomBytes(4);
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) masked[i] = (data[i] as number) ^ (key[i % 4] as number);
  return Buffer.concat([Buffer.from(head), key, masked]);
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

export interface RawWebSocket {
  socket: Socket;
  /** The handshake answer's status line and headers. */
  response: string;
  /** Frames the server sent so far (parsed). */
  frames: ServerFrame[];
  write(bytes: Buffer): void;
  /** Resolves with the code of the server's close frame once it arrives, or null when the socket ends without one. */
  closed: Promise<number | null>;
  /** Resolves with the first text frame whose JSON has this `type`. */
  nextMessage(type: string): Promise<Record<string, unknown>>;
}

export function handshakeRequest(path: string, headers: Record<string, string> = {}): string {
  const lines = [
    `GET ${path} HTTP/1.1`,
    "Host: localhost",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
    "Sec-WebSocket-Version: 13",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** Opens a TCP connection to the server's host and port. */
export function tcp(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Performs the opening handshake by hand, then parses the server's frames as they arrive. */
export async function rawWebSocket(url: string, headers: Record<string, string> = {}): Promise<RawWebSocket> {
  const socket = await tcp(url);
  socket.on("error", () => {}); // resets are expected in these tests
  socket.write(handshakeRequest(new URL(url).pathname + new URL(url).search, headers));
  let buffer = Buffer.alloc(0);
  const frames: ServerFrame[] = [];
  const waiters: (() => void)[] = [];
  let response = "";
  let resolveResponse: (text: string) => void = () => {};
  const gotResponse = new Promise<string>((resolve) => {
    resolveResponse = resolve;
  });
  let closeCode: number | null = null;
  let resolveClosed: (code: number | null) => void = () => {};
  const closed = new Promise<number | null>((resolve) => {
    resolveClosed = resolve;
  });
  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (response === "") {
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      response = buffer.subarray(0, end).toString();
      buffer = buffer.subarray(end + 4);
      resolveResponse(response);
    }
    for (;;) {
      if (buffer.length < 2) break;
      const opcode = (buffer[0] as number) & 0x0f;
      let length = (buffer[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) break;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) break;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffer.length < offset + length) break;
      const payload = buffer.subarray(offset, offset + length);
      buffer = buffer.subarray(offset + length);
      frames.push({ opcode, payload });
      if (opcode === 0x8 && closeCode === null) {
        closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        resolveClosed(closeCode);
      }
      for (const waiter of waiters.splice(0)) waiter();
    }
  });
  socket.once("close", () => {
    resolveResponse(response);
    resolveClosed(closeCode);
    for (const waiter of waiters.splice(0)) waiter();
  });
  await gotResponse;
  const nextMessage = async (type: string) => {
    let seen = 0;
    for (;;) {
      for (; seen < frames.length; seen++) {
        const f = frames[seen] as ServerFrame;
        if (f.opcode !== 0x1) continue;
        const message = JSON.parse(f.payload.toString()) as Record<string, unknown>;
        if (message.type === type) return message;
      }
      if (socket.destroyed) throw new Error(`socket closed before a ${type} message`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { socket, response, frames, write: (bytes) => socket.write(bytes), closed, nextMessage };
}
