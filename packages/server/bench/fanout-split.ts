// Where the delivery time of bench/fanout.ts goes, per measured mutation, from four clocks of one
// machine (Unix epoch milliseconds): the writer's send, the server's fan-out report of the
// event's position (LOG_LEVEL=debug: "events fanned out", from EventDispatcher's onFanOut) and
// the last subscriber's arrival. Stages:
//   commit:  send -> queued    the request, the commit and its acknowledgement (the event reaches
//                              the dispatcher when the commit is acknowledged)
//   wait:    queued -> started the event waits for its fan-out (the event loop, earlier batches)
//   fan-out: started -> finished the server writes the event to every subscriber's socket (the
//                              end of the pass that brought the last subscriber up to date)
//   tail:    finished -> last  the last subscriber reads it (kernel, load generator)
// With two instances a position has a report from each; the one that finished last counts.

export interface FanOutReportLine {
  /** One event's report, or (servers before the rolling fan-out) one batch's: first..last. */
  position?: number;
  first?: number;
  last?: number;
  subscribers: number;
  turns: number;
  queued_at: number;
  started_at: number;
  finished_at: number;
}

/** The servers' fan-out reports by position, from their JSON log lines. */
export class FanOutLog {
  readonly #byPosition = new Map<number, FanOutReportLine>();
  readonly #queued = new Map<number, number>();
  readonly #waiters: (() => void)[] = [];
  #highest = 0;

  /** One line of a server's output (lines that are not fan-out reports are ignored). */
  feed(line: string): void {
    if (!line.includes('"events fanned out"')) return;
    const report = JSON.parse(line) as FanOutReportLine;
    const first = report.position ?? (report.first as number);
    const last = report.position ?? (report.last as number);
    for (let p = first; p <= last; p++) {
      const known = this.#byPosition.get(p);
      if (known === undefined || known.finished_at < report.finished_at) this.#byPosition.set(p, report);
      const queued = this.#queued.get(p);
      if (queued === undefined || report.queued_at < queued) this.#queued.set(p, report.queued_at);
    }
    if (last > this.#highest) this.#highest = last;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  get(position: number): FanOutReportLine | undefined {
    return this.#byPosition.get(position);
  }

  /**
   * When the position's commit was acknowledged: the earliest time an instance had the event
   * (the committing instance hands it over as it acknowledges; others learn of it later).
   */
  committedAt(position: number): number | undefined {
    return this.#queued.get(position);
  }

  /** Resolves once a report up to `position` arrived (log lines are written in batches), or after `ms`. */
  async until(position: number, ms: number): Promise<void> {
    const deadline = performance.now() + ms;
    while (this.#highest < position && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
}

export interface Split {
  /** Mutations with all four times known. */
  mutations: number;
  commit_p50_ms: number;
  commit_p99_ms: number;
  wait_p50_ms: number;
  wait_p99_ms: number;
  fanout_p50_ms: number;
  fanout_p99_ms: number;
  tail_p50_ms: number;
  tail_p99_ms: number;
  /** Event-loop turns from an event's first write to its last (p50 / max). */
  turns_p50: number;
  turns_max: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Joins the writer's send times (by mutation index k), the position of each k's event and the
 * last arrival of each k (from the subscribers) with the servers' reports.
 */
export function splitDelivery(
  sentAt: Record<string, number>,
  positions: Record<string, number>,
  lastArrival: Record<string, number>,
  log: FanOutLog,
): Split {
  const stages = { commit: [] as number[], wait: [] as number[], fanout: [] as number[], tail: [] as number[] };
  const turns: number[] = [];
  for (const [k, sent] of Object.entries(sentAt)) {
    const position = positions[k];
    const arrival = lastArrival[k];
    const report = position === undefined ? undefined : log.get(position);
    if (report === undefined || arrival === undefined) continue;
    stages.commit.push(report.queued_at - sent);
    stages.wait.push(report.started_at - report.queued_at);
    stages.fanout.push(report.finished_at - report.started_at);
    stages.tail.push(arrival - report.finished_at);
    turns.push(report.turns);
  }
  for (const values of [...Object.values(stages), turns]) values.sort((a, b) => a - b);
  return {
    mutations: stages.commit.length,
    commit_p50_ms: round(percentile(stages.commit, 0.5)),
    commit_p99_ms: round(percentile(stages.commit, 0.99)),
    wait_p50_ms: round(percentile(stages.wait, 0.5)),
    wait_p99_ms: round(percentile(stages.wait, 0.99)),
    fanout_p50_ms: round(percentile(stages.fanout, 0.5)),
    fanout_p99_ms: round(percentile(stages.fanout, 0.99)),
    tail_p50_ms: round(percentile(stages.tail, 0.5)),
    tail_p99_ms: round(percentile(stages.tail, 0.99)),
    turns_p50: percentile(turns, 0.5),
    turns_max: turns[turns.length - 1] ?? Number.NaN,
  };
}

/** p50, p99 and max (ms) of merged histograms of 0.1 ms buckets ({bucket: count}, one per load process). */
export function histogramPercentiles(histograms: Record<string, number>[]): {
  count: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
} {
  const merged = new Map<number, number>();
  let count = 0;
  for (const h of histograms) {
    for (const [bucket, n] of Object.entries(h)) {
      merged.set(Number(bucket), (merged.get(Number(bucket)) ?? 0) + n);
      count += n;
    }
  }
  const buckets = [...merged.keys()].sort((a, b) => a - b);
  const at = (p: number) => {
    let target = Math.max(1, Math.ceil(count * p));
    for (const b of buckets) {
      target -= merged.get(b) as number;
      if (target <= 0) return round(b / 10);
    }
    return Number.NaN;
  };
  return { count, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1) };
}
