// Prometheus metrics, one registry per app instance (so tests do not share counters).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "tka_http_requests_total",
    help: "HTTP requests by method, route and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "tka_http_request_duration_seconds",
    help: "HTTP request duration by method and route.",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly websockets = new Gauge({
    name: "tka_websocket_connections",
    help: "Open WebSocket connections.",
    registers: [this.registry],
  });
  /** Open SSE streams, read at each scrape (the server sets where from). */
  sseStreamCount: () => number = () => 0;
  readonly sseStreams: Gauge = new Gauge({
    name: "tka_sse_streams",
    help: "Open SSE event streams.",
    registers: [this.registry],
    collect: (): void => this.sseStreams.set(this.sseStreamCount()),
  });
  readonly databaseErrors = new Counter({
    name: "tka_database_errors_total",
    help: "Database faults met: failed operations that were not the request's fault, and file checks.",
    registers: [this.registry],
  });
  readonly databaseUnavailable = new Gauge({
    name: "tka_database_unavailable",
    help: "1 while the database circuit is open (requests that need the database answer 503), else 0.",
    registers: [this.registry],
  });
  readonly eventsPublished = new Counter({
    name: "tka_events_published_total",
    help: "Change events committed and published.",
    registers: [this.registry],
  });
  /** Live events: how long a batch waited for its fan-out, and how long the fan-out took (dispatcher.ts). */
  readonly fanOutWait = new Histogram({
    name: "tka_event_fanout_wait_seconds",
    help: "Time from an event reaching the dispatcher (acknowledged commit or log read) to the start of its fan-out.",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });
  readonly fanOutDuration = new Histogram({
    name: "tka_event_fanout_duration_seconds",
    help: "Time from the start of a batch's fan-out to the last subscriber's write.",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });
  readonly slowConsumers = new Counter({
    name: "tka_event_slow_consumers_total",
    help: "Event subscribers disconnected for falling behind their send buffer, by transport.",
    labelNames: ["transport"] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: "tka_" });
  }
}
