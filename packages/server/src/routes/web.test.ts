import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { buildServer } from "../server.ts";
import { WEB_CSP } from "./web.ts";
import { loadWebApp } from "./web-assets.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const script = `console.log(${JSON.stringify("x".repeat(4000))});\n`;

/** A built app as Vite lays it out, plus files that must never be served. */
function fixture(): string {
  const dir = mkdtempSync(join(tmpdir(), "tka-web-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(
    join(dir, "index.html"),
    '<!doctype html><script type="module" src="/assets/index-AbC_12.js"></script>',
  );
  writeFileSync(join(dir, "assets", "index-AbC_12.js"), script);
  writeFileSync(join(dir, "assets", "index-AbC_12.js.map"), "{}");
  writeFileSync(join(dir, "assets", "style-Zz9.css"), "body{margin:0}");
  writeFileSync(join(dir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  // A file named like a route of the API or the docs must not shadow it.
  mkdirSync(join(dir, "api", "v1"), { recursive: true });
  writeFileSync(join(dir, "api", "v1", "sequences"), "shadow");
  writeFileSync(join(dir, "openapi.json"), "shadow");
  mkdirSync(join(dir, "docs"));
  writeFileSync(join(dir, "docs", "index.html"), "shadow");
  return dir;
}

async function setup(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), "tka-app-"));
  const server = await buildServer(
    loadConfig([], { DATA_DIR: dataDir, API_KEYS: "p=0123456789abcdef", ...env }),
    () => {},
  );
  closers.push(() => server.store.close());
  return server.app;
}

describe("the web app at /", () => {
  it("serves the page and its files with their types, a self-only CSP and the right caching", async () => {
    const app = await setup({ WEB_DIR: fixture() });
    const page = await app.request("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("Cache-Control")).toBe("no-cache");
    expect(page.headers.get("Content-Security-Policy")).toBe(WEB_CSP);
    expect(WEB_CSP).not.toMatch(/unsafe|\*|https?:|data:/);
    expect(page.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(page.headers.get("X-Frame-Options")).toBe("DENY");
    expect(await page.text()).toContain("/assets/index-AbC_12.js");

    const js = await app.request("/assets/index-AbC_12.js");
    expect(js.headers.get("Content-Type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(await js.text()).toBe(script);
    expect((await app.request("/assets/style-Zz9.css")).headers.get("Content-Type")).toBe("text/css; charset=utf-8");
    const icon = await app.request("/favicon.svg");
    expect(icon.headers.get("Content-Type")).toBe("image/svg+xml");
    expect(icon.headers.get("Cache-Control")).toBe("no-cache");
    // Source maps stay on disk; unknown files are the API's 404 problem.
    const map = await app.request("/assets/index-AbC_12.js.map");
    expect(map.status).toBe(404);
    expect(map.headers.get("Content-Type")).toBe("application/problem+json");
    expect((await app.request("/assets/../index.html")).status).not.toBe(500);
  });

  it("never shadows the API, the docs or the contract", async () => {
    const app = await setup({ WEB_DIR: fixture() });
    const list = await app.request("/api/v1/sequences", { headers: { "X-API-Key": "0123456789abcdef" } });
    expect(list.status).toBe(200);
    expect(await list.json()).toMatchObject({ data: [] });
    expect(await (await app.request("/openapi.json")).json()).toHaveProperty("paths");
    expect(await (await app.request("/docs")).text()).toContain("/docs/scalar.js");
    expect((await app.request("/docs/index.html")).status).toBe(404);
    expect((await app.request("/api/v1/health/live")).status).toBe(200);
  });

  it("answers revalidation with 304 and compresses what is worth it", async () => {
    const app = await setup({ WEB_DIR: fixture() });
    const first = await app.request("/assets/index-AbC_12.js");
    const etag = first.headers.get("ETag") as string;
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = await app.request("/assets/index-AbC_12.js", { headers: { "If-None-Match": `W/${etag}, "x"` } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const gzip = await app.request("/assets/index-AbC_12.js", { headers: { "Accept-Encoding": "gzip, br;q=0" } });
    expect(gzip.headers.get("Content-Encoding")).toBe("gzip");
    expect(gzip.headers.get("Vary")).toContain("Accept-Encoding");
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString()).toBe(script);
    const br = await app.request("/assets/index-AbC_12.js", { headers: { "Accept-Encoding": "gzip, deflate, br" } });
    expect(br.headers.get("Content-Encoding")).toBe("br");
    const none = await app.request("/assets/index-AbC_12.js", { headers: { "Accept-Encoding": "identity" } });
    expect(none.headers.get("Content-Encoding")).toBeNull();
    // HEAD: the headers without the body.
    const head = await app.request("/", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("explains how to build the app when it is not built", async () => {
    const app = await setup({ WEB_DIR: mkdtempSync(join(tmpdir(), "tka-empty-")) });
    const page = await app.request("/");
    expect(page.status).toBe(503);
    expect(page.headers.get("Content-Security-Policy")).toBe(WEB_CSP);
    expect(await page.text()).toContain("pnpm -F @tka/web build");
    expect(loadWebApp(mkdtempSync(join(tmpdir(), "tka-empty-")))).toBeUndefined();
  });
});
