// The browsable API reference at /docs: Scalar's page over /openapi.json, with Scalar's browser
// bundle served from here (not from a CDN), so the page works offline and behind firewalls.
// Scalar's own extras that have nothing to do with this API are off: its developer toolbar
// ("Share", "Deploy", "Configure"; shown on localhost by default), the "Ask AI" agent, the
// "Generate MCP" button, telemetry, and fonts from Scalar's CDN.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Scalar } from "@scalar/hono-api-reference";
import { Hono } from "hono";

export function docsRoutes(): Hono {
  // The bundle is not in the package's exports map: locate it beside the package's entry point.
  const entry = fileURLToPath(import.meta.resolve("@scalar/api-reference"));
  const bundlePath = join(dirname(entry), "browser", "standalone.js");
  let bundle: Buffer | undefined;
  return new Hono()
    .get(
      "/docs",
      Scalar({
        url: "/openapi.json",
        cdn: "/docs/scalar.js",
        pageTitle: "TKA API reference",
        showDeveloperTools: "never",
        agent: { disabled: true },
        mcp: { disabled: true },
        telemetry: false,
        withDefaultFonts: false,
      }),
    )
    .get("/docs/scalar.js", (c) => {
      bundle ??= readFileSync(bundlePath);
      return c.body(new Uint8Array(bundle), 200, {
        "Content-Type": "text/javascript; charset=utf-8",
        "Cache-Control": "public, max-age=86400",
      });
    });
}
