// Wires the parts together from a Config: store (behind the circuit breaker), event dispatcher,
// metrics, the sequence service, the WebSocket hub and the HTTP app.
import { join } from "node:path";
import type { SerializedAnswer } from "./api/context.ts";
import { createApp, createFastPath } from "./app.ts";
import { ApiKeys } from "./auth/api-keys.ts";
import { AuthFailureLimiter, checkKey } from "./auth/failure-limit.ts";
import { checkKeySecret, loadKeySecret } from "./auth/key-secret.ts";
import { watchCommits } from "./cache/commit-watch.ts";
import { ViewCache } from "./cache/view-cache.ts";
import type { Config } from "./config.ts";
import { prepareDataDir, restrictSqliteFiles } from "./data-dir.ts";
import { EventDispatcher, fanOutTimes } from "./events/dispatcher.ts";
import { startRetention } from "./events/retention.ts";
import { SseStreams } from "./events/sse.ts";
import { WebSocketHub } from "./events/websocket.ts";
import type { Log } from "./http/observe.ts";
import { RateLimiter } from "./http/rate-limit.ts";
import { IdGenerator } from "./ids.ts";
import { Metrics } from "./observability/metrics.ts";
import { metricsAccess, metricsApp } from "./observability/metrics-route.ts";
import { CircuitBreaker } from "./resilience/circuit-breaker.ts";
import { isDatabaseFault } from "./resilience/database-faults.ts";
import { fileIdentityCheck, watchEvery } from "./resilience/file-watch.ts";
import { loadWebApp } from "./routes/web-assets.ts";
import { SequenceService } from "./service/sequences.ts";
import { guardedStore } from "./store/guarded-store.ts";
import { PgStore } from "./store/postgres/pg-store.ts";
import { SqliteStore, sqlitePathOf } from "./store/sqlite/sqlite-store.ts";

export const SERVER_NAME = "tka-server";
export const SERVER_VERSION = "0.1.0";
/** How often the SQLite file is checked to still be the one opened (see resilience/file-watch.ts). */
const FILE_CHECK_MS = 1000;
/** Sequences whose read answer is kept in memory (a few KB each). */
const VIEW_CACHE_ENTRIES = 1000;

/**
 * The data directory made ready and the store opened (migrated): PostgreSQL when several
 * instances share one database, the embedded SQLite file otherwise. Also used by admin commands.
 */
export async function openStore(config: Config, log: Log): Promise<SqliteStore | PgStore> {
  const postgres = /^postgres(ql)?:\/\//.test(config.databaseUrl);
  // With PostgreSQL and the key secret set, nothing needs the data directory (a read-only
  // container works) unless a first key is created, whose write then reports a clear failure.
  if (!postgres || config.apiKeySecret === undefined) prepareDataDir(config.dataDir);
  if (postgres) {
    return PgStore.connect(config.databaseUrl, {
      timeoutMs: config.databaseTimeoutMs,
      onError: (e) => log({ level: "warn", msg: "database pool", error: String(e) }),
    });
  }
  restrictSqliteFiles(sqlitePathOf(config.databaseUrl));
  // One server process per data directory makes every write to its SQLite file (the read cache
  // below assumes the same): sequence rows are kept in memory between commits.
  return new SqliteStore(sqlitePathOf(config.databaseUrl), { onlyWriter: true });
}

export async function buildServer(config: Config, log: Log) {
  const raw = await openStore(config, log);
  const metrics = new Metrics({ defaultMetrics: true });
  // SQLite: the file is watched too (an open connection keeps writing a deleted or moved file).
  const sqliteFile = raw instanceof SqliteStore ? sqlitePathOf(config.databaseUrl) : ":memory:";
  const checkFile = sqliteFile === ":memory:" ? () => {} : fileIdentityCheck([sqliteFile, `${sqliteFile}-wal`]);
  const breaker = new CircuitBreaker({
    ...config.breaker,
    probe: async () => {
      checkFile();
      await raw.ping();
    },
    isFault: isDatabaseFault,
    onStateChange: (state, fault) => {
      metrics.databaseUnavailable.set(state === "open" ? 1 : 0);
      log({ level: state === "open" ? "warn" : "info", msg: "database circuit", state, error: fault?.message });
    },
  });
  const stopFileWatch =
    sqliteFile === ":memory:"
      ? () => {}
      : watchEvery(FILE_CHECK_MS, checkFile, (error) => {
          if (breaker.state === "closed") metrics.databaseErrors.inc();
          breaker.trip(error);
        });
  // Sequence reads from memory only where this process makes every write (SQLite): commits of
  // other instances on a shared PostgreSQL database would not drop the entries.
  const views =
    raw.engine === "sqlite" ? new ViewCache<SerializedAnswer>({ maxEntries: VIEW_CACHE_ENTRIES }) : undefined;
  const guarded = guardedStore(raw, breaker, () => metrics.databaseErrors.inc());
  const store = views === undefined ? guarded : watchCommits(guarded, views);
  const ids = new IdGenerator();
  // Live events (events/dispatcher.ts): this instance's commits are handed over as they are
  // acknowledged (delivery happens later, never inside the request); with PostgreSQL, NOTIFY
  // wake-ups tell of every instance's commits, and the dispatcher reads what it missed from the log.
  const dispatcher = new EventDispatcher(store, {
    onError: (error) => log({ level: "warn", msg: "event delivery read failed", error: String(error) }),
    onFanOut: (report) => {
      metrics.fanOutWait.observe((report.startedAt - report.queuedAt) / 1000);
      metrics.fanOutDuration.observe((report.finishedAt - report.startedAt) / 1000);
      if (config.logLevel === "debug") log({ level: "debug", msg: "events fanned out", ...fanOutTimes(report) });
    },
  });
  const service = new SequenceService({
    store,
    ids,
    historyLimit: config.historyLimit,
    publish: (event) => {
      metrics.eventsPublished.inc();
      dispatcher.publish(event);
    },
  });
  if (raw instanceof PgStore) {
    await raw.listen({
      onCommitted: (projectId, position) => dispatcher.wake(projectId, position),
      onResync: () => dispatcher.resync(),
      onError: (error) => log({ level: "warn", msg: "event wake-ups", error: String(error) }),
    });
  }
  // API keys: hashes keyed with the server's secret, which must be the one the stored keys were
  // made with (see auth/key-secret.ts); keys from API_KEYS live in memory only.
  const secret = loadKeySecret(config.apiKeySecret, config.dataDir);
  await checkKeySecret(store, secret);
  const keys = new ApiKeys({
    store,
    secret: secret.secret,
    environment: config.apiKeys,
    newId: () => ids.newId("key"),
  });
  const firstKey = await keys.bootstrap(join(config.dataDir, "api-key"));
  const authFailures = new AuthFailureLimiter({ ...config.authFailureLimit, trustedProxies: config.trustProxy });
  const hub = new WebSocketHub({
    store,
    dispatcher,
    // Under the same limit of unknown keys per client address as HTTP requests.
    authenticate: async (token, request) => {
      const client = authFailures.clientOf(request.socket.remoteAddress, request.headers["x-forwarded-for"]);
      const check = await checkKey(keys, authFailures, token, client);
      if ("principal" in check) return check.principal;
      return check.refused === "limited" ? { retryAfterSeconds: check.retryAfterSeconds } : null;
    },
    allowedOrigins: config.corsOrigins,
    sendBufferBytes: config.eventSendBufferBytes,
    log,
    onOpen: () => metrics.websockets.inc(),
    onClose: () => metrics.websockets.dec(),
    onSlowConsumer: () => metrics.slowConsumers.inc({ transport: "websocket" }),
  });
  const access = metricsAccess(config);
  if (!access.onMainListener && config.metricsAddress === undefined) {
    log({
      level: "warn",
      msg: "metrics not served: HOST is not a loopback address; set METRICS_TOKEN or METRICS_ADDRESS to serve /metrics",
    });
  }
  const sseStreams = new SseStreams();
  metrics.sseStreamCount = () => sseStreams.size;
  const info = { name: SERVER_NAME, version: SERVER_VERSION, startedAt: new Date() };
  const limiter = new RateLimiter(config.rateLimit);
  // The web app's built files (packages/web/dist), when built.
  const web = loadWebApp(config.webDir);
  const appDeps = {
    info,
    store,
    breaker,
    dispatcher,
    eventSendBufferBytes: config.eventSendBufferBytes,
    sseStreams,
    metrics,
    service,
    views,
    limiter,
    corsOrigins: config.corsOrigins,
    bodyLimitBytes: config.bodyLimitBytes,
    jsonLimits: config.jsonLimits,
    idempotencyTtlMs: config.idempotencyTtlMs,
    log,
    keys,
    authFailures,
    metricsAccess: access,
    web,
  };
  const app = createApp(appDeps);
  // Cached sequence reads answered through node:http directly (main.ts puts it before the app).
  const fastPath = createFastPath(appDeps);
  // Old change events are pruned now and every minute (see events/retention.ts). Started last, once
  // the synchronous set-up above is done (createApp parses the 230 KB contract: 0.27 s of CPU, over
  // a second on a loaded machine): a statement in flight while the event loop is blocked longer than
  // the answer bound is declared unanswered when the loop resumes (timers run before the socket
  // is read), and that "fault" would open the circuit for every request.
  const retention = startRetention({
    store,
    policy: config.eventRetention,
    onPruned: (deleted) => {
      if (deleted > 0) log({ level: "info", msg: "events pruned", deleted });
    },
    onError: (error) => log({ level: "warn", msg: "event pruning failed", error: String(error) }),
  });
  // Closing the store ends the file watch and the probes first (whoever closes it: shutdown, tests).
  const closeStore = raw.close.bind(raw);
  raw.close = () => {
    stopFileWatch();
    breaker.stop();
    return closeStore();
  };
  // METRICS_ADDRESS: /metrics on a listener of its own (main.ts starts it).
  const metricsOnly = config.metricsAddress === undefined ? undefined : metricsApp(metrics, config.metricsToken);
  return {
    app,
    fastPath,
    metricsApp: metricsOnly,
    store: raw,
    service,
    hub,
    dispatcher,
    sseStreams,
    metrics,
    keys,
    firstKey,
    web,
    retention,
    breaker,
  };
}
