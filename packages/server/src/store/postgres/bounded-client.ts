// A node-postgres client whose wait for an answer cannot be cut short by this process's own
// event loop. node-postgres' `query_timeout` is a plain timer: when the loop was blocked past it
// (a loaded machine, a long synchronous computation), timers run before sockets are read, so a
// statement PostgreSQL had answered long ago was reported "Query read timeout", counted as a
// database fault and could open the circuit breaker; its connect timeouts (pg's and pg-pool's
// `connectionTimeoutMillis`) had the same flaw. Here the timer only asks the question; the
// socket answers it (docs/store.md, "No answer means silence on the connection").
import pg from "pg";

/** The message node-postgres uses for its own read timeout (kept, so callers see one error). */
export const ANSWER_TIMEOUT_MESSAGE = "Query read timeout";
/** pg-pool's messages for a connection not made, and a pooled one not free, in time (kept). */
export const CONNECT_TIMEOUT_MESSAGE = "Connection terminated due to connection timeout";
export const POOL_WAIT_TIMEOUT_MESSAGE = "timeout exceeded when trying to connect";

/** Settings of a bounded client: pg's own, plus the longest silence while a query waits. */
export interface BoundedClientConfig extends pg.ClientConfig {
  /** Give a query up once its connection has read nothing for this long (0: wait for ever). */
  answerTimeoutMs?: number;
  /** Give a connect up after this long without progress (default: `connectionTimeoutMillis`). */
  connectTimeoutMs?: number;
}

/** What the watch reads of a socket: the bytes received so far (net.Socket, tls.TLSSocket). */
interface ReadCounter {
  readonly bytesRead: number;
}

/**
 * Calls `expire` once `timeoutMs` went by with nothing read from `socket`, in event-loop time
 * that could have read it: when the timer fires, the watch first yields one turn (setImmediate
 * runs after the loop has polled its sockets), so an answer that arrived while the loop was
 * blocked is read before it is judged; a query it completed has cancelled the watch by then. A
 * connection that read anything since the last look (a long answer still arriving) is given
 * another `timeoutMs`. A silent one is given up at the bound plus one turn of the loop, and
 * after a block longer than the bound, right after the block. With `creditBlocked` (a connect,
 * whose handshake needs several round trips once the loop runs again), a timer that fired late
 * gives the time the loop was blocked back (at most `timeoutMs` per look) before anything is
 * judged.
 */
export function watchAnswer(
  socket: ReadCounter,
  timeoutMs: number,
  expire: () => void,
  { creditBlocked = false }: { creditBlocked?: boolean } = {},
): { cancel(): void } {
  let seen = socket.bytesRead;
  let timer: NodeJS.Timeout | undefined;
  let turn: NodeJS.Immediate | undefined;
  let due = 0;
  const arm = (ms: number) => {
    due = performance.now() + ms;
    timer = setTimeout(fire, ms);
  };
  const fire = () => {
    timer = undefined;
    const late = performance.now() - due;
    turn = setImmediate(() => look(late));
  };
  const look = (late: number) => {
    turn = undefined;
    const now = socket.bytesRead;
    if (now !== seen) {
      seen = now;
      arm(timeoutMs);
    } else if (creditBlocked && late > BLOCKED_MS) {
      arm(Math.min(late, timeoutMs));
    } else {
      expire();
    }
  };
  arm(timeoutMs);
  return {
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      if (turn !== undefined) clearImmediate(turn);
    },
  };
}

/** A timer this much later than due means the loop was blocked (not just busy). */
const BLOCKED_MS = 50;

type Callback = (error: Error | null, result?: unknown) => void;

/**
 * pg.Client with `answerTimeoutMs` in place of pg's `query_timeout` and `connectTimeoutMs` in
 * place of its `connectionTimeoutMillis` (both ignored). A query that times out fails with
 * "Query read timeout", as with pg, and its connection is left waiting for the answer: the caller
 * must drop it (pool: `release(error)`; pool.query does so itself). A connect that times out
 * fails with pg-pool's "Connection terminated due to connection timeout". Queries that bring
 * their own `submit` (cursors, streams) are not watched; none is used here.
 */
export class BoundedClient extends pg.Client {
  readonly #answerTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  /** Bytes read so far, on whichever socket the connection uses now (TLS replaces it). */
  readonly #reads: ReadCounter;

  constructor(config: BoundedClientConfig = {}) {
    const { answerTimeoutMs = 0, connectTimeoutMs, connectionTimeoutMillis, query_timeout: _ignored, ...rest } = config;
    super(rest);
    this.#answerTimeoutMs = answerTimeoutMs;
    this.#connectTimeoutMs = connectTimeoutMs ?? connectionTimeoutMillis ?? 0;
    const connection = this.connection as unknown as { stream: ReadCounter };
    this.#reads = {
      get bytesRead() {
        return connection.stream.bytesRead;
      },
    };
  }

  // biome-ignore lint/suspicious/noExplicitAny: matches both overloads of pg.Client#connect
  override connect(callback?: any): any {
    if (this.#connectTimeoutMs <= 0) return super.connect(callback);
    const connection = this.connection as unknown as { _ending: boolean; stream: { destroy(error: Error): void } };
    const watch = watchAnswer(
      this.#reads,
      this.#connectTimeoutMs,
      () => {
        connection._ending = true; // as pg's own timer does: the socket's end is no surprise
        connection.stream.destroy(new Error(CONNECT_TIMEOUT_MESSAGE));
      },
      { creditBlocked: true },
    );
    if (typeof callback === "function") {
      super.connect((...args: unknown[]) => {
        watch.cancel();
        callback(...args);
      });
      return undefined;
    }
    return super.connect().finally(() => watch.cancel());
  }

  // pg's query() has a dozen overloads; this one implementation serves them all.
  // biome-ignore lint/suspicious/noExplicitAny: matches every overload of pg.Client#query
  override query(config: any, values?: any, callback?: any): any {
    if (this.#answerTimeoutMs <= 0 || config == null || typeof config.submit === "function") {
      return super.query(config, values, callback);
    }
    let done: Callback | undefined = typeof values === "function" ? values : callback;
    const args = typeof values === "function" || values === undefined ? undefined : values;
    let promise: Promise<unknown> | undefined;
    if (typeof done !== "function") {
      promise = new Promise((resolve, reject) => {
        done = (error, result) => (error ? reject(error) : resolve(result));
      }).catch((error: Error) => {
        // Like pg: a stack that leads back to the caller rather than to the socket's read.
        Error.captureStackTrace(error);
        throw error;
      });
    }
    const finish = done as Callback;
    let settled = false;
    const watch = watchAnswer(this.#reads, this.#answerTimeoutMs, () => {
      settled = true;
      finish(new Error(ANSWER_TIMEOUT_MESSAGE));
    });
    try {
      super.query(config, args, (error: Error | null, result: unknown) => {
        if (settled) return;
        settled = true;
        watch.cancel();
        finish(error, result);
      });
    } catch (error) {
      watch.cancel();
      throw error;
    }
    return promise;
  }
}

/** Reads nothing: a wait for a pooled connection has no socket of its own to watch. */
const NO_READS: ReadCounter = { bytesRead: 0 };

/**
 * pg.Pool whose wait for a free connection (`connectionTimeoutMillis`, taken from pg-pool, which
 * would also time connects with it) cannot be cut short by a blocked event loop either: the
 * connections a blocked loop kept from being released are released in the turn the watch yields.
 * A request given up while waiting leaves pg-pool's queue. Connects are bounded by the clients
 * (`connectTimeoutMs`).
 */
export class BoundedPool extends pg.Pool {
  readonly #waitTimeoutMs: number;
  readonly #max: number;

  constructor(config: pg.PoolConfig & BoundedClientConfig) {
    const wait = config.connectionTimeoutMillis ?? 0;
    const options: pg.PoolConfig & BoundedClientConfig = {
      ...config,
      connectionTimeoutMillis: 0,
      connectTimeoutMs: config.connectTimeoutMs ?? wait,
    };
    super(options);
    this.#waitTimeoutMs = wait;
    this.#max = config.max ?? 10;
  }

  // biome-ignore lint/suspicious/noExplicitAny: matches both overloads of pg.Pool#connect
  override connect(callback?: any): any {
    // Only a request that will queue waits for a release; the others get an idle connection at
    // once or a new one (bounded by its client). Idle connections are handed to the requests
    // already waiting first (pg-pool does so on the next tick).
    if (this.#waitTimeoutMs <= 0 || this.idleCount > this.waitingCount || this.totalCount < this.#max) {
      return super.connect(callback);
    }
    let done = callback as ((error?: Error, client?: pg.PoolClient, release?: () => void) => void) | undefined;
    let promise: Promise<pg.PoolClient> | undefined;
    if (typeof done !== "function") {
      promise = new Promise((resolve, reject) => {
        done = (error, client) => (error || client === undefined ? reject(error) : resolve(client));
      });
    }
    const finish = done as NonNullable<typeof done>;
    let abandoned = false;
    const handed = (error: Error | undefined, client: pg.PoolClient | undefined, release: () => void) => {
      if (abandoned) {
        if (client) release();
        return;
      }
      watch.cancel();
      finish(error, client, release);
    };
    const watch = watchAnswer(
      NO_READS,
      this.#waitTimeoutMs,
      () => {
        abandoned = true;
        // Leave pg-pool's queue, as its own timer does (a private field: without it, `handed`
        // gives the connection back when the turn comes).
        const queue = (this as unknown as { _pendingQueue?: { callback: unknown }[] })._pendingQueue;
        const at = queue?.findIndex((item) => item.callback === handed) ?? -1;
        if (at >= 0) queue?.splice(at, 1);
        finish(new Error(POOL_WAIT_TIMEOUT_MESSAGE));
      },
      { creditBlocked: true },
    );
    super.connect(handed);
    return promise;
  }
}
