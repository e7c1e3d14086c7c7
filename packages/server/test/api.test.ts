// The HTTP API end to end inside one process: generated skeleton (validation), middleware
// (auth, rate limit, idempotency), handlers, service and a real SQLite file.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { buildServer } from "../src/server.ts";

const KEY_A = "key-a-0123456789abcdef";
const KEY_B = "key-b-0123456789abcdef";
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup(env: Record<string, string> = {}) {
  const config = loadConfig([], {
    DATA_DIR: mkdtempSync(join(tmpdir(), "tka-api-")),
    API_KEYS: `alpha=${KEY_A},beta=${KEY_B}`,
    ...env,
  });
  const server = await buildServer(config, () => {});
  closers.push(() => server.store.close());
  const call = (
    method: string,
    path: string,
    options: { body?: unknown; key?: string | null; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = {
      ...(options.key === null ? {} : { "X-API-Key": options.key ?? KEY_A }),
      ...options.headers,
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["Content-Type"] ??= method === "PATCH" ? "application/merge-patch+json" : "application/json";
    }
    return server.app.request(path, { method, headers, ...(body === undefined ? {} : { body }) });
  };
  return { call, server };
}

type Json = Record<string, unknown>;

describe("sequences over HTTP", () => {
  it("creates, reads, patches and lists, with ETags", async () => {
    const { call } = await setup();
    const created = await call("POST", "/api/v1/sequences", {
      body: { name: "Flow", beats: [{ letter: "a" }, { letter: "b" }] },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("ETag")).toBe('"1"');
    const seq = (await created.json()) as Json & { id: string };
    expect(seq).toMatchObject({ name: "Flow", word: "AB", length: 2, version: 1 });
    const patched = await call("PATCH", `/api/v1/sequences/${seq.id}`, {
      body: { name: "Renamed" },
      headers: { "If-Match": '"1"' },
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.get("ETag")).toBe('"2"');
    expect(await patched.json()).toMatchObject({
      name: "Renamed",
      history: { undo_description: 'Rename to "Renamed"' },
    });
    const list = (await (await call("GET", "/api/v1/sequences?limit=1")).json()) as Json;
    expect(list).toMatchObject({ has_more: false, next_cursor: null, data: [{ id: seq.id, name: "Renamed" }] });
  });

  it("refuses invalid input with typed problems and changes nothing", async () => {
    const { call } = await setup();
    const invalid = await call("POST", "/api/v1/sequences", { body: { name: "", length: 65 } });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get("Content-Type")).toBe("application/problem+json");
    const problem = (await invalid.json()) as { code: string; errors: { field: string }[]; request_id: string };
    expect(problem.code).toBe("VALIDATION_FAILED");
    expect(problem.errors.map((e) => e.field).sort()).toEqual(["/length", "/name"]);
    expect(problem.request_id).toBe(invalid.headers.get("X-Request-Id"));
    expect((await call("POST", "/api/v1/sequences", { body: "{oops" })).status).toBe(400);
    expect(
      (await call("POST", "/api/v1/sequences", { body: { name: "x" }, headers: { "Content-Type": "text/plain" } }))
        .status,
    ).toBe(415);
    expect((await call("GET", "/api/v1/sequences?limit=0")).status).toBe(400);
    expect((await call("POST", "/api/v1/sequences", { body: { name: "x", beats: [{ duration: 11 }] } })).status).toBe(
      422,
    );
    const list = (await (await call("GET", "/api/v1/sequences")).json()) as { data: unknown[] };
    expect(list.data).toHaveLength(0);
  });

  it("authenticates, scopes data to the key's project, and 404s another project's sequence", async () => {
    const { call } = await setup();
    expect((await call("GET", "/api/v1/sequences", { key: null })).status).toBe(401);
    expect((await call("GET", "/api/v1/sequences", { key: "wrong-key-0123456789" })).status).toBe(401);
    const seq = (await (await call("POST", "/api/v1/sequences", { body: { name: "Mine" } })).json()) as { id: string };
    expect((await call("GET", `/api/v1/sequences/${seq.id}`, { key: KEY_B })).status).toBe(404);
    expect((await call("GET", "/api/v1/health", { key: null })).status).toBe(200);
  });

  it("reads the state after every change, though reads may be answered from memory", async () => {
    const { call } = await setup();
    const read = async (id: string) => {
      const first = await call("GET", `/api/v1/sequences/${id}`);
      const again = await call("GET", `/api/v1/sequences/${id}`); // the one answered from memory
      expect(again.status).toBe(first.status);
      expect(again.headers.get("ETag")).toBe(first.headers.get("ETag"));
      const body = (await first.json()) as Json;
      if (first.status === 200) expect(await again.json()).toEqual(body);
      return { status: first.status, body };
    };
    const created = (await (await call("POST", "/api/v1/sequences", { body: { name: "A" } })).json()) as Json & {
      id: string;
    };
    const id = created.id;
    expect((await read(id)).body).toEqual(created);
    expect((await call("GET", `/api/v1/sequences/${id}`, { key: KEY_B })).status).toBe(404);
    const changes: [string, string, unknown][] = [
      ["PATCH", "", { name: "B" }],
      ["POST", "/beats", { letter: "C" }],
      ["POST", "/undo", undefined],
      ["POST", "/redo", undefined],
    ];
    for (const [method, suffix, body] of changes) {
      const answer = (await (await call(method, `/api/v1/sequences/${id}${suffix}`, { body })).json()) as Json;
      expect((await read(id)).body).toEqual("sequence" in answer ? answer.sequence : answer);
    }
    expect(await read(id)).toMatchObject({ body: { name: "B", length: 17, version: 5, history: { can_undo: true } } });
    expect((await call("DELETE", `/api/v1/sequences/${id}`)).status).toBe(200);
    expect((await read(id)).status).toBe(404);
    await call("POST", `/api/v1/sequences/${id}/undo`);
    expect(await read(id)).toMatchObject({ status: 200, body: { version: 7, history: { can_redo: true } } });
  });

  it("answers a stale If-Match with 412 and the current ETag", async () => {
    const { call } = await setup();
    const seq = (await (await call("POST", "/api/v1/sequences", { body: { name: "A" } })).json()) as { id: string };
    await call("PATCH", `/api/v1/sequences/${seq.id}`, { body: { name: "B" } });
    const stale = await call("PATCH", `/api/v1/sequences/${seq.id}`, {
      body: { name: "C" },
      headers: { "If-Match": '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.headers.get("ETag")).toBe('"2"');
    expect(await stale.json()).toMatchObject({ code: "VERSION_MISMATCH" });
  });

  it("edits beats, refuses a 65th with 409, and undoes / redoes including a deletion", async () => {
    const { call } = await setup();
    const seq = (await (await call("POST", "/api/v1/sequences", { body: { name: "Full", length: 64 } })).json()) as {
      id: string;
      beats: { id: string }[];
    };
    const full = await call("POST", `/api/v1/sequences/${seq.id}/beats`, { body: { letter: "A" } });
    expect(full.status).toBe(409);
    expect(await full.json()).toMatchObject({ code: "BEAT_LIMIT_REACHED" });
    const removed = await call("DELETE", `/api/v1/sequences/${seq.id}/beats/${seq.beats[0]?.id}`);
    expect(await removed.json()).toMatchObject({ length: 63 });
    const moved = await call("POST", `/api/v1/sequences/${seq.id}/beats/${seq.beats[1]?.id}/move`, {
      body: { position: 62 },
    });
    expect(((await moved.json()) as { beats: { id: string }[] }).beats[62]?.id).toBe(seq.beats[1]?.id);
    expect((await call("DELETE", `/api/v1/sequences/${seq.id}`)).status).toBe(200);
    expect((await call("GET", `/api/v1/sequences/${seq.id}`)).status).toBe(404);
    const undo = await call("POST", `/api/v1/sequences/${seq.id}/undo`);
    expect(undo.status).toBe(200);
    expect(await undo.json()).toMatchObject({
      entry: { command: "sequence.delete", undone: true },
      sequence: { length: 63 },
    });
    expect((await call("POST", `/api/v1/sequences/${seq.id}/redo`)).status).toBe(200);
    const history = (await (await call("GET", `/api/v1/sequences/${seq.id}/history?limit=2`)).json()) as Json;
    expect(history).toMatchObject({
      has_more: true,
      state: { can_undo: true },
      data: [{ command: "sequence.delete" }, { command: "beat.move" }],
    });
  });

  it("replays a retried POST with the same Idempotency-Key: one sequence", async () => {
    const { call } = await setup();
    const headers = { "Idempotency-Key": "create-once-1" };
    const first = await call("POST", "/api/v1/sequences", { body: { name: "Once" }, headers });
    const retry = await call("POST", "/api/v1/sequences", { body: { name: "Once" }, headers });
    expect(retry.headers.get("Idempotency-Replayed")).toBe("true");
    expect(await retry.json()).toEqual(await first.json());
    const list = (await (await call("GET", "/api/v1/sequences")).json()) as { data: unknown[] };
    expect(list.data).toHaveLength(1);
  });

  it("replays retried PUT, PATCH and DELETE with the same Idempotency-Key: one command each", async () => {
    const { call } = await setup();
    const seq = (await (await call("POST", "/api/v1/sequences", { body: { name: "Keys", length: 2 } })).json()) as {
      id: string;
    };
    const path = `/api/v1/sequences/${seq.id}`;
    const replace = { body: { beats: [{ letter: "a" }] }, headers: { "Idempotency-Key": "put-1" } };
    const put = await call("PUT", `${path}/beats`, replace);
    const putAgain = await call("PUT", `${path}/beats`, replace);
    expect(put.status).toBe(200);
    expect(putAgain.headers.get("Idempotency-Replayed")).toBe("true");
    expect(putAgain.headers.get("ETag")).toBe(put.headers.get("ETag"));
    expect(await putAgain.json()).toEqual(await put.json());

    const patch = { body: { name: "Renamed" }, headers: { "Idempotency-Key": "patch-1" } };
    expect((await call("PATCH", path, patch)).status).toBe(200);
    expect((await call("PATCH", path, patch)).headers.get("Idempotency-Replayed")).toBe("true");
    // The same key with another body is refused, and changes nothing.
    const reused = await call("PATCH", path, { body: { name: "Other" }, headers: { "Idempotency-Key": "patch-1" } });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });

    // A DELETE whose first answer was lost: the retry gets that answer, not a 404.
    const del = { headers: { "Idempotency-Key": "delete-1" } };
    const deleted = await call("DELETE", path, del);
    const deletedAgain = await call("DELETE", path, del);
    expect(deleted.status).toBe(200);
    expect(deletedAgain.status).toBe(200);
    expect(deletedAgain.headers.get("Idempotency-Replayed")).toBe("true");
    expect(await deletedAgain.json()).toEqual(await deleted.json());
    // Without the key a second DELETE is the 404 it should be.
    expect((await call("DELETE", path)).status).toBe(404);

    const history = (await (await call("GET", `${path}/history`)).json()) as { data: { command: string }[] };
    expect(history.data.map((e) => e.command)).toEqual([
      "sequence.delete",
      "sequence.update",
      "beats.replace",
      "sequence.create",
    ]);
  });

  it("refuses a malformed Idempotency-Key on a DELETE with a 400, changing nothing", async () => {
    const { call } = await setup();
    const seq = (await (await call("POST", "/api/v1/sequences", { body: { name: "K" } })).json()) as { id: string };
    const bad = await call("DELETE", `/api/v1/sequences/${seq.id}`, { headers: { "Idempotency-Key": "a b" } });
    expect(bad.status).toBe(400);
    expect((await call("GET", `/api/v1/sequences/${seq.id}`)).status).toBe(200);
    const long = await call("DELETE", `/api/v1/sequences/${seq.id}`, {
      headers: { "Idempotency-Key": "k".repeat(256) },
    });
    expect(long.status).toBe(400);
  });

  it("rate-limits per key with 429 and Retry-After", async () => {
    const { call } = await setup({ RATE_LIMIT: "3/0.01" });
    for (let i = 0; i < 3; i++) expect((await call("GET", "/api/v1/sequences")).status).toBe(200);
    const limited = await call("GET", "/api/v1/sequences");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await call("GET", "/api/v1/sequences", { key: KEY_B })).status).toBe(200);
  });

  it("streams change events over SSE after Last-Event-ID", async () => {
    const { call } = await setup();
    const seq = (await (await call("POST", "/api/v1/sequences", { body: { name: "Live" } })).json()) as { id: string };
    await call("PATCH", `/api/v1/sequences/${seq.id}`, { body: { name: "Live 2" } });
    const stream = await call("GET", "/api/v1/events", { headers: { "Last-Event-ID": "evt_0000000000000001" } });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("Content-Type")).toContain("text/event-stream");
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!text.includes("sequence.updated")) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain("event: sequence.updated");
    expect(text).toContain("id: evt_0000000000000002");
    const bogus = await call("GET", "/api/v1/events", { headers: { "Last-Event-ID": "bogus" } });
    expect(bogus.status).toBe(400);
    expect(await bogus.json()).toMatchObject({ code: "INVALID_EVENT_ID" });
  });

  it("answers 409 EVENTS_EXPIRED to a resume from an event retention pruned", async () => {
    const { call, server } = await setup();
    await call("POST", "/api/v1/sequences", { body: { name: "Old" } });
    await server.store.pruneEvents({ olderThan: "2999-01-01T00:00:00.000Z" });
    const expired = await call("GET", "/api/v1/events", { headers: { "Last-Event-ID": "evt_0000000000000001" } });
    expect(expired.status).toBe(409);
    expect(expired.headers.get("Content-Type")).toContain("application/problem+json");
    expect(await expired.json()).toMatchObject({ status: 409, code: "EVENTS_EXPIRED" });
    // Without Last-Event-ID the stream starts live.
    const live = await call("GET", "/api/v1/events");
    expect(live.status).toBe(200);
    await (live.body as ReadableStream<Uint8Array>).cancel();
  });
});
