import { describe, expect, it } from "vitest";
import { CircuitBreaker, CircuitOpenError } from "./circuit-breaker.ts";

class ClientError extends Error {}

function setup() {
  let now = 0;
  const states: string[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold: 5,
    recoveryTimeoutMs: 30_000,
    isFailure: (e) => !(e instanceof ClientError),
    now: () => now,
    onStateChange: (s) => states.push(s),
  });
  return { breaker, states, advance: (ms: number) => (now += ms) };
}

const fail = () => Promise.reject(new Error("db down"));
const ok = () => Promise.resolve("ok");

describe("CircuitBreaker", () => {
  it("opens after 5 consecutive failures and then fails fast with a retry hint", async () => {
    const { breaker, advance } = setup();
    for (let i = 0; i < 5; i++) await expect(breaker.call(fail)).rejects.toThrow("db down");
    expect(breaker.state).toBe("open");
    advance(10_000);
    const error = await breaker.call(ok).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).retryAfterSeconds).toBe(20);
  });

  it("never counts client errors, and a success resets the count", async () => {
    const { breaker } = setup();
    for (let i = 0; i < 10; i++) await expect(breaker.call(() => Promise.reject(new ClientError()))).rejects.toThrow();
    for (let i = 0; i < 4; i++) await expect(breaker.call(fail)).rejects.toThrow();
    await breaker.call(ok);
    for (let i = 0; i < 4; i++) await expect(breaker.call(fail)).rejects.toThrow();
    expect(breaker.state).toBe("closed");
  });

  it("half-opens after the recovery timeout: a success closes it, a failure re-opens it", async () => {
    const { breaker, states, advance } = setup();
    for (let i = 0; i < 5; i++) await expect(breaker.call(fail)).rejects.toThrow();
    advance(30_000);
    expect(breaker.state).toBe("half_open");
    await expect(breaker.call(fail)).rejects.toThrow("db down");
    expect(breaker.state).toBe("open");
    advance(30_000);
    expect(await breaker.call(ok)).toBe("ok");
    expect(breaker.state).toBe("closed");
    expect(states).toEqual(["open", "half_open", "open", "half_open", "closed"]);
  });
});
