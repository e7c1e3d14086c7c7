// The web app's built files (packages/web/dist), read once at start: small (tens of KB), and
// keeping them in memory means a rebuild under a running server never serves a page whose
// scripts are gone. Compressed copies are made on first request, then kept.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** Where `pnpm -F @tka/web build` writes the app, relative to this file in the workspace. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};
const compressible = new Set([".html", ".js", ".css", ".svg", ".json", ".webmanifest", ".txt"]);
/** Smaller files are sent as they are (compression would not pay for its header). */
const MIN_COMPRESS_BYTES = 512;
/** A sanity bound: the app is tens of KB; anything near this is not what the build makes. */
const MAX_TOTAL_BYTES = 32 * 1024 * 1024;

export interface WebAsset {
  /** The URL path it is served at (`/`, `/assets/index-3f2a1b.js`, `/favicon.svg`). */
  path: string;
  type: string;
  body: Uint8Array;
  etag: string;
  /** Content-hashed names (Vite's `assets/`) never change: cached for a year. */
  immutable: boolean;
  compressible: boolean;
  /** Filled on first request. */
  encoded: { br?: Uint8Array; gzip?: Uint8Array };
}

export interface WebApp {
  dir: string;
  assets: Map<string, WebAsset>;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The built app in `dir`, or undefined when it has not been built (no index.html). */
export function loadWebApp(dir: string = DEFAULT_WEB_DIR): WebApp | undefined {
  if (!existsSync(join(dir, "index.html"))) return undefined;
  const assets = new Map<string, WebAsset>();
  let total = 0;
  for (const file of filesUnder(dir)) {
    const name = relative(dir, file).split(sep).join("/");
    const ext = extname(name).toLowerCase();
    // Source maps stay on disk: nothing a browser running the app needs.
    if (ext === ".map") continue;
    total += statSync(file).size;
    if (total > MAX_TOTAL_BYTES) throw new Error(`the web app in ${dir} is over ${MAX_TOTAL_BYTES} bytes`);
    const body = new Uint8Array(readFileSync(file));
    const path = name === "index.html" ? "/" : `/${name}`;
    assets.set(path, {
      path,
      type: types[ext] ?? "application/octet-stream",
      body,
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`,
      immutable: name.startsWith("assets/"),
      compressible: compressible.has(ext) && body.byteLength >= MIN_COMPRESS_BYTES,
      encoded: {},
    });
  }
  return { dir, assets };
}

/** Whether an Accept-Encoding header accepts a coding (its q, else `*`'s q, is above 0). */
function accepts(header: string, coding: string): boolean {
  let own: number | undefined;
  let any: number | undefined;
  for (const part of header.slice(0, 1024).split(",")) {
    const [name = "", ...params] = part.split(";").map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith("q="));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (name === coding) own = q;
    else if (name === "*") any = q;
  }
  return (own ?? any ?? 0) > 0;
}

/** The asset's bytes in the best coding the client accepts (brotli, then gzip, else none). */
export function encodedBody(
  asset: WebAsset,
  acceptEncoding: string | undefined,
): { body: Uint8Array; encoding?: "br" | "gzip" } {
  if (!asset.compressible || acceptEncoding === undefined) return { body: asset.body };
  if (accepts(acceptEncoding, "br")) {
    asset.encoded.br ??= new Uint8Array(
      brotliCompressSync(asset.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }),
    );
    return { body: asset.encoded.br, encoding: "br" };
  }
  if (accepts(acceptEncoding, "gzip")) {
    asset.encoded.gzip ??= new Uint8Array(gzipSync(asset.body, { level: 9 }));
    return { body: asset.encoded.gzip, encoding: "gzip" };
  }
  return { body: asset.body };
}
