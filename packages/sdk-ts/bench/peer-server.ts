// The local server every SDK overhead benchmark calls (TypeScript, Python, Rust): the liveness
// answer of the TKA API, from plain node:http in a process of its own, so a client's CPU time is
// its own. Prints `listening <port>` once it accepts connections; stops on SIGTERM or SIGINT.
// Run: `node packages/sdk-ts/bench/peer-server.ts`.
import http from "node:http";

const body = JSON.stringify({ status: "ok" });
const server = http.createServer((_req, res) => {
  res.writeHead(200, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "X-Request-Id": "req_1",
  });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : 0}`);
});
// Exits at once: waiting for idle keep-alive connections to close could keep it alive.
const stop = () => process.exit(0);
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
