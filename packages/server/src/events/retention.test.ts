import { afterEach, describe, expect, it, vi } from "vitest";
import type { EventPruning } from "../store/types.ts";
import { MIN_EVENT_RETENTION_MS, pruningAt, startRetention } from "./retention.ts";

const day = 86_400_000;
const now = new Date("2031-01-10T00:00:00.000Z");

describe("pruningAt", () => {
  it("prunes by age, never younger than the contract's 24 hours", () => {
    expect(pruningAt({ maxAgeMs: 7 * day, maxCount: 0 }, now)).toEqual({ olderThan: "2031-01-03T00:00:00.000Z" });
    expect(pruningAt({ maxAgeMs: 1000, maxCount: 0 }, now)).toEqual({ olderThan: "2031-01-09T00:00:00.000Z" });
  });

  it("prunes beyond a count only what is older than 24 hours", () => {
    expect(pruningAt({ maxAgeMs: 30 * day, maxCount: 5000 }, now)).toEqual({
      olderThan: "2030-12-11T00:00:00.000Z",
      beyondCount: { count: 5000, before: "2031-01-09T00:00:00.000Z" },
    });
  });
});

describe("startRetention", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("prunes at start and every interval, one pruning at a time, until stopped", async () => {
    vi.useFakeTimers();
    const calls: EventPruning[] = [];
    let finish: (() => void) | undefined;
    const store = {
      pruneEvents: (pruning: EventPruning) => {
        calls.push(pruning);
        return new Promise<number>((resolve) => {
          finish = () => resolve(3);
        });
      },
    };
    const pruned: number[] = [];
    const retention = startRetention({
      store,
      policy: { maxAgeMs: MIN_EVENT_RETENTION_MS, maxCount: 0 },
      intervalMs: 1000,
      now: () => now,
      onPruned: (n) => pruned.push(n),
    });
    expect(calls).toEqual([{ olderThan: "2031-01-09T00:00:00.000Z" }]);
    // Still running at the next ticks: they do not start a second one.
    await vi.advanceTimersByTimeAsync(2500);
    expect(calls).toHaveLength(1);
    finish?.();
    await retention.started;
    expect(pruned).toEqual([3]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(2);
    finish?.();
    await retention.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(2);
    expect(pruned).toEqual([3, 3]);
  });

  it("reports a failed pruning and tries again at the next interval", async () => {
    vi.useFakeTimers();
    let attempts = 0;
    const errors: unknown[] = [];
    const retention = startRetention({
      store: {
        pruneEvents: async () => {
          attempts++;
          if (attempts === 1) throw new Error("disk");
          return 0;
        },
      },
      policy: { maxAgeMs: 7 * day, maxCount: 0 },
      intervalMs: 1000,
      onError: (e) => errors.push(e),
    });
    await retention.started;
    expect(errors).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(attempts).toBe(2);
    await retention.stop();
  });
});
