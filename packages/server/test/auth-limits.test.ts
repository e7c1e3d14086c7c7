// Wrong API keys are limited per client address on every way in: HTTP headers, and the
// WebSocket's token query parameter, headers and `auth` message, all counted in one bucket per
// address (against the real server process). Behind a trusted reverse proxy (TRUST_PROXY) the
// client is the address the proxy forwards, so clients do not share the proxy's bucket; without
// it, X-Forwarded-For is ignored (a guesser cannot pick a new address per attempt).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { loadConfig } from "../src/config.ts";
import { buildServer } from "../src/server.ts";
import { type ServerProcess, startServerProcess } from "./fixtures/server-process.ts";

const KEY = "limits-key-0123456789abcdef";

/** Opens a WebSocket and resolves with what became of it: welcomed (and how), or closed (code, reason). */
function connect(
  url: string,
  options: { headers?: Record<string, string>; query?: string; auth?: string } = {},
): Promise<{ welcome?: Record<string, unknown>; authenticated?: boolean; code?: number; reason?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}${options.query ?? ""}`, { headers: options.headers ?? {} });
    let welcome: Record<string, unknown> | undefined;
    ws.on("error", reject);
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      if (message.type === "welcome") {
        welcome = message;
        if (options.auth !== undefined) ws.send(JSON.stringify({ type: "auth", token: options.auth }));
        else {
          resolve({ welcome });
          ws.close();
        }
      }
      if (message.type === "authenticated") {
        resolve({ ...(welcome ? { welcome } : {}), authenticated: true });
        ws.close();
      }
    });
    ws.on("close", (code, reason) => resolve({ ...(welcome ? { welcome } : {}), code, reason: reason.toString() }));
  });
}

describe("wrong keys over WebSocket", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    // Three unknown keys per address, then one more every 100 s (none comes back during the test).
    server = await startServerProcess({ API_KEYS: `p=${KEY}`, AUTH_FAILURE_LIMIT: "3/0.01" });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("count against the address like HTTP ones, by every way a key arrives; then every key is refused with 4029", async () => {
    expect((await connect(server.wsUrl, { headers: { "X-API-Key": KEY } })).welcome).toMatchObject({
      authenticated: true,
    });
    // One wrong key by each way in: final 4001 each time.
    expect(await connect(server.wsUrl, { query: "?token=tka_wrong_query_0123456789" })).toMatchObject({ code: 4001 });
    expect(await connect(server.wsUrl, { headers: { Authorization: "Bearer tka_wrong_bearer_012345" } })).toMatchObject(
      { code: 4001 },
    );
    expect(await connect(server.wsUrl, { auth: "tka_wrong_message_0123456789" })).toMatchObject({
      welcome: { authenticated: false },
      code: 4001,
    });
    // The bucket is empty: any key, the right one included, is refused without being looked at.
    const refused = await connect(server.wsUrl, { headers: { "X-API-Key": KEY } });
    expect(refused).toMatchObject({ code: 4029 });
    expect(refused.reason).toMatch(/too many unknown keys; retry after \d+ s/);
    expect(await connect(server.wsUrl, { auth: KEY })).toMatchObject({ code: 4029 });
    expect(await connect(server.wsUrl, { query: `?token=${KEY}` })).toMatchObject({ code: 4029 });
    // One bucket per address for HTTP and WebSocket alike.
    const http = await fetch(`${server.url}/api/v1/sequences`, { headers: { "X-API-Key": KEY } });
    expect(http.status).toBe(429);
    expect(Number(http.headers.get("Retry-After"))).toBeGreaterThan(0);
    // Without a key nothing is guessed: the connection is welcomed (and must authenticate later).
    expect((await connect(server.wsUrl)).welcome).toMatchObject({ authenticated: false });
    expect((await fetch(`${server.url}/api/v1/health/ready`)).status).toBe(200);
  }, 60_000);
});

describe("behind trusted proxies", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ API_KEYS: `p=${KEY}`, AUTH_FAILURE_LIMIT: "2/0.01", TRUST_PROXY: "127.0.0.1" });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const from = (client: string, key: string) =>
    fetch(`${server.url}/api/v1/sequences`, { headers: { "X-API-Key": key, "X-Forwarded-For": client } });

  it("limits each forwarded client on its own, over HTTP and WebSocket", async () => {
    for (let i = 0; i < 2; i++) expect((await from("203.0.113.7", `tka_guess_${i}_0123456789`)).status).toBe(401);
    expect((await from("203.0.113.7", KEY)).status).toBe(429);
    // Another client behind the same proxy is not affected.
    expect((await from("198.51.100.1", KEY)).status).toBe(200);
    // What a client writes itself to the left of the header is not believed.
    expect((await from("198.51.100.1, 203.0.113.7", KEY)).status).toBe(429);
    expect((await from("203.0.113.7, 198.51.100.1", KEY)).status).toBe(200);
    // WebSocket upgrades through the proxy: the same buckets.
    const ws = (client: string) => connect(server.wsUrl, { headers: { "X-API-Key": KEY, "X-Forwarded-For": client } });
    expect(await ws("203.0.113.7")).toMatchObject({ code: 4029 });
    expect((await ws("198.51.100.1")).welcome).toMatchObject({ authenticated: true });
    for (let i = 0; i < 2; i++) {
      expect(
        await connect(server.wsUrl, {
          headers: { "X-Forwarded-For": "192.0.2.9" },
          auth: `tka_guess_ws_${i}_0123456789`,
        }),
      ).toMatchObject({ code: 4001 });
    }
    expect(await ws("192.0.2.9")).toMatchObject({ code: 4029 });
    expect((await from("192.0.2.9", KEY)).status).toBe(429);
  }, 60_000);
});

describe("without trusted proxies", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it("ignores X-Forwarded-For: one peer is one client whatever it claims", async () => {
    const config = loadConfig([], {
      API_KEYS: `p=${KEY}`,
      AUTH_FAILURE_LIMIT: "2/0.01",
      DATA_DIR: mkdtempSync(join(tmpdir(), "tka-limits-")),
    });
    const server = await buildServer(config, () => {});
    closers.push(() => server.store.close());
    const from = (peer: string, forwarded: string, key: string) =>
      server.app.request(
        "/api/v1/sequences",
        { headers: { "X-API-Key": key, "X-Forwarded-For": forwarded } },
        { incoming: { socket: { remoteAddress: peer } } },
      );
    expect((await from("10.0.0.1", "203.0.113.1", "tka_guess_a_0123456789")).status).toBe(401);
    expect((await from("10.0.0.1", "203.0.113.2", "tka_guess_b_0123456789")).status).toBe(401);
    expect((await from("10.0.0.1", "203.0.113.3", KEY)).status).toBe(429);
    expect((await from("10.0.0.2", "203.0.113.1", KEY)).status).toBe(200);
  }, 60_000);
});
