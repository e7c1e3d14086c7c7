import type { EventDispatcher } from "../events/dispatcher.ts";
import type { HealthHandlers } from "../generated/handlers.ts";
import type { CircuitBreaker } from "../resilience/circuit-breaker.ts";
import type { Store } from "../store/types.ts";
import type { AppContext } from "./context.ts";

export interface ServerInfo {
  name: string;
  version: string;
  startedAt: Date;
}

export interface HealthDeps {
  info: ServerInfo;
  store: Store;
  breaker: CircuitBreaker;
  dispatcher: EventDispatcher;
}

type Status = "healthy" | "degraded" | "unhealthy";

interface Component {
  name: string;
  status: Status;
  message: string | null;
  last_checked_at: string;
  response_time_ms: number;
}

async function timed(
  name: string,
  check: () => Promise<Status | { status: Status; message: string }>,
): Promise<Component> {
  const started = performance.now();
  let status: Status;
  let message: string | null = null;
  try {
    const result = await check();
    if (typeof result === "string") status = result;
    else ({ status, message } = result);
  } catch (error) {
    status = "unhealthy";
    // The breaker's answer names the fault it met.
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    message = error instanceof Error ? `${error.message}${cause}` : String(error);
  }
  return {
    name,
    status,
    message,
    last_checked_at: new Date().toISOString(),
    response_time_ms: Math.round((performance.now() - started) * 1000) / 1000,
  };
}

/**
 * Real checks: a database round trip (through the breaker, so a fault found here opens it too)
 * and the event dispatcher's log reads. While the circuit is open the database is unhealthy,
 * with the reason.
 */
async function checkComponents({ store, breaker, dispatcher }: HealthDeps): Promise<Component[]> {
  return Promise.all([
    timed("database", async () => {
      const fault = breaker.fault;
      if (fault === null) {
        await store.ping();
        return "healthy";
      }
      return {
        status: "unhealthy",
        message: `unavailable since ${new Date(fault.since).toISOString()} (circuit open, probing): ${fault.message}`,
      };
    }),
    timed("events", async () => {
      // Live delivery reads the log to fill gaps; a project whose reads fail is delayed (retried).
      const failing = dispatcher.failingProjects;
      return failing === 0
        ? "healthy"
        : { status: "degraded", message: `event delivery retrying for ${failing} project(s)` };
    }),
  ]);
}

function worst(components: readonly Component[]): Status {
  if (components.some((c) => c.status === "unhealthy")) return "unhealthy";
  return components.some((c) => c.status === "degraded") ? "degraded" : "healthy";
}

/** Health (200 healthy/degraded, 503 unhealthy), liveness, readiness (503 when not ready), status. */
export function healthHandlers(deps: HealthDeps): HealthHandlers<AppContext> {
  const { info } = deps;
  const uptime = () => (Date.now() - info.startedAt.getTime()) / 1000;
  return {
    async get() {
      const components = await checkComponents(deps);
      const status = worst(components);
      const body = {
        status,
        version: info.version,
        uptime_seconds: uptime(),
        checked_at: new Date().toISOString(),
        components,
      };
      return status === "unhealthy" ? { status: 503, body } : { status: 200, body };
    },
    async getLiveness() {
      return { status: 200, body: { status: "ok" } };
    },
    async getReadiness() {
      const components = (await checkComponents(deps)).filter((x) => x.name === "database");
      const ready = components.every((x) => x.status !== "unhealthy") && deps.breaker.state !== "open";
      return ready ? { status: 200, body: { ready, components } } : { status: 503, body: { ready, components } };
    },
    async getStatus() {
      return {
        status: 200,
        body: {
          name: info.name,
          version: info.version,
          api_version: "v1",
          database: deps.store.engine,
          started_at: info.startedAt.toISOString(),
          uptime_seconds: uptime(),
        },
      };
    },
  };
}
