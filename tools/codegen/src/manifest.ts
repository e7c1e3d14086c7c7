// The manifest of generated files: every output folder keeps `.generated-files`, the files the
// last run generated there. A run deletes only files that manifest lists and it no longer
// generates, so hand-written files in the folder (tests, a changelog, a Cargo.lock that `cargo
// package` left) are never touched. Shared by `pnpm codegen` and `pnpm gen` (tools/gen).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TargetFile } from "./targets/types.ts";

/** The manifest's file name inside every output folder. */
export const MANIFEST = ".generated-files";

const header =
  "# Files generated into this folder (pnpm gen, pnpm codegen). A rerun deletes only files listed here that it no longer generates.\n";

/** The manifest text for a folder's generated files (paths relative to the folder). */
export function renderManifest(files: readonly string[]): string {
  return header + [...files].sort().join("\n") + (files.length > 0 ? "\n" : "");
}

/** The paths a manifest lists (comments and blank lines skipped). */
export function parseManifest(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** A manifest entry names a file inside its folder: never an absolute path or one climbing out. */
export function isInside(file: string): boolean {
  return !file.startsWith("/") && !file.split(/[\\/]/).includes("..");
}

export interface WriteResult {
  added: string[];
  changed: string[];
  removed: string[];
}

/**
 * Writes generated files into `dir` with their manifest: new and changed files are written,
 * files the previous manifest lists that are no longer generated are deleted, nothing else.
 */
export function writeOutput(dir: string, files: readonly TargetFile[]): WriteResult {
  const result: WriteResult = { added: [], changed: [], removed: [] };
  const all = [...files, { path: MANIFEST, content: renderManifest([...files.map((f) => f.path), MANIFEST]) }];
  let previous: string[] = [];
  try {
    previous = parseManifest(readFileSync(join(dir, MANIFEST), "utf8"));
  } catch {
    // No manifest yet: nothing to delete.
  }
  for (const file of all) {
    const path = join(dir, file.path);
    let current: string | undefined;
    try {
      current = readFileSync(path, "utf8");
    } catch {
      current = undefined;
    }
    if (current === file.content) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
    (current === undefined ? result.added : result.changed).push(file.path);
  }
  const generated = new Set(all.map((f) => f.path));
  for (const file of previous) {
    if (generated.has(file) || !isInside(file)) continue;
    try {
      rmSync(join(dir, file));
      result.removed.push(file);
    } catch {
      // Already gone.
    }
  }
  return result;
}
