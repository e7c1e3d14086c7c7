// Credentials where the API declares them: HTTP Basic, an API key in the query or a cookie (and
// redacted from logs), against a real local server.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONFIG, TestClient } from "./helpers.ts";

let server: Server;
let baseURL: string;
const seen: Array<{ url: string; authorization: string | undefined; cookie: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? "", authorization: req.headers.authorization, cookie: req.headers.cookie });
    res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("credentials", () => {
  it("sends HTTP Basic credentials (UTF-8, base64)", async () => {
    const client = new TestClient({ baseURL, apiKey: null, bearerToken: null, username: "ünï", password: "p:w" });
    await client.request({ method: "get", path: "/a" });
    expect(seen.at(-1)?.authorization).toBe(`Basic ${Buffer.from("ünï:p:w").toString("base64")}`);
  });

  it("puts an API key in the query, redacted from the logs", async () => {
    const lines: string[] = [];
    const client = new TestClient(
      { baseURL, apiKey: "s3cr3t key", bearerToken: null, logger: { debug: (m: string) => lines.push(m) } },
      { ...CONFIG, apiKeyIn: { in: "query", name: "api_key" } },
    );
    await client.request({ method: "get", path: "/b", query: { q: "x" } });
    expect(seen.at(-1)?.url).toBe("/b?q=x&api_key=s3cr3t%20key");
    expect(seen.at(-1)?.authorization).toBeUndefined();
    expect(lines.join("\n")).not.toContain("s3cr3t");
  });

  it("puts an API key in a cookie, next to the operation's cookies", async () => {
    const client = new TestClient(
      { baseURL, apiKey: "k1", bearerToken: null },
      { ...CONFIG, apiKeyIn: { in: "cookie", name: "session" } },
    );
    await client.request({ method: "get", path: "/c", cookies: { theme: "dark" } });
    expect(seen.at(-1)?.cookie).toBe("theme=dark; session=k1");
  });
});

describe("OAuth2 client credentials", () => {
  let api: Server;
  let apiURL: string;
  let issued = 0;
  let tokenRequests: Array<{ authorization: string | undefined; body: string }> = [];
  let revoked = new Set<string>();
  let expiresIn: number | undefined = 3600;
  let apiCalls: Array<string | undefined> = [];

  beforeAll(async () => {
    api = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        if (req.url === "/oauth/token") {
          tokenRequests.push({ authorization: req.headers.authorization, body });
          if (req.headers.authorization !== `Basic ${Buffer.from("my+id:s3cr%C3%A9t").toString("base64")}`) {
            res.writeHead(401, { "Content-Type": "application/json" });
            res.end(JSON.stringify({ error: "invalid_client", error_description: "unknown client" }));
            return;
          }
          issued += 1;
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end(
            JSON.stringify({
              access_token: `tok${issued}`,
              token_type: "Bearer",
              ...(expiresIn === undefined ? {} : { expires_in: expiresIn }),
            }),
          );
          return;
        }
        apiCalls.push(req.headers.authorization);
        const token = req.headers.authorization?.replace(/^Bearer /, "") ?? "";
        const ok = token.startsWith("tok") && !revoked.has(token);
        res.writeHead(ok ? 200 : 401, { "Content-Type": "application/json" }).end(ok ? '{"ok":true}' : "{}");
      });
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    apiURL = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

  const config = (scopes?: string[]) => ({
    ...CONFIG,
    oauth2: { tokenUrl: "/oauth/token", ...(scopes ? { scopes } : {}) },
  });
  const reset = () => {
    issued = 0;
    tokenRequests = [];
    revoked = new Set();
    apiCalls = [];
    expiresIn = 3600;
  };

  it("fetches a token once (relative token URL, Basic client auth, scopes), shares it between concurrent calls and caches it", async () => {
    reset();
    const client = new TestClient(
      { baseURL: apiURL, apiKey: null, bearerToken: null, clientId: "my id", clientSecret: "s3crét" },
      config(["read:a", "write:a"]),
    );
    await Promise.all([1, 2, 3].map(() => client.request({ method: "get", path: "/x" })));
    await client.request({ method: "post", path: "/y" });
    expect(tokenRequests).toHaveLength(1);
    expect(new URLSearchParams(tokenRequests[0]?.body).get("grant_type")).toBe("client_credentials");
    expect(new URLSearchParams(tokenRequests[0]?.body).get("scope")).toBe("read:a write:a");
    expect(apiCalls).toEqual(["Bearer tok1", "Bearer tok1", "Bearer tok1", "Bearer tok1"]);
  });

  it("fetches a new token once on a 401 and retries the call (also a POST); a second 401 is the caller's error", async () => {
    reset();
    const client = new TestClient(
      { baseURL: apiURL, apiKey: null, bearerToken: null, clientId: "my id", clientSecret: "s3crét", maxRetries: 0 },
      config(),
    );
    await client.request({ method: "get", path: "/x" });
    revoked.add("tok1");
    await expect(client.request({ method: "post", path: "/y" })).resolves.toEqual({ ok: true });
    expect(apiCalls).toEqual(["Bearer tok1", "Bearer tok1", "Bearer tok2"]);
    expect(new URLSearchParams(tokenRequests[0]?.body).has("scope")).toBe(false);
    revoked.add("tok2");
    revoked.add("tok3");
    await expect(client.request({ method: "get", path: "/z" })).rejects.toMatchObject({ status: 401 });
    expect(tokenRequests).toHaveLength(3);
  });

  it("renews a token before it expires", async () => {
    reset();
    expiresIn = 0;
    const client = new TestClient(
      { baseURL: apiURL, apiKey: null, bearerToken: null, clientId: "my id", clientSecret: "s3crét" },
      config(),
    );
    await client.request({ method: "get", path: "/x" });
    await client.request({ method: "get", path: "/x" });
    expect(apiCalls).toEqual(["Bearer tok1", "Bearer tok2"]);
  });

  it("reports the token endpoint's error, and an explicit bearer token wins over client credentials", async () => {
    reset();
    const bad = new TestClient(
      { baseURL: apiURL, apiKey: null, bearerToken: null, clientId: "other", clientSecret: "x" },
      config(),
    );
    await expect(bad.request({ method: "get", path: "/x" })).rejects.toThrow(/invalid_client: unknown client/);
    expect(apiCalls).toEqual([]);
    const explicit = new TestClient(
      { baseURL: apiURL, apiKey: null, bearerToken: "tok9", clientId: "my id", clientSecret: "s3crét" },
      config(),
    );
    await explicit.request({ method: "get", path: "/x" });
    expect(apiCalls).toEqual(["Bearer tok9"]);
    expect(tokenRequests).toHaveLength(1);
  });
});
