// Hostile request bodies and parameters over real HTTP, against SQLite and (when
// TKA_TEST_DATABASE_URL is set) PostgreSQL: every case is a typed 4xx, changes nothing, and
// leaves the server (and its database circuit) serving.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createServerWith } from "../src/http/fast-read.ts";
import { buildServer } from "../src/server.ts";

const KEY = "key-hostile-0123456789";
type Json = Record<string, unknown>;
type Body = string | Uint8Array;

interface Engine {
  name: string;
  env(): Promise<Record<string, string>>;
  cleanup(): Promise<void>;
}

const engines: Engine[] = [{ name: "SQLite", env: async () => ({}), cleanup: async () => {} }];
const pgUrl = process.env.TKA_TEST_DATABASE_URL;
if (pgUrl) {
  const database = `tka_hostile_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  engines.push({
    name: "PostgreSQL",
    env: async () => {
      await admin(`CREATE DATABASE ${database}`);
      const url = new URL(pgUrl);
      url.pathname = `/${database}`;
      return { DATABASE_URL: url.href };
    },
    cleanup: () => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  });
}

/** The server built from a config and listening on a free port; `call` sends real HTTP. */
async function start(env: Record<string, string>) {
  const config = loadConfig([], {
    DATA_DIR: mkdtempSync(join(tmpdir(), "tka-hostile-")),
    API_KEYS: `p=${KEY}`,
    RATE_LIMIT: "100000/100000",
    ...env,
  });
  const server = await buildServer(config, () => {});
  // Wired as main.ts wires it: the node:http fast paths (cached reads, sequence PATCHes) first.
  const http = serve({
    fetch: server.app.fetch,
    hostname: "127.0.0.1",
    port: 0,
    createServer: createServerWith(server.fastPath),
  });
  await new Promise<void>((resolve) => (http.listening ? resolve() : http.once("listening", () => resolve())));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const call = (method: string, path: string, body?: Body, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        "X-API-Key": KEY,
        ...(body === undefined
          ? {}
          : { "Content-Type": method === "PATCH" ? "application/merge-patch+json" : "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body }),
    });
  /** A raw request (fetch refuses TRACE and CONNECT-like methods): status, headers, body. */
  const raw = (method: string, path: string) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = request(`${base}${path}`, { method, headers: { "X-API-Key": KEY } }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    });
  const close = async () => {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await server.retention.stop();
    await server.store.close();
  };
  return { call, raw, close };
}

const nested = (depth: number, leaf = "1") => "[".repeat(depth) + leaf + "]".repeat(depth);
const bytesOf = (text: string) => new TextEncoder().encode(text);
/** `text` as UTF-8 with one byte replaced by 0xFF (never valid in UTF-8). */
function broken(text: string, marker: string): Uint8Array {
  const bytes = bytesOf(text);
  bytes[text.indexOf(marker)] = 0xff;
  return bytes;
}
const manyMembers = `{${Array.from({ length: 10_001 }, (_, i) => `"k${i}":0`).join(",")}}`;
const longString = JSON.stringify("x".repeat(100_001));

/**
 * Each hostile case: a body (with `@` where the hostile value goes), the status and the error
 * expected. The same value is tried in a named field and in `metadata`.
 */
const cases: { name: string; value: string | ((json: string) => Body); status: number; code: string }[] = [
  { name: "nested 4,096 levels deep (30 KB)", value: nested(4096), status: 413, code: "maxDepth" },
  { name: "nested 65 levels deep", value: nested(65), status: 413, code: "maxDepth" },
  { name: "10,001 members", value: manyMembers, status: 413, code: "maxMembers" },
  { name: "20,000 array elements", value: `[${"0,".repeat(19_999)}0]`, status: 413, code: "maxMembers" },
  { name: "a string of 100,001 characters", value: longString, status: 413, code: "maxStringLength" },
  { name: "bytes that are not UTF-8", value: (json) => broken(json, "\u00e9"), status: 400, code: "encoding" },
  { name: "U+0000", value: '"a\\u0000b"', status: 422, code: "nul_character" },
  { name: "a lone high surrogate", value: '"a\\ud800b"', status: 422, code: "unpaired_surrogate" },
  { name: "a lone low surrogate", value: '"\\udfff"', status: 422, code: "unpaired_surrogate" },
];

/** Where a hostile value goes in each operation's body: a field, and a metadata member. */
function bodies(template: string, value: string | ((json: string) => Body)): Body[] {
  const fill = (text: string) =>
    typeof value === "string" ? text.replace("@", value) : value(text.replace("@", '"\u00e9"'));
  return [fill(template), fill(template.replace(/"(\w+)":@/, '"$1":"ok","metadata":{"m":@}'))];
}

for (const engine of engines) {
  describe(`hostile input over HTTP (${engine.name})`, () => {
    let server: Awaited<ReturnType<typeof start>>;
    let seq: Json & { id: string; beats: { id: string }[] };

    beforeAll(async () => {
      server = await start(await engine.env());
      const created = await server.call("POST", "/api/v1/sequences", JSON.stringify({ name: "Base", length: 2 }));
      expect(created.status).toBe(201);
      seq = (await created.json()) as typeof seq;
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await engine.cleanup();
    }, 60_000);

    const state = async () => {
      const list = (await (await server.call("GET", "/api/v1/sequences")).json()) as { data: Json[] };
      const one = (await (await server.call("GET", `/api/v1/sequences/${seq.id}`)).json()) as Json;
      return { ids: list.data.map((s) => s.id), one };
    };

    for (const c of cases) {
      it(`refuses ${c.name} in a field and in metadata on create, patch and add-beat, changing nothing`, async () => {
        const before = await state();
        const attempts: [string, string, Body][] = [
          ...bodies('{"name":@}', c.value).map((b): [string, string, Body] => ["POST", "/api/v1/sequences", b]),
          ...bodies('{"start_position":@}', c.value).map((b): [string, string, Body] => [
            "PATCH",
            `/api/v1/sequences/${seq.id}`,
            b,
          ]),
          ...bodies('{"letter":@}', c.value).map((b): [string, string, Body] => [
            "POST",
            `/api/v1/sequences/${seq.id}/beats`,
            b,
          ]),
        ];
        for (const [method, path, body] of attempts) {
          const res = await server.call(method, path, body);
          const problem = (await res.json()) as { code: string; errors?: { field: string; code: string }[] };
          expect({ method, path, status: res.status }).toEqual({ method, path, status: c.status });
          expect(res.headers.get("Content-Type")).toBe("application/problem+json");
          expect(problem.errors?.[0]?.code).toBe(c.code);
        }
        expect(await state()).toEqual(before);
      }, 60_000);
    }

    it("names the field: the path of the string, or the object of a bad member name", async () => {
      const res = await server.call(
        "POST",
        "/api/v1/sequences",
        '{"name":"n","metadata":{"ok":["\\ud83d\\ude00"],"a\\u0000":1,"b":["x","\\u0000"]}}',
      );
      expect(res.status).toBe(422);
      const problem = (await res.json()) as { errors: { field: string; code: string }[] };
      expect(problem.errors.map((e) => [e.field, e.code])).toEqual([
        ["/metadata", "nul_character"],
        ["/metadata/b/1", "nul_character"],
      ]);
    });

    it("stores and returns metadata at the deepest nesting allowed, and a string at the longest", async () => {
      // The body is depth 1, metadata 2, its member 3: 62 more levels reach the limit of 64.
      const deep = `{"name":"Deep","metadata":{"m":${nested(62)}}}`;
      const created = await server.call("POST", "/api/v1/sequences", deep);
      expect(created.status).toBe(201);
      const body = (await created.json()) as Json & { id: string };
      expect(body.metadata).toEqual(JSON.parse(deep).metadata);
      // 100,000 characters (the string limit), two UTF-8 bytes each, would pass the metadata's
      // 128 KiB: 50,000 of them do, as one string of the body.
      const long = "\u00e9".repeat(50_000);
      const patched = await server.call("PATCH", `/api/v1/sequences/${body.id}`, `{"metadata":{"s":"${long}"}}`);
      expect(patched.status).toBe(200);
      const read = (await (await server.call("GET", `/api/v1/sequences/${body.id}`)).json()) as Json;
      expect(read.metadata).toEqual({ m: JSON.parse(deep).metadata.m, s: long });
      expect((await server.call("DELETE", `/api/v1/sequences/${body.id}`)).status).toBe(200);
    }, 60_000);

    it("keeps metadata within its size after any number of merge patches", async () => {
      const created = await server.call("POST", "/api/v1/sequences", '{"name":"Grow","length":1}');
      const { id } = (await created.json()) as { id: string };
      const statuses: number[] = [];
      for (let round = 0; round < 8; round++) {
        const metadata = Object.fromEntries(
          Array.from({ length: 1_000 }, (_, i) => [`r${round}k${i}`, "v".repeat(12)]),
        );
        statuses.push((await server.call("PATCH", `/api/v1/sequences/${id}`, JSON.stringify({ metadata }))).status);
      }
      // About 25 KB a round: the sixth would pass 128 KiB.
      expect(statuses).toEqual([200, 200, 200, 200, 200, 422, 422, 422]);
      const read = await (await server.call("GET", `/api/v1/sequences/${id}`)).text();
      expect(read.length).toBeLessThan(140_000);
      const over = await server.call("PATCH", `/api/v1/sequences/${id}`, `{"metadata":{"x":"${"y".repeat(40_000)}"}}`);
      expect(await over.json()).toMatchObject({ errors: [{ field: "/metadata", code: "maxBytes" }] });
    }, 60_000);

    it("400s query text with U+0000 or percent escapes that are not UTF-8", async () => {
      for (const query of ["name_contains=a%00", "name_contains=%ED%A0%80", "word=%FF", "cursor=%C3"]) {
        const res = await server.call("GET", `/api/v1/sequences?${query}`);
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        const problem = (await res.json()) as { errors: { field: string }[] };
        expect(problem.errors[0]?.field).toBe(`query.${query.split("=")[0]}`);
      }
    });

    it("still serves, with the database circuit closed, after all of the above", async () => {
      for (let i = 0; i < 6; i++) {
        expect((await server.call("POST", "/api/v1/sequences", `{"name":"x","metadata":${nested(5000)}}`)).status).toBe(
          413,
        );
        expect((await server.call("POST", "/api/v1/sequences", '{"name":"a\\u0000"}')).status).toBe(422);
      }
      expect((await server.call("GET", "/api/v1/health/ready")).status).toBe(200);
      const created = await server.call("POST", "/api/v1/sequences", '{"name":"After"}');
      expect(created.status).toBe(201);
    }, 60_000);
  });
}

describe("methods a path does not serve", () => {
  let server: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    server = await start({});
  }, 60_000);
  afterAll(() => server?.close(), 60_000);

  it("answer 405 with Allow on every path of the contract, and OPTIONS answers 204 with Allow", async () => {
    const paths: [string, string, string[]][] = [
      ["/api/v1/sequences", "GET, HEAD, POST, OPTIONS", ["PUT", "PATCH", "DELETE", "TRACE"]],
      ["/api/v1/sequences/seq_1", "GET, HEAD, PATCH, DELETE, OPTIONS", ["POST", "PUT", "TRACE"]],
      ["/api/v1/sequences/seq_1/beats", "POST, PUT, OPTIONS", ["GET", "HEAD", "PATCH", "DELETE"]],
      ["/api/v1/sequences/seq_1/beats/b_1", "GET, HEAD, PATCH, DELETE, OPTIONS", ["POST", "PUT"]],
      ["/api/v1/sequences/seq_1/undo", "POST, OPTIONS", ["GET", "PUT", "DELETE"]],
      ["/api/v1/health", "GET, HEAD, OPTIONS", ["POST", "DELETE", "TRACE"]],
      ["/api/v1/events", "GET, HEAD, OPTIONS", ["POST"]],
    ];
    for (const [path, allow, methods] of paths) {
      for (const method of methods) {
        const res = await server.raw(method, path);
        expect({ path, method, status: res.status, allow: res.headers.allow }).toEqual({
          path,
          method,
          status: 405,
          allow,
        });
        if (method !== "HEAD") {
          expect(JSON.parse(res.body)).toMatchObject({ code: "METHOD_NOT_ALLOWED", status: 405 });
        }
      }
      const options = await server.raw("OPTIONS", path);
      expect({ path, status: options.status, allow: options.headers.allow }).toEqual({ path, status: 204, allow });
    }
  });

  it("keep 404 for unknown paths and serve the declared methods as before", async () => {
    expect((await server.raw("DELETE", "/api/v1/nothing")).status).toBe(404);
    expect((await server.raw("GET", "/api/v1/sequences")).status).toBe(200);
    expect((await server.raw("HEAD", "/api/v1/health")).status).toBe(200);
  });
});

describe("strict request bodies", () => {
  let server: Awaited<ReturnType<typeof start>>;
  let seq: Json & { id: string; beats: { id: string }[] };
  beforeAll(async () => {
    server = await start({});
    seq = (await (await server.call("POST", "/api/v1/sequences", '{"name":"Strict","length":2}')).json()) as typeof seq;
  }, 60_000);
  afterAll(() => server?.close(), 60_000);

  it("422 every unknown member, at any depth, as a JSON pointer, and change nothing", async () => {
    const beat = `/api/v1/sequences/${seq.id}/beats`;
    const cases: [string, string, unknown, string[]][] = [
      ["POST", beat, { lettr: "A" }, ["/lettr"]],
      ["POST", "/api/v1/sequences", { name: "t", bogus: 1 }, ["/bogus"]],
      ["PATCH", `/api/v1/sequences/${seq.id}`, { name: "t", ifMatch: '"1"' }, ["/ifMatch"]],
      [
        "POST",
        "/api/v1/sequences",
        {
          name: "t",
          beats: [
            { letter: "A" },
            {
              lettr: "B",
              red_motion: { motion_type: "pro", prop_rot_dir: "cw", start_loc: "n", end_loc: "e", spin: 1 },
            },
          ],
        },
        ["/beats/1/lettr", "/beats/1/red_motion/spin"],
      ],
      ["PUT", beat, { beats: [], extra: true }, ["/extra"]],
      ["POST", `${beat}/${seq.beats[0]?.id}/move`, { position: 1, to: 0 }, ["/to"]],
      ["PATCH", `${beat}/${seq.beats[0]?.id}`, { blue_motion: { turns: 1, turn: 2 } }, ["/blue_motion/turn"]],
      ["POST", "/api/v1/sequences", { name: "t", "a/b": 1, "c~d": 2 }, ["/a~1b", "/c~0d"]],
      [
        "POST",
        "/api/v1/sequences",
        '{"name":"t","__proto__":{"x":1},"constructor":1,"toString":2}',
        ["/__proto__", "/constructor", "/toString"],
      ],
    ];
    for (const [method, path, body, fields] of cases) {
      const res = await server.call(method, path, typeof body === "string" ? body : JSON.stringify(body));
      const problem = (await res.json()) as {
        code: string;
        errors: { field: string; code: string; message: string }[];
      };
      expect({ method, path, status: res.status, code: problem.code }).toEqual({
        method,
        path,
        status: 422,
        code: "VALIDATION_FAILED",
      });
      expect(problem.errors.map((e) => e.field)).toEqual(fields);
      expect(problem.errors.every((e) => e.code === "additionalProperties")).toBe(true);
    }
    const lettr = (await (await server.call("POST", beat, '{"lettr":"A"}')).json()) as {
      errors: { message: string }[];
    };
    expect(lettr.errors[0]?.message).toContain("letter");
    const after = (await (await server.call("GET", `/api/v1/sequences/${seq.id}`)).json()) as Json;
    expect(after).toMatchObject({ version: 1, length: 2, name: "Strict" });
    const list = (await (await server.call("GET", "/api/v1/sequences")).json()) as { data: unknown[] };
    expect(list.data).toHaveLength(1);
  });

  it("400 an empty If-Match or cursor (the contract says they are never empty)", async () => {
    const patch = await server.call("PATCH", `/api/v1/sequences/${seq.id}`, '{"name":"x"}', { "If-Match": "" });
    expect(patch.status).toBe(400);
    expect(await patch.json()).toMatchObject({ errors: [{ field: "header.If-Match", code: "minLength" }] });
    const list = await server.call("GET", "/api/v1/sequences?cursor=");
    expect(list.status).toBe(400);
    expect(await list.json()).toMatchObject({ errors: [{ field: "query.cursor", code: "minLength" }] });
    expect((await server.call("GET", `/api/v1/sequences/${seq.id}`)).headers.get("ETag")).toBe('"1"');
  });

  it("keep metadata free-form: any member at any depth, in create and in a merge patch", async () => {
    const created = await server.call(
      "POST",
      "/api/v1/sequences",
      JSON.stringify({ name: "Meta", metadata: { anything: { nested: [1, { goes: true }] } } }),
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const patched = await server.call("PATCH", `/api/v1/sequences/${id}`, JSON.stringify({ metadata: { more: 1 } }));
    expect(await patched.json()).toMatchObject({ metadata: { anything: { nested: [1, { goes: true }] }, more: 1 } });
    // Member names like Object.prototype's are data in metadata, also through a merge patch.
    const odd = await server.call(
      "PATCH",
      `/api/v1/sequences/${id}`,
      '{"metadata":{"__proto__":{"p":1},"constructor":2}}',
    );
    expect(odd.status).toBe(200);
    const read = await (await server.call("GET", `/api/v1/sequences/${id}`)).text();
    expect(read).toContain('"__proto__":{"p":1}');
    expect(read).toContain('"constructor":2');
  });
});
