// The end-to-end scenario, TypeScript edition: the generated SDK drives the real server over
// real HTTP. The Python and Rust suites run the same scenario.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  type HistoryPage,
  NotFoundError,
  PreconditionFailedError,
  type Problem,
  RateLimitError,
  type Sequence,
  TKA,
  UnprocessableEntityError,
} from "../src/index.ts";
import { type RunningServer, startServer } from "./server.ts";

const KEY_A = "e2e-key-alpha-0123456789";
const KEY_B = "e2e-key-beta-0123456789";
const env = { API_KEYS: `alpha=${KEY_A},beta=${KEY_B}` };
let server: RunningServer;
let client: TKA;

beforeAll(async () => {
  server = await startServer(env);
  client = new TKA({ baseURL: server.url, apiKey: KEY_A, maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe("the TKA scenario over the TypeScript SDK", () => {
  let flow: Sequence;

  it("creates sequences by length and by explicit beats", async () => {
    const blank = await client.sequences.create({ name: "Blank", length: 4 });
    expect(blank).toMatchObject({ length: 4, word: "", version: 1 });
    flow = await client.sequences.create({
      name: "Flow",
      beats: [
        { letter: "a", blue_motion: { motion_type: "pro", prop_rot_dir: "cw", start_loc: "n", end_loc: "e" } },
        { letter: "b" },
      ],
    });
    expect(flow).toMatchObject({ word: "AB", length: 2 });
    expect(flow.beats[0]?.blue_motion).toMatchObject({ turns: 0, start_ori: "in" });
  });

  it("lists every sequence across pages", async () => {
    for (let i = 0; i < 5; i++) await client.sequences.create({ name: `Extra ${i}` });
    const names: string[] = [];
    for await (const summary of client.sequences.list({ limit: 2 })) names.push(summary.name);
    expect(names).toHaveLength(7);
    expect(names.slice(-2)).toEqual(["Flow", "Blank"]);
  });

  it("adds, inserts, updates, moves and removes beats; the word follows", async () => {
    const id = flow.id;
    let seq = await client.beats.add(id, { letter: "c" });
    seq = await client.beats.add(id, { letter: "z", position: 0 });
    expect(seq.word).toBe("ZABC");
    const [z, a] = seq.beats;
    seq = await client.beats.update(id, a?.id as string, { letter: "q", duration: 2 });
    expect(seq).toMatchObject({ word: "ZQBC", total_duration: 5 });
    seq = await client.beats.move(id, z?.id as string, { position: 3 });
    expect(seq.word).toBe("QBCZ");
    seq = await client.beats.remove(id, z?.id as string);
    expect(seq.word).toBe("QBC");
    expect((await client.beats.get(id, a?.id as string)).letter).toBe("Q");
    flow = seq;
  });

  it("undoes and redoes every kind of mutation, deletion included, and lists the history", async () => {
    const id = flow.id;
    await client.sequences.update(id, { name: "Renamed" });
    await client.sequences.delete(id);
    await expect(client.sequences.get(id)).rejects.toBeInstanceOf(NotFoundError);
    const restored = await client.history.undo(id);
    expect(restored.sequence?.name).toBe("Renamed");
    const words: string[] = [];
    for (let i = 0; i < 6; i++) words.push((await client.history.undo(id)).sequence?.word ?? "");
    expect(words).toEqual(["QBC", "QBCZ", "ZQBC", "ZABC", "ABC", "AB"]);
    const redone = await client.history.redo(id);
    expect(redone.sequence?.word).toBe("ABC");
    const history = await client.history.list(id, { limit: 3 });
    expect(history.data.map((e) => e.undone)).toEqual([true, true, true]);
    expect((history.body as unknown as HistoryPage).state).toMatchObject({ can_undo: true, can_redo: true });
    const entries: string[] = [];
    for await (const entry of client.history.list(id)) entries.push(entry.command);
    expect(entries.at(-1)).toBe("sequence.create");
  });

  it("watches changes live over the WebSocket (authenticated by message, filtered by type)", async () => {
    const ws = client.events.connectWebSocket();
    ws.send({ type: "subscribe", event_types: ["beat.added"], sequence_ids: [flow.id] });
    let seen: unknown;
    for await (const message of ws) {
      if (message.type === "subscribed") await client.beats.add(flow.id, { letter: "w" });
      if (message.type === "event") {
        seen = message.event;
        break;
      }
    }
    ws.close();
    expect(seen).toMatchObject({ type: "beat.added", sequence_id: flow.id, data: { beat: { letter: "W" } } });
    await client.history.undo(flow.id);
  });

  it("refuses a stale If-Match with a typed 412", async () => {
    const seq = await client.sequences.create({ name: "Versioned" });
    // The sequence itself, its version number or its ETag: all name the same version.
    const v2 = await client.sequences.update(seq.id, { name: "v2" }, { if_match: seq });
    const v3 = await client.sequences.update(seq.id, { name: "v3" }, { if_match: v2.version });
    await client.sequences.update(seq.id, { name: "v4" }, { if_match: `"${v3.version}"` });
    const error = await client.sequences.update(seq.id, { name: "v5" }, { if_match: seq }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreconditionFailedError);
    if (!(error instanceof PreconditionFailedError)) return;
    // `problem` is the contract's Problem model, typed: no cast.
    expect(error.problem?.code).toBe("VERSION_MISMATCH");
    expect(error.code).toBe("VERSION_MISMATCH");
    expect(error.requestId).toMatch(/^req_/);
    expect(error.requestId).toBe(error.problem?.request_id);
  });

  it("creates one sequence for a POST retried with the same idempotency key", async () => {
    const before = (await client.sequences.list({ limit: 100 })).data.length;
    const first = await client.sequences.create({ name: "Once" }, { idempotencyKey: "e2e-once" });
    const again = await client.sequences.create({ name: "Once" }, { idempotencyKey: "e2e-once" }).withResponse();
    expect(again.data).toEqual(first);
    expect(again.response.headers.get("Idempotency-Replayed")).toBe("true");
    expect((await client.sequences.list({ limit: 100 })).data.length).toBe(before + 1);
  });

  it("gives typed 401 for a wrong key and 404 for another project's sequence", async () => {
    const wrong = new TKA({ baseURL: server.url, apiKey: "not-a-key-0123456789", maxRetries: 0 });
    await expect(wrong.sequences.list()).rejects.toBeInstanceOf(AuthenticationError);
    const other = new TKA({ baseURL: server.url, apiKey: KEY_B, maxRetries: 0 });
    await expect(other.sequences.get(flow.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("returns validation failures as a typed 422 listing each field", async () => {
    const error = await client.sequences.create({ name: "", length: 65 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    if (!(error instanceof UnprocessableEntityError)) return;
    const problem: Problem | undefined = error.problem;
    const fields = (problem?.errors ?? []).map((e) => e.field).sort();
    expect(fields).toEqual(["/length", "/name"]);
    expect(problem?.status).toBe(422);
  });

  it("refuses unknown body members: at compile time, and with a 422 naming them at run time", async () => {
    // @ts-expect-error `lettr` is not a member of BeatCreate (input models are closed)
    const typo = client.beats.add(flow.id, { lettr: "A" });
    const error = await typo.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    if (!(error instanceof UnprocessableEntityError)) return;
    expect(error.problem?.errors?.map((e) => [e.field, e.code])).toEqual([["/lettr", "additionalProperties"]]);
  });

  it("keeps every acknowledged change and the history across a restart", async () => {
    const before = await client.sequences.get(flow.id);
    await server.stop();
    server = await startServer(env, server.dataDir);
    client = new TKA({ baseURL: server.url, apiKey: KEY_A, maxRetries: 0 });
    expect(await client.sequences.get(flow.id)).toEqual(before);
    expect((await client.history.redo(flow.id)).sequence?.word).toBe("ABCW");
  }, 60_000);

  it("rate-limits with a typed 429 carrying Retry-After", async () => {
    await server.stop();
    server = await startServer({ ...env, RATE_LIMIT: "2/0.01" });
    const limited = new TKA({ baseURL: server.url, apiKey: KEY_A, maxRetries: 0 });
    await limited.sequences.list();
    await limited.sequences.list();
    const error = await limited.sequences.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfter).toBeGreaterThan(0);
  }, 60_000);
});
