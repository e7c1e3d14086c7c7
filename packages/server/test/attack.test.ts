// One battery of hostile clients across every way into the real server process: HTTP headers too
// large and too many, slowloris clients trickling headers or a body, a thousand idle connections,
// a thousand SSE streams opened and dropped at once, a WebSocket flood without credentials, and
// hostile values for every setting. Throughout each attack a watchdog on another client address
// asks GET /api/v1/health/ready on a fresh connection every 100 ms: every answer must be a 200
// within a second. Except during the bursts of a thousand accepted streams or sockets: the server
// does real work for each (0.3-0.4 ms of CPU per SSE stream, 0.1-0.2 ms per WebSocket), all of it
// ahead of the watchdog's request, and the attacker runs on the same two cores; there the median
// answer must come within a second and every one within five (docs/hardening.md). Those bounds
// are for an idle machine and stretch with the load average per core. Linux routes
// all of 127.0.0.0/8 to loopback, so each attack comes from an address of its own (the listener
// caps connections per address).

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { ConfigError, loadConfig, settings } from "../src/config.ts";
import { slowdown } from "./fixtures/load.ts";
import { type ServerProcess, startServerProcess } from "./fixtures/server-process.ts";

const KEY = "attack-key-0123456789abcdef";
// Shorter than the defaults (10 s / 60 s) so the slowloris cases end soon, yet long enough that a
// burst of a thousand requests arriving at once on a busy machine has its heads read in time: at 2 s,
// with three busy processes on the two cores, part of such a burst was answered 408.
const HEADERS_TIMEOUT_MS = 8000;
const REQUEST_TIMEOUT_MS = 10_000;
const PER_ADDRESS = 256;
let server: ServerProcess;
let port = 0;

beforeAll(async () => {
  server = await startServerProcess({
    API_KEYS: `p=${KEY}`,
    HEADERS_TIMEOUT: String(HEADERS_TIMEOUT_MS),
    REQUEST_TIMEOUT: String(REQUEST_TIMEOUT_MS),
    MAX_CONNECTIONS_PER_IP: String(PER_ADDRESS),
    // The SSE flood is of streams, not of refusals: the per-key rate limit would turn most into 429s.
    RATE_LIMIT: "1000000/1000000",
  });
  port = Number(new URL(server.url).port);
}, 60_000);

afterAll(async () => {
  // Nothing any attack sent was an error of the server's own.
  const errors = server?.logs().filter((line) => line.level === "error") ?? [];
  await server?.stop();
  expect(errors).toEqual([]);
});

/** GET /api/v1/health/ready on a fresh connection from `from`: status and milliseconds. */
function ready(from = "127.0.0.2"): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/api/v1/health/ready", agent: false, localAddress: from },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error("no answer in 10 s")));
    req.on("error", () => resolve({ status: 0, ms: performance.now() - started }));
    req.end();
  });
}

/**
 * Runs `attack` while the watchdog asks for readiness every 100 ms: every answer must be a 200
 * within 1 s (a `burst`: the median within 1 s, every one within 5 s), on an idle machine; the
 * bounds stretch with the load average per core.
 */
async function underWatch<T>(attack: () => Promise<T>, burst = false): Promise<T> {
  const answers: { status: number; ms: number }[] = [];
  let running = true;
  const watching = (async () => {
    while (running) {
      answers.push(await ready());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    return await attack();
  } finally {
    running = false;
    await watching;
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const times = answers.map((a) => a.ms).sort((a, b) => a - b);
    const worst = times[times.length - 1] as number;
    // Bounds stretched by the machine's load (fixtures/load.ts); a stalled server, which never
    // answers, fails whatever the load: the watchdog gives up after 10 s and that is not a 200.
    const { factor, text } = slowdown();
    console.info(
      `readiness: ${times.length} answers, median ${times[times.length >> 1]?.toFixed(0)} ms, worst ${worst.toFixed(0)} ms (${text})`,
    );
    if (burst) {
      expect(times[times.length >> 1], `median readiness answer (${text})`).toBeLessThan(1000 * factor);
      expect(worst, `worst readiness answer (${text})`).toBeLessThan(5000 * factor);
    } else {
      expect(worst, `worst readiness answer (${text})`).toBeLessThan(1000 * factor);
    }
    expect(server.alive()).toBe(true);
  }
}

/** A raw TCP client from `from`: what it received, and when the server closed it. */
interface Raw {
  socket: Socket;
  received: () => string;
  closed: Promise<number>;
}

function raw(from: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let data = "";
    const socket = connect({ host: "127.0.0.1", port, localAddress: from });
    const closed = new Promise<number>((done) => socket.on("close", () => done(performance.now() - started)));
    socket.on("data", (chunk) => {
      if (data.length < 10_000) data += chunk.toString("latin1");
    });
    socket.on("error", () => {});
    socket.once("connect", () => resolve({ socket, received: () => data, closed }));
    socket.once("error", reject);
  });
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);

describe("HTTP", () => {
  it("answers headers of 100 KB and 10,000 headers with 431 and closes", async () => {
    await underWatch(async () => {
      const big = `GET /api/v1/sequences HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(100 * 1024)}\r\n\r\n`;
      const many = `GET /api/v1/sequences HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v\r\n`).join("")}\r\n`;
      const clients = await Promise.all(Array.from({ length: 40 }, () => raw("127.0.0.3")));
      for (const [i, client] of clients.entries()) client.socket.end(i % 2 === 0 ? big : many);
      await Promise.all(clients.map((c) => c.closed));
      for (const client of clients) expect(statusOf(client.received())).toBe(431);
    });
  }, 60_000);

  it("times out clients trickling their headers or their body (slowloris), and serves others meanwhile", async () => {
    await underWatch(async () => {
      const trickle = async (head: string, each: string) => {
        const client = await raw("127.0.0.4");
        client.socket.write(head);
        const timer = setInterval(() => client.socket.write(each), 200);
        const ms = await client.closed;
        clearInterval(timer);
        return { ms, status: statusOf(client.received()) };
      };
      const headers = Array.from({ length: 50 }, () =>
        trickle("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n", "X-Slow: 1\r\n"),
      );
      const bodies = Array.from({ length: 50 }, () =>
        trickle(
          `POST /api/v1/sequences HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`,
          " ",
        ),
      );
      for (const { ms, status } of await Promise.all(headers)) {
        expect(status).toBe(408);
        // Checked every second; generous for a loaded machine. Node's defaults were 60 s and 300 s.
        expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS + 1000 + 5000);
      }
      for (const { ms, status } of await Promise.all(bodies)) {
        expect(status).toBe(408);
        expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1000 + 5000);
      }
      // The bodies never completed: each is a client abort in the log (499), never a server error.
      // (Log lines go out in batches: wait for them.)
      const posts = () => server.logs().filter((line) => line.method === "POST" && line.path === "/api/v1/sequences");
      while (posts().length < 50) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(new Set(posts().map((line) => line.status))).toEqual(new Set([499]));
    });
  }, 60_000);

  it("holds a thousand idle connections without stopping anyone else, closes them in time, and caps each address", async () => {
    await underWatch(async () => {
      const idle = (
        await Promise.all(
          ["127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8"].map((from) =>
            Promise.all(Array.from({ length: 250 }, () => raw(from))),
          ),
        )
      ).flat();
      expect(idle).toHaveLength(1000);
      // A connection that never sends a request is closed by the headers timeout too.
      const closedAfter = await Promise.all(idle.map((c) => c.closed));
      expect(Math.max(...closedAfter)).toBeLessThan(HEADERS_TIMEOUT_MS + 1000 + 10_000);
      // One address may hold PER_ADDRESS connections; beyond, each is answered 429 and closed.
      const many = await Promise.all(Array.from({ length: PER_ADDRESS + 44 }, () => raw("127.0.0.9")));
      await Promise.all(many.map((c) => c.closed));
      const refused = many.filter((c) => statusOf(c.received()) === 429);
      expect(refused).toHaveLength(44);
      expect(refused[0]?.received()).toMatch(/Retry-After: 1/);
    });
  }, 90_000);
});

describe("SSE", () => {
  it("survives a thousand streams opened and dropped at once, and forgets every one", async () => {
    const sseStreams = async () => {
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      return Number(/^tka_sse_streams (\d+)$/m.exec(metrics)?.[1]);
    };
    await underWatch(async () => {
      const froms = ["127.0.0.10", "127.0.0.11", "127.0.0.12", "127.0.0.13"];
      const streams = await Promise.all(
        Array.from(
          { length: 1000 },
          (_, i) =>
            new Promise<{ status: number; drop: () => void }>((resolve, reject) => {
              const req = request(
                {
                  host: "127.0.0.1",
                  port,
                  path: "/api/v1/events",
                  agent: false,
                  localAddress: froms[i % froms.length],
                  headers: { "X-API-Key": KEY, Accept: "text/event-stream" },
                },
                (res) => resolve({ status: res.statusCode ?? 0, drop: () => req.destroy() }),
              );
              req.on("error", (error) => {
                if (!req.destroyed) reject(error);
              });
              req.end();
            }),
        ),
      );
      expect(streams.map((s) => s.status).filter((status) => status !== 200)).toEqual([]);
      expect(await sseStreams()).toBe(1000);
      for (const stream of streams) stream.drop();
      for (;;) {
        if ((await sseStreams()) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }, true);
  }, 90_000);
});

describe("WebSocket", () => {
  const open = (from: string, headers: Record<string, string> = {}) =>
    new Promise<{ welcomed: boolean; status?: number; ws: WebSocket }>((resolve) => {
      const ws = new WebSocket(server.wsUrl, { localAddress: from, headers });
      ws.on("message", (data) => {
        if ((JSON.parse(data.toString()) as { type?: string }).type === "welcome") resolve({ welcomed: true, ws });
      });
      ws.on("unexpected-response", (_req, res) => resolve({ welcomed: false, status: res.statusCode ?? 0, ws }));
      ws.on("error", () => resolve({ welcomed: false, ws }));
    });

  it("takes a flood of connections without credentials, capped per address, and keeps serving", async () => {
    await underWatch(async () => {
      // A thousand from four addresses: welcomed (unauthenticated; they must send auth within 10 s).
      const flood = await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          open(["127.0.0.20", "127.0.0.21", "127.0.0.22", "127.0.0.23"][i % 4] as string),
        ),
      );
      expect(flood.filter((c) => c.welcomed)).toHaveLength(1000);
      // One address beyond its cap: the rest are refused before the handshake.
      const one = await Promise.all(Array.from({ length: PER_ADDRESS + 20 }, () => open("127.0.0.24")));
      expect(one.filter((c) => c.welcomed)).toHaveLength(PER_ADDRESS);
      expect(one.filter((c) => c.status === 429)).toHaveLength(20);
      // Someone with a key is still served.
      const served = await open("127.0.0.25", { "X-API-Key": KEY });
      expect(served.welcomed).toBe(true);
      for (const c of [...flood, ...one, served]) c.ws.terminate();
    }, true);
  }, 90_000);
});

describe("configuration", () => {
  const run = promisify(execFile);
  const main = join(import.meta.dirname, "../src/main.ts");
  const long = "x".repeat(100_000);
  /** Values every setting must refuse (or, where the value is a place, fail to use): one line, exit 1. */
  // A web app over the size the server loads (32 MiB), as a sparse file: refused at start.
  const oversizedWeb = mkdtempSync(join(tmpdir(), "tka-attack-web-"));
  writeFileSync(join(oversizedWeb, "index.html"), "<!doctype html>");
  writeFileSync(join(oversizedWeb, "big.bin"), "");
  truncateSync(join(oversizedWeb, "big.bin"), 33 * 1024 * 1024);
  afterAll(() => rmSync(oversizedWeb, { recursive: true, force: true }));
  const hostile: Record<string, string[]> = {
    HOST: ["256.256.256.256", "no such host.invalid", long.slice(0, 300)],
    PORT: ["-1", "65536", "80.5", "1e3", "0x50", long],
    LOG_LEVEL: ["verbose", long],
    LOG_FORMAT: ["yaml", `json\n${long}`],
    WEB_DIR: [oversizedWeb],
    DATA_DIR: ["/proc/version/data", "/dev/null/data"],
    DATABASE_URL: ["mysql://x", "sqlite:", "postgres://127.0.0.1:1/none", `sqlite:/proc/version/${long.slice(0, 200)}`],
    CORS_ORIGINS: ["*", "null", "https://a.example/path", `https://${long}`],
    API_KEYS: ["p=short", "=0123456789abcdef", "p p=0123456789abcdef", `${"p".repeat(65)}=0123456789abcdef`],
    BODY_LIMIT: ["0", "1023", "104857601", "-5", "1e6"],
    HISTORY_LIMIT: ["0", "1000001", "ten"],
    RATE_LIMIT: ["0/1", "1/0", "1", "a/b", `${"9".repeat(400)}/1`, "1/0.0000000000000000001"],
    EVENT_RETENTION: ["1h", "0d", "7", "7w", "99999999d"],
    EVENT_MAX_COUNT: ["-1", "1000000000001", "many"],
    API_KEY_SECRET: ["short", "x".repeat(31)],
    AUTH_FAILURE_LIMIT: ["0/1", "1/0", "1", "10/-1"],
    TRUST_PROXY: ["*", "10.0.0.0/33", "proxy.local", "::/129"],
    METRICS_TOKEN: ["short", "has space in it 0123456789"],
    METRICS_ADDRESS: ["9464", "127.0.0.1:99999", "[::1:9464", "a:b:c"],
    JSON_MAX_DEPTH: ["1", "1001", "-64"],
    JSON_MAX_MEMBERS: ["99", "10000001"],
    JSON_MAX_STRING_LENGTH: ["99", "104857601"],
    WS_MAX_MESSAGE: ["1023", "16777217"],
    EVENT_SEND_BUFFER: ["65535", "1073741825"],
    DELIVERY_PROCESSES: ["-1", "65", "all", "1.5"],
    HEADERS_TIMEOUT: ["999", "3600001", "60001"],
    REQUEST_TIMEOUT: ["999", "3600001", "5000"],
    MAX_CONNECTIONS_PER_IP: ["-1", "1000001", "lots"],
    DATABASE_TIMEOUT: ["99", "600001", "5s"],
  };

  it("has hostile values for every setting", () => {
    expect(Object.keys(hostile).sort()).toEqual(settings.map((s) => s.env).sort());
  });

  /** Settings whose hostile values pass the configuration and fail only when used (a host, a directory, a database). */
  const usedAtStart = new Set(["HOST", "DATA_DIR", "WEB_DIR"]);

  it("refuses each hostile value of a setting with a one-line ConfigError naming it (in this process)", () => {
    for (const [env, values] of Object.entries(hostile)) {
      if (usedAtStart.has(env)) continue;
      for (const value of values) {
        if (env === "DATABASE_URL" && /^(postgres|sqlite:\/proc)/.test(value)) continue; // fails when opened
        let message = "";
        try {
          loadConfig([], { [env]: value });
        } catch (error) {
          expect(error, `${env}=${value.slice(0, 40)}`).toBeInstanceOf(ConfigError);
          message = (error as Error).message;
        }
        expect(message, `${env}=${value.slice(0, 40)} was accepted`).not.toBe("");
        expect(message).toContain(env);
        expect(message).not.toMatch(/[\r\n]/);
        expect(message.length).toBeLessThan(300);
      }
    }
  });

  it("stops the real process with one line and exit status 1, never a stack trace", async () => {
    // Every value used at start, and the first hostile value of every other setting.
    const cases = Object.entries(hostile).flatMap(([env, values]) =>
      (usedAtStart.has(env) || env === "DATABASE_URL" ? values : values.slice(0, 1)).map((value) => ({ env, value })),
    );
    const failures: string[] = [];
    const queue = [...cases];
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const { env, value } = next;
        const dataDir = `/tmp/tka-attack-config-${process.pid}-${Math.random().toString(36).slice(2)}`;
        try {
          await run(process.execPath, [main], {
            env: { PATH: process.env.PATH, PORT: "0", DATA_DIR: dataDir, [env]: value },
            timeout: 60_000,
          });
          failures.push(`${env}=${value.slice(0, 40)}: started`);
        } catch (error) {
          const { code, signal, stdout, stderr } = error as {
            code?: number;
            signal?: string | null;
            stdout: string;
            stderr: string;
          };
          const lines = stderr.trimEnd().split("\n");
          if (
            code !== 1 ||
            lines.length !== 1 ||
            !lines[0]?.startsWith("tka-server: ") ||
            stdout.includes("listening")
          ) {
            const how = signal ? `signal ${signal}` : `exit ${code}`;
            failures.push(`${env}=${value.slice(0, 40)}: ${how}, stderr ${JSON.stringify(stderr.slice(0, 300))}`);
          }
          if (lines[0] !== undefined && lines[0].length > 400)
            failures.push(`${env}: a line of ${lines[0].length} characters`);
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    expect(failures).toEqual([]);
  }, 300_000);
});
