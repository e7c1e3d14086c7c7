// The per-attempt timeouts of one client, enforced by a single timer armed for the earliest
// deadline instead of a setTimeout/clearTimeout pair per attempt. Measured (docs/sdk-runtime.md,
// Overhead): the pair cost about 3 µs of CPU per call over a real socket (5-6% of a local
// call), while an attempt here costs a clock read and a Set insert and delete.

/** An in-flight attempt's deadline and what happens when it passes. */
export interface Deadline {
  /** `Date.now()` value after which the attempt has timed out. */
  at: number;
  /** The attempt's timeout, ms (bounds how long a backwards clock step can delay it). */
  timeout: number;
  /** Called once, when the deadline has passed and the attempt is still in flight. */
  expire(): void;
  /** The list links, Deadlines' own (a Set's add and delete cost more: its table is rebuilt). */
  prev?: Deadline | undefined;
  next?: Deadline | undefined;
}

const MAX_TIMER_MS = 2_147_483_647;

/**
 * One client's in-flight deadlines. Starting an attempt adds its deadline (arming the timer only
 * when it is the earliest, which with one timeout per client is only when none is armed);
 * finishing removes it and leaves the timer alone. When the timer fires it expires what is due
 * and re-arms for the earliest remaining deadline, so each deadline is kept to the millisecond
 * as before and a stream of calls re-arms about once per timeout period. The timer does not by
 * itself keep a Node or Bun process alive (it is unref'd): an in-flight request holds its socket.
 * Where a timer cannot be unref'd (browsers, Deno: a number), it is cleared whenever nothing is
 * in flight, so a finished script exits at once, as with a timer per attempt.
 */
export class Deadlines {
  /** The in-flight deadlines, a doubly linked list through their prev/next (head: newest). */
  #head: Deadline | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The deadline the timer is armed for (Infinity: not armed). */
  #armedFor = Number.POSITIVE_INFINITY;
  /** The armed timer would hold the process open: clear it when nothing is in flight. */
  #holds = false;
  readonly #onTimer = (): void => this.#fire();

  /** Adds an in-flight deadline (one not added yet). */
  add(deadline: Deadline): void {
    deadline.prev = undefined;
    deadline.next = this.#head;
    if (this.#head !== undefined) this.#head.prev = deadline;
    this.#head = deadline;
    if (deadline.at < this.#armedFor) this.#arm(deadline.at, Date.now());
  }

  /** Removes a deadline that was added (a no-op for one already removed or expired). */
  delete(deadline: Deadline): void {
    const { prev, next } = deadline;
    if (prev !== undefined) prev.next = next;
    else if (this.#head === deadline) this.#head = next;
    else return;
    if (next !== undefined) next.prev = prev;
    deadline.prev = undefined;
    deadline.next = undefined;
    if (this.#head === undefined && this.#holds && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#armedFor = Number.POSITIVE_INFINITY;
    }
  }

  #arm(at: number, now: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedFor = at;
    const timer = setTimeout(this.#onTimer, Math.min(Math.max(at - now, 1), MAX_TIMER_MS));
    // Node, Bun: the timer alone does not hold the process open. Browsers and Deno return a number.
    const unref = (timer as { unref?: () => void }).unref;
    if (typeof unref === "function") unref.call(timer);
    this.#holds = typeof unref !== "function";
    this.#timer = timer;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    const due: Deadline[] = [];
    for (let deadline = this.#head; deadline !== undefined; deadline = deadline.next) {
      // The wall clock stepped back: count the attempt's time from now, at most one timeout.
      if (deadline.at - now > deadline.timeout) deadline.at = now + deadline.timeout;
      if (deadline.at <= now) due.push(deadline);
      else if (deadline.at < next) next = deadline.at;
    }
    for (const deadline of due) {
      this.delete(deadline);
      deadline.expire();
    }
    // An expiry may have started a new attempt (and armed the timer for it) meanwhile.
    if (next < this.#armedFor) this.#arm(next, now);
  }
}
