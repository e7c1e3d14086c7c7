// The per-client deadlines (one timer for every in-flight attempt's timeout): each deadline is
// kept, whatever order they come in, finished attempts never expire, and the timer stops once
// nothing is in flight. Then the same through a client: a short per-request timeout next to a
// long one in flight still fires on time.
import { afterEach, describe, expect, it, vi } from "vitest";
import { APITimeoutError } from "../runtime/src/index.ts";
import { type Deadline, Deadlines } from "../runtime/src/internal/deadlines.ts";
import { TestClient } from "./helpers.ts";

const deadline = (timeout: number, expired: string[], name: string): Deadline => ({
  at: Date.now() + timeout,
  timeout,
  expire: () => expired.push(name),
});

describe("Deadlines", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("expires each deadline when it passes, in any order of adding, and never a removed one", () => {
    vi.useFakeTimers();
    const expired: string[] = [];
    const deadlines = new Deadlines();
    deadlines.add(deadline(100, expired, "a"));
    deadlines.add(deadline(300, expired, "c"));
    deadlines.add(deadline(50, expired, "b")); // earlier than the armed one: re-armed
    const done = deadline(20, expired, "done");
    deadlines.add(done);
    deadlines.delete(done); // finished in time
    vi.advanceTimersByTime(49);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(["b"]);
    vi.advanceTimersByTime(50);
    expect(expired).toEqual(["b", "a"]);
    vi.advanceTimersByTime(199);
    expect(expired).toEqual(["b", "a"]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(["b", "a", "c"]);
    expect(vi.getTimerCount()).toBe(0); // nothing in flight: not re-armed
  });

  it("a deadline added while expiring another (a retry) is kept", () => {
    vi.useFakeTimers();
    const expired: string[] = [];
    const deadlines = new Deadlines();
    deadlines.add({
      at: Date.now() + 100,
      timeout: 100,
      expire: () => {
        expired.push("first");
        deadlines.add(deadline(30, expired, "retry"));
      },
    });
    deadlines.add(deadline(500, expired, "other"));
    vi.advanceTimersByTime(100);
    expect(expired).toEqual(["first"]);
    vi.advanceTimersByTime(30);
    expect(expired).toEqual(["first", "retry"]);
    vi.advanceTimersByTime(370);
    expect(expired).toEqual(["first", "retry", "other"]);
  });

  it("arms one timer for a stream of attempts, not one each", () => {
    vi.useFakeTimers();
    const expired: string[] = [];
    const deadlines = new Deadlines();
    for (let i = 0; i < 100; i++) {
      const d = deadline(1000, expired, `d${i}`);
      deadlines.add(d);
      vi.advanceTimersByTime(5);
      deadlines.delete(d);
    }
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a timer that cannot be unref'd (browsers, Deno) is cleared when nothing is in flight", () => {
    const armed = new Set<number>();
    let next = 1;
    vi.stubGlobal("setTimeout", () => {
      armed.add(next);
      return next++;
    });
    vi.stubGlobal("clearTimeout", (id: number) => armed.delete(id));
    try {
      const deadlines = new Deadlines();
      const a = deadline(1000, [], "a");
      const b = deadline(1000, [], "b");
      deadlines.add(a);
      deadlines.add(b);
      deadlines.delete(a);
      expect(armed.size).toBe(1); // b is still in flight
      deadlines.delete(b);
      expect(armed.size).toBe(0);
      deadlines.add(deadline(1000, [], "c")); // armed again
      expect(armed.size).toBe(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("a wall clock stepping back delays a deadline by at most its timeout", () => {
    vi.useFakeTimers();
    const expired: string[] = [];
    const deadlines = new Deadlines();
    deadlines.add(deadline(100, expired, "a"));
    vi.setSystemTime(Date.now() - 3_600_000); // an hour back; the timer itself is unaffected
    vi.advanceTimersByTime(100);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(expired).toEqual(["a"]);
  });
});

describe("timeouts through a client", () => {
  it("a short per-request timeout next to a long one in flight fires on time", async () => {
    const answers: Array<() => void> = [];
    const fetchImpl = () =>
      new Promise<Response>((resolve) => {
        answers.push(() => resolve(new Response('{"ok":true}', { headers: { "Content-Type": "application/json" } })));
      });
    const client = new TestClient({ apiKey: "k", fetch: fetchImpl, maxRetries: 0, timeout: 60_000 });
    const slow = client.request({ method: "get", path: "/v1/slow" });
    const started = Date.now();
    const err = await client.request({ method: "get", path: "/v1/fast" }, { timeout: 30 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APITimeoutError);
    expect(Date.now() - started).toBeLessThan(10_000);
    answers[0]?.();
    expect(await slow).toEqual({ ok: true });
  });
});
