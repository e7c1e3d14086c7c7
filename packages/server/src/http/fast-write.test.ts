// The fast path for sequence PATCHes against the Hono route it stands in front of: each case sent
// both ways (to two sequences made alike) answers the same status, body, headers and log line;
// every request it cannot decide from its headers goes to Hono untouched; a client that hangs up
// mid-body changes nothing. Real node:http servers on one in-process server.
import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { closeFastPairs, comparableHeaders, fastPair, KEY_A } from "./fast-pair.fixture.ts";

afterEach(closeFastPairs);
const setup = fastPair;

/** Ids, times and request ids replaced: what two alike requests on two alike sequences share. */
function normal(text: string): string {
  return text
    .replace(/\b[a-z]{2,5}_[0-9A-HJKMNP-TV-Z]{26}\b/g, "<id>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/req-(fast|hono)/g, "<req>");
}

const comparable = (response: Response) => comparableHeaders(response, normal);

function patch(base: string, id: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/v1/sequences/${id}`, {
    method: "PATCH",
    headers: {
      "X-API-Key": KEY_A,
      "Content-Type": "application/merge-patch+json",
      Origin: "http://app.example",
      ...headers,
    },
    body,
  });
}

describe("fast path for sequence PATCHes", () => {
  const cases: [string, string, Record<string, string>?, string?][] = [
    ["a change", '{"name":"Renamed","metadata":{"n":1}}'],
    ["a change with a matching If-Match", '{"name":"Renamed"}', { "If-Match": '"1"' }],
    ["a stale If-Match (412 with ETag)", '{"name":"Renamed"}', { "If-Match": '"7"' }],
    ["no change at all", '{"name":"Flow"}'],
    ["malformed JSON (400)", '{"name":'],
    ["a schema violation (422)", '{"name":5,"length":-1}'],
    ["U+0000 in a string (422)", '{"name":"a\\u0000b"}'],
    ["over the JSON depth limit (413)", `{"metadata":${"[".repeat(40)}${"]".repeat(40)}}`],
    ["bytes that are not UTF-8 (400)", '{"name":"\xff"}'],
    ["an unknown sequence (404)", '{"name":"x"}', {}, "seq_01ARZ3NDEKTSV4RRFFQ69G5FAV"],
  ];
  for (const [name, body, headers = {}, unknownId] of cases) {
    it(`answers ${name} as the Hono route does`, async () => {
      const { withFast, honoOnly, create, lines, fastAnswers } = await setup({
        RATE_LIMIT: "100/0.001",
        JSON_MAX_DEPTH: "16",
      });
      const [a, b] = [unknownId ?? (await create()), unknownId ?? (await create())];
      const raw = name.includes("UTF-8") ? Buffer.from(body, "latin1") : body;
      const send = (base: string, id: string, requestId: string) =>
        patch(base, id, raw as string, { ...headers, "X-Request-Id": requestId });
      const viaHono = await send(honoOnly, a, "req-hono");
      const viaFast = await send(withFast, b, "req-fast");
      expect(fastAnswers()).toBe(1);
      expect(viaFast.status).toBe(viaHono.status);
      expect(normal(await viaFast.text())).toBe(normal(await viaHono.text()));
      expect(comparable(viaFast)).toEqual(comparable(viaHono));
      expect(Number(viaFast.headers.get("ratelimit-remaining"))).toBe(
        Number(viaHono.headers.get("ratelimit-remaining")) - 1,
      );
      const logged = (requestId: string) => {
        const { duration_ms, ...rest } = lines.find((l) => l.request_id === requestId) as Record<string, unknown>;
        expect(typeof duration_ms).toBe("number");
        return JSON.parse(normal(JSON.stringify(rest)));
      };
      expect(logged("req-fast")).toEqual(logged("req-hono"));
    });
  }

  it("commits durably and publishes the event, as the Hono route does", async () => {
    const { withFast, create, built, fastAnswers } = await setup();
    const id = await create();
    const answer = await patch(withFast, id, '{"metadata":{"n":1}}');
    expect(answer.status).toBe(200);
    expect(answer.headers.get("etag")).toBe('"2"');
    expect(fastAnswers()).toBe(1);
    expect(await built.store.getSequence((await built.keys.known(KEY_A))?.projectId ?? "", id)).toMatchObject({
      version: 2,
    });
    const events = await built.store.eventsFrom((built.keys.known(KEY_A) as { projectId: string }).projectId, 0, 10);
    expect(events.map((e) => [e.type, e.sequence_version])).toEqual([
      ["sequence.created", 1],
      ["sequence.updated", 2],
    ]);
    expect(await built.metrics.registry.getSingleMetricAsString("tka_http_requests_total")).toMatch(
      /method="PATCH",route="\/api\/v1\/sequences\/:sequence_id",status="200"\} 1/,
    );
  });

  it("leaves to Hono every request it cannot decide from its headers, untouched", async () => {
    const { withFast, create, fastAnswers } = await setup({ BODY_LIMIT: "2048", RATE_LIMIT: "30/0.001" });
    const id = await create();
    const body = '{"name":"Other"}';
    // A query, a content type the operation does not take, none at all, an empty body, a body
    // over the limit, an unknown key, an invalid If-Match, an invalid id, a chunked body.
    expect((await fetch(`${withFast}/api/v1/sequences/${id}?x=1`, { method: "PATCH", body })).status).toBe(401);
    expect((await patch(withFast, id, body, { "Content-Type": "text/plain" })).status).toBe(415);
    expect((await patch(withFast, id, "", {})).status).toBe(400);
    expect((await patch(withFast, id, `{"name":"${"x".repeat(3000)}"}`)).status).toBe(413);
    expect((await patch(withFast, id, body, { "X-API-Key": "key-unknown-0123456789" })).status).toBe(401);
    expect((await patch(withFast, id, body, { "If-Match": "" })).status).toBe(400);
    expect((await patch(withFast, "not%20an%20id", body)).status).toBe(400);
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(body));
        controller.close();
      },
    });
    const streamed = await fetch(`${withFast}/api/v1/sequences/${id}`, {
      method: "PATCH",
      headers: { "X-API-Key": KEY_A, "Content-Type": "application/merge-patch+json" },
      body: chunked,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(200);
    expect(fastAnswers()).toBe(0);
    // Two Content-Type headers: Node keeps the first, Hono's Headers join them; Hono decides.
    const twice = await rawPatch(withFast, id, [
      "Content-Type",
      "application/json",
      "Content-Type",
      "text/plain",
      "Content-Length",
      String(body.length),
    ]);
    expect(twice.status).toBe(415);
    expect(fastAnswers()).toBe(0);
  });

  it("answers keyed requests as the Hono route and its idempotency middleware do", async () => {
    const { withFast, honoOnly, create, lines, built, fastAnswers } = await setup({ RATE_LIMIT: "100/0.001" });
    const [a, b] = [await create(), await create()];
    const steps: [string, string][] = [
      ["first", '{"name":"Keyed"}'],
      ["replay", '{"name":"Keyed"}'],
      ["other body", '{"name":"Other"}'],
      ["malformed first", '{"name":'],
      ["malformed replay", '{"name":'],
      ["unknown sequence", '{"name":"x"}'],
    ];
    for (const [i, [step, body]] of steps.entries()) {
      const key = step.startsWith("malformed") ? "m" : step === "unknown sequence" ? "u" : "k";
      const unknown = "seq_01ARZ3NDEKTSV4RRFFQ69G5FAV";
      const [idA, idB] = step === "unknown sequence" ? [unknown, unknown] : [a, b];
      const viaHono = await patch(honoOnly, idA, body, {
        "Idempotency-Key": `${key}-hono`,
        "X-Request-Id": `req-hono-${i}`,
      });
      const viaFast = await patch(withFast, idB, body, {
        "Idempotency-Key": `${key}-fast`,
        "X-Request-Id": `req-fast-${i}`,
      });
      expect([step, viaFast.status]).toEqual([step, viaHono.status]);
      expect(normal(await viaFast.text())).toBe(normal(await viaHono.text()));
      expect(comparable(viaFast)).toEqual(comparable(viaHono));
      const logged = (requestId: string) => {
        const { duration_ms: _, ...rest } = lines.find((l) => l.request_id === requestId) as Record<string, unknown>;
        return JSON.parse(normal(JSON.stringify(rest)).replace(/<req>-\d+/, "<req>"));
      };
      expect(logged(`req-fast-${i}`)).toEqual(logged(`req-hono-${i}`));
    }
    expect(fastAnswers()).toBe(steps.length);
    // One change each (the replay committed nothing), and the keys' answers are stored alike.
    const projectId = (built.keys.known(KEY_A) as { projectId: string }).projectId;
    expect((await built.store.getSequence(projectId, b))?.version).toBe(2);
    const claim = (key: string) =>
      built.store.claimIdempotencyKey({ project_id: projectId, key, fingerprint: "other" }, 60_000);
    expect(await claim("k-fast")).toEqual(await claim("k-hono"));
  });

  it("takes no token twice and refuses nothing itself: a key out of tokens gets Hono's 429", async () => {
    const { withFast, create, fastAnswers } = await setup({ RATE_LIMIT: "3/0.001" });
    const id = await create(); // token 1
    expect((await patch(withFast, id, '{"name":"A"}')).status).toBe(200);
    expect((await patch(withFast, id, '{"name":"B"}')).status).toBe(200);
    expect(fastAnswers()).toBe(2);
    const refused = await patch(withFast, id, '{"name":"C"}');
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).not.toBeNull();
    expect(fastAnswers()).toBe(2);
  });

  it("changes nothing when the client hangs up mid-body, logs it as 499 and keeps serving", async () => {
    const { withFast, create, lines, built, fastAnswers } = await setup();
    const id = await create();
    const url = new URL(`${withFast}/api/v1/sequences/${id}`);
    await new Promise<void>((resolve) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "PATCH",
        headers: {
          "X-API-Key": KEY_A,
          "Content-Type": "application/merge-patch+json",
          "Content-Length": "1000",
        },
      });
      req.on("error", () => resolve());
      req.write('{"name":"half', () => setImmediate(() => req.destroy()));
      req.on("close", () => resolve());
    });
    const aborted = await waitFor(() => lines.find((l) => l.status === 499));
    expect(aborted).toMatchObject({ method: "PATCH", route: "/api/v1/sequences/:sequence_id", client_abort: true });
    expect(fastAnswers()).toBe(1);
    const projectId = (built.keys.known(KEY_A) as { projectId: string }).projectId;
    expect(await built.store.getSequence(projectId, id)).toMatchObject({ version: 1 });
    expect((await patch(withFast, id, '{"name":"Whole"}')).status).toBe(200);
  });

  it("serves many concurrent PATCHes of one sequence in order, each a version of its own", async () => {
    const { withFast, create } = await setup({ RATE_LIMIT: "1000/1000" });
    const id = await create();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => patch(withFast, id, JSON.stringify({ metadata: { n: i } }))),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const versions = answers.map((a) => Number(a.headers.get("etag")?.replaceAll('"', "")));
    expect(new Set(versions).size).toBe(50);
    expect(Math.max(...versions)).toBe(51);
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function rawPatch(base: string, id: string, extra: string[]): Promise<{ status: number }> {
  const url = new URL(`${base}/api/v1/sequences/${id}`);
  return new Promise((resolve, reject) => {
    const headers = ["Host", url.host, "X-API-Key", KEY_A, ...extra];
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "PATCH", headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on("error", reject);
    req.end('{"name":"Other"}');
  });
}
