import { Hono } from "hono";
import type { RequestIdEnv } from "../http/request-id.ts";

export interface ServerInfo {
  name: string;
  version: string;
  startedAt: Date;
}

/**
 * Health, liveness and readiness. The server has no dependency yet (the database and /status arrive
 * with the sequence domain), so the report lists no component and is always healthy.
 */
export function healthRoutes(info: ServerInfo): Hono<RequestIdEnv> {
  const uptime = () => (Date.now() - info.startedAt.getTime()) / 1000;
  return new Hono<RequestIdEnv>()
    .get("/health", (c) =>
      c.json({
        status: "healthy",
        version: info.version,
        uptime_seconds: uptime(),
        checked_at: new Date().toISOString(),
        components: [],
      }),
    )
    .get("/health/live", (c) => c.json({ status: "ok" }))
    .get("/health/ready", (c) => c.json({ ready: true, components: [] }));
}
