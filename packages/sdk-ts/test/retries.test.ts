// The retry rule against the real server process: every non-GET request carries an idempotency
// key generated once and reused by its retries, so a retry after a lost answer gets that answer
// (one history entry, no 404); 429s are retried after their Retry-After, unless it exceeds the
// client's ceiling. Lost answers and a 503 are injected by a fetch wrapped around the real one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InternalServerError, RateLimitError, TKA } from "../src/index.ts";
import { type RunningServer, startServer } from "./server.ts";

const KEY = "retry-key-0123456789abcd";
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ API_KEYS: `alpha=${KEY}` });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

interface Attempt {
  method: string;
  url: string;
  key: string | null;
}

/**
 * A fetch that sends every request to the server and records it; `fault` may replace what the
 * caller sees: throw (the answer was lost after the server acted) or return another response.
 */
function faultyFetch(fault: (attempt: Attempt, index: number) => "lose" | Response | undefined) {
  const attempts: Attempt[] = [];
  const fetchImpl = async (input: string, init: RequestInit): Promise<Response> => {
    const attempt = {
      method: String(init.method),
      url: input,
      key: new Headers(init.headers).get("idempotency-key"),
    };
    attempts.push(attempt);
    const injected = fault(attempt, attempts.length - 1);
    if (injected instanceof Response) return injected;
    const response = await fetch(input, init);
    if (injected === "lose") {
      await response.arrayBuffer(); // the server has answered: the change is made
      throw new TypeError("fetch failed: socket hang up");
    }
    return response;
  };
  return { attempts, fetch: fetchImpl };
}

/** A client whose backoff sleeps are skipped (the retry decisions are what is tested). */
function client(fetchImpl: typeof fetch | ((input: string, init: RequestInit) => Promise<Response>), extra = {}) {
  return new TKA({ baseURL: server.url, apiKey: KEY, maxRetries: 2, fetch: fetchImpl, ...extra });
}

describe("retries through the real server", () => {
  it("a PUT (replace all beats) whose answer was lost is retried with the same key: one history entry", async () => {
    const plain = client(fetch);
    const seq = await plain.sequences.create({ name: "Replace", length: 2 });
    const faults = faultyFetch((a, i) => (a.method === "PUT" && i === 0 ? "lose" : undefined));
    const replaced = await client(faults.fetch).beats.replace(seq.id, { beats: [{ letter: "a" }, { letter: "b" }] });
    expect(replaced.word).toBe("AB");
    expect(faults.attempts).toHaveLength(2);
    expect(faults.attempts[0]?.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(faults.attempts[1]?.key).toBe(faults.attempts[0]?.key);
    const history = await plain.history.list(seq.id);
    expect(history.data.map((e) => e.command)).toEqual(["beats.replace", "sequence.create"]);
    // One undo step takes the replacement back.
    expect((await plain.history.undo(seq.id)).sequence?.length).toBe(2);
    expect((await plain.sequences.get(seq.id)).word).toBe("");
  });

  it("a DELETE whose answer was lost gets the replayed success, not a 404", async () => {
    const plain = client(fetch);
    const seq = await plain.sequences.create({ name: "Gone" });
    const faults = faultyFetch((a, i) => (a.method === "DELETE" && i === 0 ? "lose" : undefined));
    const deletion = await client(faults.fetch).sequences.delete(seq.id).withResponse();
    expect(deletion.data.id).toBe(seq.id);
    expect(deletion.response.headers.get("Idempotency-Replayed")).toBe("true");
    expect(faults.attempts.map((a) => a.key)).toEqual([faults.attempts[0]?.key, faults.attempts[0]?.key]);
    const history = await plain.history.list(seq.id);
    expect(history.data.map((e) => e.command)).toEqual(["sequence.delete", "sequence.create"]);
  });

  it("a PATCH answered 503 is retried with the same key and applied once", async () => {
    const plain = client(fetch);
    const seq = await plain.sequences.create({ name: "Patch" });
    const unavailable = () =>
      new Response(JSON.stringify({ code: "SERVICE_UNAVAILABLE" }), {
        status: 503,
        headers: { "Content-Type": "application/problem+json", "Retry-After": "0" },
      });
    const faults = faultyFetch((a, i) => (a.method === "PATCH" && i === 0 ? unavailable() : undefined));
    const patched = await client(faults.fetch).sequences.update(seq.id, { name: "Patched" });
    expect(patched.name).toBe("Patched");
    expect(faults.attempts).toHaveLength(2);
    expect(faults.attempts[1]?.key).toBe(faults.attempts[0]?.key);
    // Without retries the same answer is the typed 503.
    const once = faultyFetch(() => unavailable());
    const error = await client(once.fetch, { maxRetries: 0 })
      .sequences.update(seq.id, { name: "Again" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
  });
});

describe("Retry-After from the real rate limiter", () => {
  let limited: RunningServer;
  afterAll(async () => {
    await limited?.stop();
  });

  it("a PATCH answered 429 is retried after Retry-After; one beyond the ceiling is raised at once", async () => {
    // One request per second: a PATCH right after another request is a 429 with Retry-After: 1.
    limited = await startServer({ API_KEYS: `alpha=${KEY}`, RATE_LIMIT: "1/1" });
    const faults = faultyFetch(() => undefined);
    const sdk = new TKA({ baseURL: limited.url, apiKey: KEY, maxRetries: 3, fetch: faults.fetch });
    const seq = await sdk.sequences.create({ name: "Limited" });
    // Patch until one had to wait (on a slow machine the bucket may refill between two calls).
    let patches = 0;
    const retried = () => {
      const keys = faults.attempts.filter((a) => a.method === "PATCH").map((a) => a.key);
      return keys.length > new Set(keys).size;
    };
    while (!retried() && patches < 6) {
      const patched = await sdk.sequences.update(seq.id, { name: `Name ${patches}` });
      expect(patched.name).toBe(`Name ${patches}`);
      patches++;
    }
    expect(retried()).toBe(true);
    // Every PATCH was applied once, however many times it was sent.
    const history = await sdk.history.list(seq.id, { limit: 10 });
    expect(history.data.filter((e) => e.command === "sequence.update")).toHaveLength(patches);

    // A ceiling of 0.5 s: the same 429 (Retry-After: 1) is raised at once, with the delay on it.
    const impatient = faultyFetch(() => undefined);
    const strict = new TKA({
      baseURL: limited.url,
      apiKey: KEY,
      maxRetries: 3,
      maxRetryAfter: 500,
      fetch: impatient.fetch,
    });
    let error: unknown;
    for (let i = 0; i < 5 && error === undefined; i++) {
      error = await strict.sequences.update(seq.id, { name: `Three ${i}` }).catch((e: unknown) => e);
      if (!(error instanceof Error)) error = undefined;
    }
    expect(error).toBeInstanceOf(RateLimitError);
    if (!(error instanceof RateLimitError)) return;
    expect(error.retryAfter).toBeGreaterThanOrEqual(1);
    expect(error.problem?.code).toBe("RATE_LIMITED");
    // Each refused PATCH was sent once: no retry sooner than the server asked.
    const keys = impatient.attempts.filter((a) => a.method === "PATCH").map((a) => a.key);
    expect(new Set(keys).size).toBe(keys.length);
  }, 60_000);
});
