import { createServer } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { limitConnectionsPerAddress } from "./connection-limit.ts";

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(options: Parameters<typeof limitConnectionsPerAddress>[1]) {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.end("ok");
  });
  servers.push(server);
  limitConnectionsPerAddress(server, options);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const open = (from: string) =>
    new Promise<{ socket: Socket; text: () => string; closed: Promise<void> }>((resolve) => {
      let text = "";
      const socket = connect({ host: "127.0.0.1", port, localAddress: from });
      socket.on("data", (d) => {
        text += d.toString();
      });
      socket.on("error", () => {});
      const closed = new Promise<void>((done) => socket.on("close", () => done()));
      socket.on("connect", () => resolve({ socket, text: () => text, closed }));
    });
  return { open, requests: () => requests };
}

describe("limitConnectionsPerAddress", () => {
  it("answers 429 and closes connections beyond the cap, without reading their request", async () => {
    const refused: string[] = [];
    const { open, requests } = await listen({ maxPerAddress: 2, onRefused: (a) => refused.push(a) });
    const kept = [await open("127.0.0.31"), await open("127.0.0.31")];
    const over = await open("127.0.0.31");
    over.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await over.closed;
    expect(over.text()).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n[\s\S]*Retry-After: 1\r\n/);
    expect(requests()).toBe(0);
    expect(refused).toEqual(["127.0.0.31"]);
    // Another address is not affected; a closed connection frees its place.
    const other = await open("127.0.0.32");
    other.socket.end("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await other.closed;
    expect(other.text()).toMatch(/^HTTP\/1\.1 200/);
    kept[0]?.socket.destroy();
    await kept[0]?.closed;
    await new Promise((resolve) => setImmediate(resolve));
    const again = await open("127.0.0.31");
    again.socket.end("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await again.closed;
    expect(again.text()).toMatch(/^HTTP\/1\.1 200/);
    kept[1]?.socket.destroy();
  });

  it("never limits exempt addresses (trusted proxies)", async () => {
    const { open } = await listen({ maxPerAddress: 1, exempt: (a) => a === "127.0.0.33" });
    const many = await Promise.all([1, 2, 3].map(() => open("127.0.0.33")));
    for (const c of many) c.socket.end("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await Promise.all(many.map((c) => c.closed));
    for (const c of many) expect(c.text()).toMatch(/^HTTP\/1\.1 200/);
  });
});
