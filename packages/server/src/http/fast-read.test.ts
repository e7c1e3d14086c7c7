// The fast path for cached sequence reads against the Hono route it stands in front of: the same
// bytes and headers, the same log line and metrics, and every request it cannot answer at once
// left to Hono untouched. Real node:http servers on one in-process server (shared cache, limiter).
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { closeFastPairs, comparableHeaders, fastPair, KEY_A, KEY_B } from "./fast-pair.fixture.ts";

afterEach(closeFastPairs);

async function setup(env: Record<string, string> = {}) {
  const pair = await fastPair(env);
  return { ...pair, id: await pair.create(), metrics: pair.built.metrics };
}

const comparable = (response: Response) => comparableHeaders(response);

describe("fast path for cached sequence reads", () => {
  it("answers a cached read with the Hono route's body, headers and log line", async () => {
    // No refill between the two requests: their RateLimit-Remaining differ by exactly one.
    const { withFast, honoOnly, id, lines, fastAnswers } = await setup({ RATE_LIMIT: "100/0.001" });
    const get = (base: string, requestId: string) =>
      fetch(`${base}/api/v1/sequences/${id}`, {
        headers: { "X-API-Key": KEY_A, Origin: "http://app.example", "X-Request-Id": requestId },
      });
    const viaHono = await get(honoOnly, "req-hono"); // also fills the cache
    const viaFast = await get(withFast, "req-fast");
    expect(fastAnswers()).toBe(1);
    expect(viaFast.status).toBe(200);
    expect(await viaFast.text()).toBe(await viaHono.text());
    const replaceId = (pairs: [string, string][], id: string) =>
      pairs.map(([n, v]): [string, string] => [n, n === "x-request-id" ? id : v]);
    expect(replaceId(comparable(viaFast), "x")).toEqual(replaceId(comparable(viaHono), "x"));
    expect(viaFast.headers.get("x-request-id")).toBe("req-fast");
    expect(viaFast.headers.get("access-control-allow-origin")).toBe("http://app.example");
    expect(Number(viaFast.headers.get("ratelimit-remaining"))).toBe(
      Number(viaHono.headers.get("ratelimit-remaining")) - 1,
    );
    expect(viaFast.headers.get("server-timing")).toMatch(/^app;dur=\d+\.\d$/);
    const logged = (requestId: string) => {
      const line = lines.find((l) => l.request_id === requestId) as Record<string, unknown>;
      const { duration_ms, ...rest } = line;
      expect(typeof duration_ms).toBe("number");
      return { ...rest, request_id: "x" };
    };
    expect(logged("req-fast")).toEqual(logged("req-hono"));
  });

  it("counts its answers in the same metrics as the Hono route", async () => {
    const { withFast, id, metrics, fastAnswers } = await setup();
    for (let i = 0; i < 3; i++) await fetch(`${withFast}/api/v1/sequences/${id}`, { headers: { "X-API-Key": KEY_A } });
    expect(fastAnswers()).toBe(2); // the first filled the cache
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /tka_http_requests_total\{method="GET",route="\/api\/v1\/sequences\/:sequence_id",status="200"\} 3/,
    );
  });

  it("leaves to Hono every request it cannot answer at once, untouched", async () => {
    const { withFast, id, fastAnswers } = await setup({ RATE_LIMIT: "5/0.001" });
    const get = (path: string, headers: Record<string, string> = { "X-API-Key": KEY_A }, method = "GET") =>
      fetch(`${withFast}${path}`, { method, headers });
    expect((await get(`/api/v1/sequences/${id}`)).status).toBe(200); // a miss: Hono fills the cache
    expect(fastAnswers()).toBe(0);
    // Not for it: a query, a HEAD, a path below the sequence, no key, an unknown key, another project.
    expect((await get(`/api/v1/sequences/${id}?x=1`)).status).toBe(200);
    expect((await get(`/api/v1/sequences/${id}`, { "X-API-Key": KEY_A }, "HEAD")).status).toBe(200);
    expect((await get(`/api/v1/sequences/${id}/history`)).status).toBe(200);
    expect((await get(`/api/v1/sequences/${id}`, {})).status).toBe(401);
    expect((await get(`/api/v1/sequences/${id}`, { "X-API-Key": "key-unknown-0123456789" })).status).toBe(401);
    expect((await get(`/api/v1/sequences/${id}`, { "X-API-Key": KEY_B })).status).toBe(404);
    expect(fastAnswers()).toBe(0);
    // Two Authorization headers: Node keeps the first, Hono's Headers join them; Hono decides.
    const twice = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${withFast}/api/v1/sequences/${id}`);
      const headers = ["Host", url.host, "Authorization", `Bearer ${KEY_A}`, "Authorization", `Bearer ${KEY_B}`];
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(twice).toBe(401);
    expect(fastAnswers()).toBe(0);
    // Key A has used its 5 tokens (the setup created the sequence): the refusal is Hono's (429 with Retry-After), no token taken twice.
    const refused = await get(`/api/v1/sequences/${id}`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).not.toBeNull();
    expect(fastAnswers()).toBe(0);
  });

  it("never answers from before a commit: a change drops the entry, then the new state is served", async () => {
    const { withFast, id, fastAnswers } = await setup();
    const get = async () =>
      (await (await fetch(`${withFast}/api/v1/sequences/${id}`, { headers: { "X-API-Key": KEY_A } })).json()) as {
        name: string;
        version: number;
      };
    await get();
    expect((await get()).name).toBe("Flow");
    expect(fastAnswers()).toBe(1);
    const patched = await fetch(`${withFast}/api/v1/sequences/${id}`, {
      method: "PATCH",
      headers: { "X-API-Key": KEY_A, "Content-Type": "application/merge-patch+json" },
      body: JSON.stringify({ name: "Renamed" }),
    });
    expect(patched.status).toBe(200);
    expect(fastAnswers()).toBe(2); // the PATCH: answered by the write fast path (fast-write.ts)
    expect((await get()).name).toBe("Renamed"); // a miss, through Hono
    expect(fastAnswers()).toBe(2);
    const again = await get();
    expect(again).toMatchObject({ name: "Renamed", version: 2 });
    expect(fastAnswers()).toBe(3);
  });
});
