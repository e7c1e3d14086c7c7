// Wires the parts together from a Config: store (behind the circuit breaker), event bus,
// metrics, the sequence service, the WebSocket hub and the HTTP app.
import { join } from "node:path";
import type { SerializedAnswer } from "./api/context.ts";
import { createApp } from "./app.ts";
import { authenticate, bootstrapApiKey, ensureApiKeys } from "./auth/api-keys.ts";
import { watchCommits } from "./cache/commit-watch.ts";
import { ViewCache } from "./cache/view-cache.ts";
import type { Config } from "./config.ts";
import { EventBus } from "./events/bus.ts";
import { startRetention } from "./events/retention.ts";
import { WebSocketHub } from "./events/websocket.ts";
import type { Log } from "./http/observe.ts";
import { RateLimiter } from "./http/rate-limit.ts";
import { IdGenerator } from "./ids.ts";
import { Metrics } from "./observability/metrics.ts";
import { CircuitBreaker } from "./resilience/circuit-breaker.ts";
import { SequenceService } from "./service/sequences.ts";
import { guardedStore, isDatabaseFault } from "./store/guarded-store.ts";
import { followCommits } from "./store/postgres/follow.ts";
import { PgStore } from "./store/postgres/pg-store.ts";
import { SqliteStore, sqlitePathOf } from "./store/sqlite/sqlite-store.ts";
import type { StoredEvent } from "./store/types.ts";

export const SERVER_NAME = "tka-server";
export const SERVER_VERSION = "0.1.0";
/** Sequences whose read answer is kept in memory (a few KB each). */
const VIEW_CACHE_ENTRIES = 1000;

export async function buildServer(config: Config, log: Log) {
  // PostgreSQL when several instances share one database; the embedded SQLite file otherwise.
  const raw = /^postgres(ql)?:\/\//.test(config.databaseUrl)
    ? await PgStore.connect(config.databaseUrl, {
        onError: (e) => log({ level: "warn", msg: "database pool", error: String(e) }),
      })
    : new SqliteStore(sqlitePathOf(config.databaseUrl));
  const metrics = new Metrics({ defaultMetrics: true });
  const breaker = new CircuitBreaker({
    ...config.breaker,
    isFailure: isDatabaseFault,
    onStateChange: (state) => log({ level: state === "closed" ? "info" : "warn", msg: "database circuit", state }),
  });
  // Sequence reads from memory only where this process makes every write (SQLite): commits of
  // other instances on a shared PostgreSQL database would not drop the entries.
  const views =
    raw.engine === "sqlite" ? new ViewCache<SerializedAnswer>({ maxEntries: VIEW_CACHE_ENTRIES }) : undefined;
  const guarded = guardedStore(raw, breaker, () => metrics.databaseErrors.inc());
  const store = views === undefined ? guarded : watchCommits(guarded, views);
  const ids = new IdGenerator();
  const bus = new EventBus();
  const publish = (event: StoredEvent) => {
    metrics.eventsPublished.inc();
    bus.publish(event);
  };
  // With PostgreSQL every instance publishes every commit (its own too) from the log, woken by
  // NOTIFY, so all subscribers see each project's events in commit order (interim wiring).
  const service = new SequenceService({
    store,
    ids,
    historyLimit: config.historyLimit,
    ...(raw instanceof PgStore ? {} : { publish }),
  });
  if (raw instanceof PgStore) {
    await followCommits(
      raw,
      publish,
      (error) => log({ level: "warn", msg: "event follow failed", error: String(error) }),
      () => bus.subscriberCount > 0,
    );
  }
  // Old change events are pruned now and every minute (see events/retention.ts).
  const retention = startRetention({
    store,
    policy: config.eventRetention,
    onPruned: (deleted) => {
      if (deleted > 0) log({ level: "info", msg: "events pruned", deleted });
    },
    onError: (error) => log({ level: "warn", msg: "event pruning failed", error: String(error) }),
  });
  await ensureApiKeys(store, config.apiKeys, () => ids.newId("key"));
  const firstKey = await bootstrapApiKey(store, join(config.dataDir, "api-key"), () => ids.newId("key"));
  const hub = new WebSocketHub({
    store,
    bus,
    authenticate: (token) => authenticate(store, token),
    allowedOrigins: config.corsOrigins,
    onOpen: () => metrics.websockets.inc(),
    onClose: () => metrics.websockets.dec(),
  });
  const info = { name: SERVER_NAME, version: SERVER_VERSION, startedAt: new Date() };
  const limiter = new RateLimiter(config.rateLimit);
  const app = createApp({
    info,
    store,
    breaker,
    bus,
    metrics,
    service,
    views,
    limiter,
    corsOrigins: config.corsOrigins,
    bodyLimitBytes: config.bodyLimitBytes,
    idempotencyTtlMs: config.idempotencyTtlMs,
    log,
  });
  return { app, store: raw, service, hub, metrics, firstKey, retention };
}
