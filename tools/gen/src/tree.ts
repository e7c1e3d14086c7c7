import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";

/** Build and tool folders that are never generated output, wherever they appear. */
const untracked = new Set(["node_modules", ".turbo", ".reports", "dist", "target", ".venv"]);

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
      if (entry.isDirectory()) {
        if (!untracked.has(entry.name)) await walk(full);
      } else if (entry.isFile()) out.push(relative(dir, full));
    }
  }
  await walk(dir);
  return out.sort();
}

export interface TreeDiff {
  /** Files the generator produces that are missing from the tree. */
  added: string[];
  /** Files whose content differs. */
  changed: string[];
  /** Files in an owned directory that the generator no longer produces. */
  removed: string[];
}

export function isClean(diff: TreeDiff): boolean {
  return diff.added.length + diff.changed.length + diff.removed.length === 0;
}

/**
 * Compares the staged output of the owned roots with the working tree. Paths in the result are
 * relative to the repository root. `keep` lists paths inside owned roots that are hand-written
 * and must survive (a path, or a folder when it ends with "/").
 */
export async function diffTrees(
  staging: string,
  root: string,
  ownedRoots: readonly string[],
  keep: ReadonlySet<string> = new Set(),
): Promise<TreeDiff> {
  const diff: TreeDiff = { added: [], changed: [], removed: [] };
  for (const owned of ownedRoots) {
    const staged = await listFiles(join(staging, owned));
    const current = new Set(await listFiles(join(root, owned)));
    for (const file of staged) {
      const path = join(owned, file);
      if (!current.has(file)) {
        diff.added.push(path);
        continue;
      }
      current.delete(file);
      const [a, b] = await Promise.all([readFile(join(staging, path)), readFile(join(root, path))]);
      if (!a.equals(b)) diff.changed.push(path);
    }
    for (const file of current) {
      const path = join(owned, file);
      if (!isKept(path, keep)) diff.removed.push(path);
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

function isKept(path: string, keep: ReadonlySet<string>): boolean {
  if (keep.has(path)) return true;
  for (const entry of keep) if (entry.endsWith("/") && path.startsWith(entry)) return true;
  return false;
}
