// A circuit breaker around the database. The first fault opens it (only faults count: callers
// tell them apart with `isFault`, an allow-list of database errors), and the call that met the
// fault fails as unavailable, like every call while it is open: 503 + Retry-After from the first
// failure on, never a 500. Recovery is driven by probing the database, at once and then with a
// capped backoff (250 ms doubling to 1 s by default), so calls are let through again within
// about a second of the database answering, whether it was gone for a second or an hour. A fault
// that only some operations meet (a full disk fails writes, reads still work) re-opens it at
// the next failing call; the immediate probe closes it again, so reads keep being served.

export type CircuitState = "closed" | "open";

export interface CircuitOptions {
  /** Checks the database; resolves when it answers. Runs only while the circuit is open. */
  probe: () => Promise<void>;
  /** Which errors are database faults (see database-faults.ts). */
  isFault: (error: unknown) => boolean;
  /** The second probe waits this long, each later one twice as long as the one before (250 ms)... */
  minProbeDelayMs?: number;
  /** ...up to this (1,000 ms). */
  maxProbeDelayMs?: number;
  /** A probe that has not answered by then counts as failed (2,000 ms). */
  probeTimeoutMs?: number;
  onStateChange?: (state: CircuitState, fault: Fault | null) => void;
  now?: () => number;
}

export interface Fault {
  /** When the circuit opened (ms since the epoch). */
  since: number;
  /** What the last failed call or probe met. */
  message: string;
}

/** The database is unavailable: the answer is a 503 with `retryAfterSeconds`. */
export class DatabaseUnavailableError extends Error {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, options?: { cause?: unknown }) {
    super("the database is unavailable", options);
    this.name = "DatabaseUnavailableError";
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class CircuitBreaker {
  readonly #probe: () => Promise<void>;
  readonly #isFault: (error: unknown) => boolean;
  readonly #minDelay: number;
  readonly #maxDelay: number;
  readonly #probeTimeout: number;
  readonly #onStateChange: CircuitOptions["onStateChange"];
  readonly #now: () => number;
  #state: CircuitState = "closed";
  #fault: Fault | null = null;
  /** Counts closings: a call that started before the last one cannot re-open the circuit. */
  #generation = 0;
  #delay = 0;
  #nextProbeAt = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The probe under way (a timed-out one may still be pending: no second one is started). */
  #probing: Promise<boolean> | undefined;
  #stopped = false;

  constructor(options: CircuitOptions) {
    this.#probe = options.probe;
    this.#isFault = options.isFault;
    this.#minDelay = options.minProbeDelayMs ?? 250;
    this.#maxDelay = options.maxProbeDelayMs ?? 1000;
    this.#probeTimeout = options.probeTimeoutMs ?? 2000;
    this.#onStateChange = options.onStateChange;
    this.#now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** Why the circuit is open (null while closed). */
  get fault(): Fault | null {
    return this.#state === "open" ? this.#fault : null;
  }

  /** Seconds a client should wait: until the next probe, at least 1. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.#nextProbeAt - this.#now()) / 1000));
  }

  async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#state === "open") throw new DatabaseUnavailableError(this.retryAfterSeconds, { cause: this.#fault });
    const generation = this.#generation;
    try {
      return await fn();
    } catch (error) {
      if (!this.#isFault(error)) throw error;
      if (generation === this.#generation) this.trip(error);
      throw new DatabaseUnavailableError(this.retryAfterSeconds, { cause: error });
    }
  }

  /** Opens the circuit on a fault found outside a call (a watchdog); a no-op while open. */
  trip(error: unknown): void {
    if (this.#stopped) return;
    const message = error instanceof Error ? error.message : String(error);
    if (this.#state === "open") {
      if (this.#fault) this.#fault.message = message;
      return;
    }
    this.#state = "open";
    this.#fault = { since: this.#now(), message };
    this.#delay = 0;
    this.#onStateChange?.("open", this.#fault);
    this.#schedule(0);
  }

  /** Stops probing (on shutdown); the circuit keeps its state. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#nextProbeAt = this.#now() + delayMs;
    this.#timer = setTimeout(() => void this.#runProbe(), delayMs);
    this.#timer.unref();
  }

  async #runProbe(): Promise<void> {
    this.#timer = undefined;
    if (this.#state !== "open" || this.#stopped) return;
    this.#probing ??= this.#probe().then(
      () => true,
      (error: unknown) => {
        if (this.#fault) this.#fault.message = error instanceof Error ? error.message : String(error);
        return false;
      },
    );
    const probing = this.#probing;
    void probing.finally(() => {
      if (this.#probing === probing) this.#probing = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      // One turn of the loop first: after a blocked loop timers run before sockets are read, and
      // an answer to the probe may be waiting unread (docs/store.md).
      timer = setTimeout(() => setImmediate(() => resolve(false)), this.#probeTimeout);
      timer.unref();
    });
    const ok = await Promise.race([probing, timedOut]);
    clearTimeout(timer);
    if (this.#state !== "open" || this.#stopped) return;
    if (ok) {
      this.#state = "closed";
      this.#generation++;
      this.#onStateChange?.("closed", null);
      return;
    }
    this.#delay = this.#delay === 0 ? this.#minDelay : Math.min(this.#delay * 2, this.#maxDelay);
    this.#schedule(this.#delay);
  }
}
