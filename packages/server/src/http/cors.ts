// CORS with an explicit allow-list. Preflights (OPTIONS with Origin) are Hono's cors middleware as is; for
// every other request the same headers are set once, on the final response, after the handler:
// Hono's middleware sets them on a placeholder response before the handler, which turns the
// handler's response into a stream copy and costs more than the rest of a small GET.
import type { MiddlewareHandler } from "hono";
import { cors as honoCors } from "hono/cors";

export interface CorsOptions {
  /** Origins allowed to read answers; none means no cross-origin access at all. */
  origins: readonly string[];
  exposeHeaders: readonly string[];
  allowHeaders: readonly string[];
  maxAge: number;
}

/** The origin, when it may read answers; else null. */
export function allowedOrigin(options: CorsOptions, origin: string | undefined): string | null {
  return origin !== undefined && options.origins.includes(origin) ? origin : null;
}

export function cors(options: CorsOptions): MiddlewareHandler {
  const allowed = (origin: string) => allowedOrigin(options, origin);
  const preflight = honoCors({
    origin: allowed,
    exposeHeaders: [...options.exposeHeaders],
    allowHeaders: [...options.allowHeaders],
    maxAge: options.maxAge,
  });
  const expose = options.exposeHeaders.join(",");
  return async (c, next) => {
    // A preflight always carries Origin; a plain OPTIONS goes on to the routes (204 with Allow).
    if (c.req.method === "OPTIONS" && c.req.header("Origin") !== undefined) return preflight(c, next);
    await next();
    const headers = c.res.headers;
    const origin = allowed(c.req.header("Origin") ?? "");
    if (origin !== null) headers.set("Access-Control-Allow-Origin", origin);
    headers.set("Access-Control-Expose-Headers", expose);
    headers.append("Vary", "Origin");
  };
}
