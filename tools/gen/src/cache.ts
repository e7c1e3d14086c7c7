// Results of `pnpm gen` steps kept between runs, keyed by a hash of everything they read: a step
// whose inputs did not change takes its result from here instead of working it out again (the
// TypeSpec compile and the Redocly lint are most of a run). Only successful results are kept.
// Lives beside the generator's own caches (node_modules/.cache/tka-codegen); TKA_CODEGEN_NO_CACHE=1
// turns it off, as it does those.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { threadId } from "node:worker_threads";
import { cacheDir, cachesEnabled } from "@tka/codegen/src/startup.ts";

const dir = join(cacheDir, "gen");
let reuse = cachesEnabled;

/** `pnpm gen --no-cache`: every step works its result out again (and keeps it). */
export function recomputeAll(): void {
  reuse = false;
}

/** A hash over labelled inputs (file contents, versions, options). */
export class InputHash {
  private readonly hash = createHash("sha256");

  add(label: string, content: string | Uint8Array): this {
    this.hash.update(`${label}\0${content.length}\0`).update(content).update("\0");
    return this;
  }

  /** Every file under `folder` (sorted; node_modules and dot-folders left out), by path. */
  addFolder(root: string, folder: string): this {
    for (const file of walk(join(root, folder))) this.add(relative(root, file), readFileSync(file));
    return this;
  }

  digest(): string {
    return this.hash.digest("hex");
  }
}

function walk(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((e) => !e.name.startsWith(".") && e.name !== "node_modules")
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? walk(join(folder, e.name)) : e.isFile() ? [join(folder, e.name)] : []));
}

/** The cached result of `step` for `key`, or undefined. */
export function cached<T>(step: string, key: string): T | undefined {
  if (!reuse) return undefined;
  try {
    return JSON.parse(readFileSync(join(dir, `${step}-${key}.json`), "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Keeps a successful result (a cache that cannot be written is not used). */
export function keep(step: string, key: string, result: unknown): void {
  if (!cachesEnabled) return;
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${step}-${key}.json`);
    const tmp = `${file}.${process.pid}.${threadId}.tmp`;
    writeFileSync(tmp, JSON.stringify(result));
    renameSync(tmp, file);
  } catch {
    // read-only: no cache
  }
}
