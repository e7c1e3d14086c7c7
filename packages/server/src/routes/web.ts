// The web app (packages/web) at /: its built files from memory (web-assets.ts), each at its own
// exact path, so nothing here can shadow /api, /docs, /openapi.json, /health or /metrics.
// Security headers: a CSP allowing only this origin (the app loads nothing from elsewhere and
// talks only to this server), no framing, no sniffing, no referrer.
import type { Context } from "hono";
import { Hono } from "hono";
import { encodedBody, type WebApp, type WebAsset } from "./web-assets.ts";

export const WEB_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const securityHeaders = {
  "Content-Security-Policy": WEB_CSP,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
} as const;

/** Paths the app's files may never take (the API, the docs, the contract, probes, metrics). */
const RESERVED = /^\/(api|docs|openapi\.(json|yaml)|health|metrics)(\/|$|\.)/;

const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TKA: web app not built</title></head>
<body><h1>The web app is not built</h1>
<p>Build it with <code>pnpm -F @tka/web build</code> (<code>tools/scripts/start.sh</code> does this), then restart the server.</p>
<p>The API reference is at <a href="/docs">/docs</a>.</p></body></html>
`;

function serve(c: Context, asset: WebAsset): Response {
  const headers: Record<string, string> = {
    ...securityHeaders,
    "Content-Type": asset.type,
    ETag: asset.etag,
    // Hashed names never change; the page and the other files are revalidated (a cheap 304).
    "Cache-Control": asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
  };
  if (asset.compressible) headers.Vary = "Accept-Encoding";
  const ifNoneMatch = c.req.header("If-None-Match");
  if (ifNoneMatch?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === asset.etag)) {
    return c.body(null, 304, headers);
  }
  const { body, encoding } = encodedBody(asset, c.req.header("Accept-Encoding"));
  if (encoding !== undefined) headers["Content-Encoding"] = encoding;
  return c.body(body as Uint8Array<ArrayBuffer>, 200, headers);
}

/** GET (and HEAD) of the app's files; without a built app, `/` explains how to build it. */
export function webRoutes(web: WebApp | undefined): Hono {
  const app = new Hono();
  if (web === undefined) {
    return app.get("/", (c) => c.html(notBuilt, 503, { ...securityHeaders, "Cache-Control": "no-store" }));
  }
  for (const asset of web.assets.values()) {
    // Vite's names are [\w.-]; anything else could mean something to the router's path syntax.
    if (RESERVED.test(asset.path) || !/^\/[\w./-]*$/.test(asset.path)) continue;
    app.get(asset.path, (c) => serve(c, asset));
  }
  return app;
}
