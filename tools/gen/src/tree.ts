// The owned output folders and the files `pnpm gen` wrote into them. Each output folder carries a
// manifest (`.generated-files`, committed) naming every file the last run generated there. A
// run writes what changed and deletes only files the previous manifest lists and the generator no
// longer produces: anything else in the folder (a hand-written test, a Cargo.lock that `cargo
// package` left, a build folder) is never touched.
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { isInside, MANIFEST, parseManifest, renderManifest } from "@tka/codegen/src/manifest.ts";

export { MANIFEST, parseManifest, renderManifest } from "@tka/codegen/src/manifest.ts";

/** Lists every file under `dir` (relative paths, sorted); an absent directory has none. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(current: string): Promise<void> {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push(relative(dir, full));
    }
  }
  await walk(dir);
  return out.sort();
}

/**
 * Stages the manifest of every owned folder: the files staged there, the manifest included.
 * Called after every step ran.
 */
export async function stageManifests(staging: string, ownedRoots: readonly string[]): Promise<void> {
  for (const owned of ownedRoots) {
    const files = (await listFiles(join(staging, owned))).filter((f) => f !== MANIFEST);
    await mkdir(join(staging, owned), { recursive: true });
    await writeFile(join(staging, owned, MANIFEST), renderManifest([...files, MANIFEST]));
  }
}

export interface TreeDiff {
  /** Files the generator produces that are missing from the tree. */
  added: string[];
  /** Files whose content differs. */
  changed: string[];
  /** Files the previous run generated (its manifest lists them) that the generator no longer produces. */
  removed: string[];
}

export function isClean(diff: TreeDiff): boolean {
  return diff.added.length + diff.changed.length + diff.removed.length === 0;
}

/**
 * Compares the staged output of the owned roots with the working tree. Paths in the result are
 * relative to the repository root. Only staged files and files the tree's manifest lists are
 * looked at; a folder without a manifest has no files to remove.
 */
export async function diffTrees(staging: string, root: string, ownedRoots: readonly string[]): Promise<TreeDiff> {
  const diff: TreeDiff = { added: [], changed: [], removed: [] };
  for (const owned of ownedRoots) {
    const staged = await listFiles(join(staging, owned));
    for (const file of staged) {
      const path = join(owned, file);
      const current = await readOrUndefined(join(root, path));
      if (current === undefined) diff.added.push(path);
      else if (!current.equals(await readFile(join(staging, path)))) diff.changed.push(path);
    }
    const stagedSet = new Set(staged);
    const previous = await readOrUndefined(join(root, owned, MANIFEST));
    for (const file of previous === undefined ? [] : parseManifest(previous.toString("utf8"))) {
      if (stagedSet.has(file) || !isInside(file)) continue;
      const path = join(owned, file);
      if ((await readOrUndefined(join(root, path))) !== undefined) diff.removed.push(path);
    }
  }
  for (const list of [diff.added, diff.changed, diff.removed]) list.sort();
  return diff;
}

/** Makes the working tree match the staged output: writes added and changed files, deletes removed ones. */
export async function applyDiff(staging: string, root: string, diff: TreeDiff): Promise<void> {
  for (const path of [...diff.added, ...diff.changed]) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), await readFile(join(staging, path)));
  }
  for (const path of diff.removed) await rm(join(root, path));
}

/**
 * The lines that name what a run changed: per kind, at most `limit` paths, then a count of the
 * rest.
 */
export function describeDiff(diff: TreeDiff, limit = 8): string[] {
  const lines: string[] = [];
  for (const [kind, paths] of [
    ["added", diff.added],
    ["changed", diff.changed],
    ["removed", diff.removed],
  ] as const) {
    for (const path of paths.slice(0, limit)) lines.push(`  ${kind.padEnd(8)}${path}`);
    if (paths.length > limit) lines.push(`  ${kind.padEnd(8)}... and ${paths.length - limit} more`);
  }
  return lines;
}

async function readOrUndefined(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return undefined;
    throw error;
  }
}
