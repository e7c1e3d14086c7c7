// A node-postgres client whose wait for an answer cannot be cut short by this process's own
// event loop. node-postgres' `query_timeout` is a plain timer: when the loop was blocked past it
// (a loaded machine, a long synchronous computation), timers run before sockets are read, so a
// statement PostgreSQL had answered long ago was reported "Query read timeout", counted as a
// database fault and could open the circuit breaker. Here the timer only asks the question;
// the socket answers it (docs/store.md, "A blocked event loop").
import pg from "pg";

/** The message node-postgres uses for its own read timeout (kept, so callers see one error). */
export const ANSWER_TIMEOUT_MESSAGE = "Query read timeout";

/** Settings of a bounded client: pg's own, plus the longest silence while a query waits. */
export interface BoundedClientConfig extends pg.ClientConfig {
  /** Give a query up once its connection has read nothing for this long (0: wait for ever). */
  answerTimeoutMs?: number;
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
 * after a block longer than the bound, right after the block.
 */
export function watchAnswer(socket: ReadCounter, timeoutMs: number, expire: () => void): { cancel(): void } {
  let seen = socket.bytesRead;
  let timer: NodeJS.Timeout | undefined;
  let turn: NodeJS.Immediate | undefined;
  const look = () => {
    turn = undefined;
    const now = socket.bytesRead;
    if (now !== seen) {
      seen = now;
      timer = setTimeout(fire, timeoutMs);
      return;
    }
    expire();
  };
  const fire = () => {
    timer = undefined;
    turn = setImmediate(look);
  };
  timer = setTimeout(fire, timeoutMs);
  return {
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      if (turn !== undefined) clearImmediate(turn);
    },
  };
}

type Callback = (error: Error | null, result?: unknown) => void;

/**
 * pg.Client with `answerTimeoutMs` in place of pg's `query_timeout` (which it ignores): a query
 * that times out fails with "Query read timeout", as with pg, and its connection is left waiting
 * for the answer: the caller must drop it (pool: `release(error)`; pool.query does so itself).
 * Queries that bring their own `submit` (cursors, streams) are not watched; none is used here.
 */
export class BoundedClient extends pg.Client {
  readonly #answerTimeoutMs: number;

  constructor(config: BoundedClientConfig = {}) {
    const { answerTimeoutMs = 0, query_timeout: _ignored, ...rest } = config;
    super(rest);
    this.#answerTimeoutMs = answerTimeoutMs;
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
    const stream = (this.connection as unknown as { stream: ReadCounter }).stream;
    const watch = watchAnswer(stream, this.#answerTimeoutMs, () => {
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
