import { connect, createServer, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CircuitBreaker, DatabaseUnavailableError } from "./circuit-breaker.ts";

class Fault extends Error {}

function setup(probe: () => Promise<void>) {
  const states: string[] = [];
  const probes: number[] = [];
  const breaker = new CircuitBreaker({
    probe: () => {
      probes.push(Date.now());
      return probe();
    },
    isFault: (e) => e instanceof Fault,
    onStateChange: (s) => states.push(s),
  });
  return { breaker, states, probes };
}

const fault = () => Promise.reject(new Fault("connect ECONNREFUSED"));
const ok = () => Promise.resolve("ok");

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("CircuitBreaker", () => {
  it("answers unavailable from the first fault on, and fails fast while open", async () => {
    const { breaker, states } = setup(() => Promise.reject(new Fault("still down")));
    const first = await breaker.call(fault).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(DatabaseUnavailableError);
    expect((first as DatabaseUnavailableError).cause).toBeInstanceOf(Fault);
    expect((first as DatabaseUnavailableError).retryAfterSeconds).toBe(1);
    expect(breaker.state).toBe("open");
    const work = vi.fn(ok);
    await expect(breaker.call(work)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(work).not.toHaveBeenCalled();
    expect(breaker.fault?.message).toBe("connect ECONNREFUSED");
    await vi.advanceTimersByTimeAsync(0);
    expect(breaker.fault?.message).toBe("still down"); // the probe's own finding
    expect(states).toEqual(["open"]);
  });

  it("never opens on errors that are not faults, which pass through unchanged", async () => {
    const { breaker } = setup(() => Promise.resolve());
    for (let i = 0; i < 20; i++) {
      await expect(breaker.call(() => Promise.reject(new RangeError("Maximum call stack")))).rejects.toBeInstanceOf(
        RangeError,
      );
    }
    expect(breaker.state).toBe("closed");
    expect(await breaker.call(ok)).toBe("ok");
  });

  it("probes at once, then after 250, 500 and 1000 ms (capped), and closes on the first answer", async () => {
    let up = false;
    const { breaker, states, probes } = setup(() => (up ? Promise.resolve() : Promise.reject(new Fault("down"))));
    await breaker.call(fault).catch(() => {});
    await vi.advanceTimersByTimeAsync(4_000);
    expect(probes).toEqual([0, 250, 750, 1750, 2750, 3750]);
    expect(breaker.state).toBe("open");
    up = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(probes.at(-1)).toBe(4750);
    expect(breaker.state).toBe("closed");
    expect(states).toEqual(["open", "closed"]);
    expect(await breaker.call(ok)).toBe("ok");
  });

  it("lets a passing fault cost one immediate probe", async () => {
    const { breaker, states } = setup(() => Promise.resolve());
    await expect(breaker.call(fault)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await vi.advanceTimersByTimeAsync(0);
    expect(breaker.state).toBe("closed");
    expect(states).toEqual(["open", "closed"]);
  });

  it("counts a probe that hangs as failed, and starts no second one while it hangs", async () => {
    let answer: (() => void) | undefined;
    const { breaker, probes } = setup(
      () =>
        new Promise<void>((resolve) => {
          answer = resolve;
        }),
    );
    await breaker.call(fault).catch(() => {});
    await vi.advanceTimersByTimeAsync(5_000); // 2 s timeout, then 250 ms, then 2 s again...
    expect(probes).toEqual([0]);
    expect(breaker.state).toBe("open");
    answer?.();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(breaker.state).toBe("closed");
  });

  it("does not re-open on a fault of a call that started before it closed", async () => {
    let up = false;
    const { breaker, states } = setup(() => (up ? Promise.resolve() : Promise.reject(new Fault("down"))));
    let failLate: ((e: Error) => void) | undefined;
    const late = breaker.call(
      () =>
        new Promise<void>((_, reject) => {
          failLate = reject;
        }),
    );
    await breaker.call(fault).catch(() => {});
    up = true;
    await vi.advanceTimersByTimeAsync(300);
    expect(breaker.state).toBe("closed");
    failLate?.(new Fault("connect timeout"));
    await expect(late).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(breaker.state).toBe("closed");
    expect(states).toEqual(["open", "closed"]);
  });

  it("opens on a fault a watchdog reports, and stops probing when stopped", async () => {
    const { breaker, probes } = setup(() => Promise.reject(new Fault("file gone")));
    breaker.trip(new Fault("the database file is gone"));
    expect(breaker.state).toBe("open");
    await vi.advanceTimersByTimeAsync(300);
    expect(probes).toHaveLength(2);
    breaker.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(probes).toHaveLength(2);
  });
});

describe("CircuitBreaker on a busy event loop (real timers)", () => {
  beforeEach(() => {
    vi.useRealTimers();
  });

  it("closes on a probe answered while the loop was blocked past the probe timeout", async () => {
    // An echo server stands in for the database: the probe's answer arrives over a real socket.
    const server = createServer((socket) => socket.on("data", (chunk) => socket.write(chunk)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const socket: Socket = connect((server.address() as { port: number }).port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    try {
      const closed = new Promise<void>((resolve) => {
        const breaker = new CircuitBreaker({
          probe: () => {
            const answered = new Promise<void>((done) => socket.once("data", () => done()));
            socket.write("?");
            // Blocks right after the probe's timeout is armed, for longer than it: the answer
            // waits unread in the socket when the loop resumes.
            queueMicrotask(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600));
            return answered;
          },
          isFault: (e) => e instanceof Fault,
          probeTimeoutMs: 200,
          minProbeDelayMs: 60_000, // a second probe would close it too, and hide the first one's fate
          onStateChange: (state) => {
            if (state === "closed") resolve();
          },
        });
        breaker.trip(new Fault("down"));
      });
      await closed;
    } finally {
      socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 15_000);
});
