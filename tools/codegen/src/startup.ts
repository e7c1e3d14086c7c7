// Start-up of the codegen CLI and of `pnpm gen`. Node runs the TypeScript sources directly: every
// .ts module it loads is first stripped of its types (SWC compiled to WebAssembly) and then
// compiled by V8, anew in every process. For one target that was most of the run's CPU (about
// 250 ms of 400 KB of sources, measured with --cpu-prof), more than the generation itself. Both
// results are cached under node_modules/.cache/tka-codegen, keyed by content, so a run loads the
// same JavaScript Node would have produced, only without producing it again:
//  - the type-stripped source of each .ts module (key: SHA-1 of Node's version and the source);
//  - V8's code cache of every module, ours and the dependencies' (Node's own compile cache).
// A cache that cannot be written (a read-only checkout) is simply not used;
// TKA_CODEGEN_NO_CACHE=1 turns every cache off (the benchmark's cold runs).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { enableCompileCache, registerHooks, stripTypeScriptTypes } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { threadId } from "node:worker_threads";

/**
 * The generator's cache folder (the YAML cache of loader/document.ts lives here too);
 * TKA_CODEGEN_CACHE_DIR moves it (the tests use their own).
 */
export const cacheDir =
  process.env.TKA_CODEGEN_CACHE_DIR ?? fileURLToPath(new URL("../node_modules/.cache/tka-codegen/", import.meta.url));

export const cachesEnabled = process.env.TKA_CODEGEN_NO_CACHE !== "1";

let started = false;

/** Turns on both caches for the modules this process loads from now on (once per process). */
export function fastStart(): void {
  // Only plain type stripping is cached (not --experimental-transform-types, nor with source maps).
  if (started || !cachesEnabled || process.features.typescript !== "strip") return;
  if (process.execArgv.some((a) => a.startsWith("--enable-source-maps"))) return;
  started = true;
  enableCompileCache(join(cacheDir, "v8"));
  const stripped = join(cacheDir, "ts");
  let writable = true;
  registerHooks({
    load(url, context, nextLoad) {
      const result = nextLoad(url, context);
      // Node's own stripping for what it refuses or treats otherwise (dependencies' .ts files).
      if (result.format !== "module-typescript" || result.source == null || url.includes("/node_modules/")) {
        return result;
      }
      const source = typeof result.source === "string" ? result.source : new TextDecoder().decode(result.source);
      const key = createHash("sha1").update(process.version).update("\0").update(source).digest("hex");
      const file = join(stripped, `${key}.js`);
      try {
        return { format: "module", source: readFileSync(file, "utf8"), shortCircuit: true };
      } catch {
        // not cached yet
      }
      const js = strip(source, url);
      if (writable) {
        try {
          mkdirSync(stripped, { recursive: true });
          const tmp = `${file}.${process.pid}.${threadId}.tmp`;
          writeFileSync(tmp, js);
          renameSync(tmp, file);
        } catch {
          writable = false;
        }
      }
      return { format: "module", source: js, shortCircuit: true };
    },
  });
}

/**
 * Node's own type stripping (what its loader runs, in the same mode, naming the module's URL). It warns that
 * it is experimental; the warning says nothing to a user of the generator, so it is held back.
 */
function strip(source: string, url: string): string {
  const emit = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return stripTypeScriptTypes(source, { mode: "strip", sourceUrl: url });
  } finally {
    process.emitWarning = emit;
  }
}
