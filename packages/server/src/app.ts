import { Hono } from "hono";
import { problem } from "./http/problem.ts";
import { type RequestIdEnv, requestId } from "./http/request-id.ts";
import { contractRoutes } from "./routes/contract.ts";
import { healthRoutes, type ServerInfo } from "./routes/health.ts";

/** Builds the HTTP application. Everything it serves is listed here. */
export function createApp(info: ServerInfo): Hono<RequestIdEnv> {
  const app = new Hono<RequestIdEnv>();
  app.use(requestId);
  app.route("/", contractRoutes());
  app.route("/api/v1", healthRoutes(info));
  app.notFound((c) => problem(c, 404, "NOT_FOUND", "Not found", `No route for ${c.req.method} ${c.req.path}.`));
  app.onError((error, c) => {
    console.error(JSON.stringify({ level: "error", request_id: c.get("requestId"), error: String(error) }));
    return problem(c, 500, "INTERNAL_ERROR", "Internal server error");
  });
  return app;
}
