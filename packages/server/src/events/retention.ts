// Event retention: change events are pruned at start and then periodically, those older than the
// configured age and, past the configured count, the oldest beyond it. The contract promises to
// keep every event for at least 24 hours, so the age is never shorter and the count never prunes
// a younger event. A client resuming from a pruned id is told EVENTS_EXPIRED (see feed.ts).
import type { EventPruning, Store } from "../store/types.ts";

/** The contract's promise: events are kept for at least this long. */
export const MIN_EVENT_RETENTION_MS = 24 * 60 * 60 * 1000;
export const PRUNE_INTERVAL_MS = 60_000;

export interface RetentionPolicy {
  /** Events older than this go (at least MIN_EVENT_RETENTION_MS). */
  maxAgeMs: number;
  /** Beyond this many newest events, older ones go too (0: no limit by count). */
  maxCount: number;
}

/** What one pruning at `now` removes under the policy. */
export function pruningAt(policy: RetentionPolicy, now: Date): EventPruning {
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
  return {
    olderThan: ago(Math.max(policy.maxAgeMs, MIN_EVENT_RETENTION_MS)),
    ...(policy.maxCount > 0 ? { beyondCount: { count: policy.maxCount, before: ago(MIN_EVENT_RETENTION_MS) } } : {}),
  };
}

export interface Retention {
  /** The first pruning (at start): resolves when done, failed or not (failures go to onError). */
  readonly started: Promise<void>;
  /** Stops the periodic pruning and waits for one under way. */
  stop(): Promise<void>;
}

/** Prunes now and every `intervalMs`; one pruning at a time, never keeping the process alive. */
export function startRetention(options: {
  store: Pick<Store, "pruneEvents">;
  policy: RetentionPolicy;
  intervalMs?: number;
  now?: () => Date;
  onPruned?: (deleted: number) => void;
  onError?: (error: unknown) => void;
}): Retention {
  const { store, policy } = options;
  const now = options.now ?? (() => new Date());
  let running: Promise<void> | null = null;
  const prune = (): Promise<void> => {
    // A pruning that outlasts the interval is not doubled: ticks during it are skipped.
    running ??= store
      .pruneEvents(pruningAt(policy, now()))
      .then(
        (deleted) => options.onPruned?.(deleted),
        (error: unknown) => options.onError?.(error),
      )
      .finally(() => {
        running = null;
      });
    return running;
  };
  const started = prune();
  const timer = setInterval(prune, options.intervalMs ?? PRUNE_INTERVAL_MS);
  timer.unref();
  return {
    started,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
