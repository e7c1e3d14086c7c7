// A circuit breaker around a dependency (the database). Consecutive failures open it; while open,
// calls fail fast with CircuitOpenError; after the recovery timeout one trial call is let through
// (half-open) and its outcome closes or re-opens the circuit. Only dependency faults count:
// callers pass client-caused errors (domain rules, conflicts) through `isFailure`.

export type CircuitState = "closed" | "open" | "half_open";

export interface CircuitOptions {
  failureThreshold: number;
  recoveryTimeoutMs: number;
  isFailure?: (error: unknown) => boolean;
  now?: () => number;
  onStateChange?: (state: CircuitState) => void;
}

export class CircuitOpenError extends Error {
  /** Seconds until the breaker lets a trial call through. */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super("the database is unavailable (circuit open)");
    this.name = "CircuitOpenError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class CircuitBreaker {
  readonly #options: Required<Omit<CircuitOptions, "onStateChange">> & Pick<CircuitOptions, "onStateChange">;
  #state: CircuitState = "closed";
  #failures = 0;
  #openedAt = 0;
  #trialInFlight = false;

  constructor(options: CircuitOptions) {
    this.#options = { isFailure: () => true, now: () => Date.now(), ...options };
  }

  get state(): CircuitState {
    if (this.#state === "open" && this.#options.now() - this.#openedAt >= this.#options.recoveryTimeoutMs) {
      this.#set("half_open");
    }
    return this.#state;
  }

  async call<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === "open" || (state === "half_open" && this.#trialInFlight)) {
      const remaining = this.#options.recoveryTimeoutMs - (this.#options.now() - this.#openedAt);
      throw new CircuitOpenError(Math.max(1, Math.ceil(remaining / 1000)));
    }
    const trial = state === "half_open";
    if (trial) this.#trialInFlight = true;
    try {
      const result = await fn();
      this.#failures = 0;
      if (this.#state !== "closed") this.#set("closed");
      return result;
    } catch (error) {
      if (this.#options.isFailure(error)) this.#recordFailure(trial);
      else if (trial) this.#set("closed");
      throw error;
    } finally {
      if (trial) this.#trialInFlight = false;
    }
  }

  #recordFailure(trial: boolean): void {
    this.#failures++;
    if (trial || this.#failures >= this.#options.failureThreshold) {
      this.#openedAt = this.#options.now();
      this.#set("open");
    }
  }

  #set(state: CircuitState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#options.onStateChange?.(state);
  }
}
