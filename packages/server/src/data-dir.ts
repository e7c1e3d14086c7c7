// The server's files: the data directory is created readable by this user only (0700), and the
// files in it are too (0600): the SQLite database with its -wal and -shm (SQLite gives those the
// database file's mode), the first API key, the key secret. Files from older versions are
// narrowed to 0600 at start. A directory that already exists keeps its mode (an operator may have
// chosen it); it is checked to be writable, so a read-only or missing one fails at start with a
// clear message rather than at the first write.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Creates `dir` (0700) if needed, and proves it writable by writing and removing a file. */
export function prepareDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  const probe = join(dir, `.write-test-${process.pid}`);
  writeFileSync(probe, "", { mode: FILE_MODE });
  rmSync(probe);
}

/** Makes sure the SQLite database at `path` and its companions exist with mode 0600 at most. */
export function restrictSqliteFiles(path: string): void {
  if (path === ":memory:") return;
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  // Created empty here, with the mode SQLite will copy to -wal and -shm.
  closeSync(openSync(path, "a", FILE_MODE));
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    if (!existsSync(file)) continue;
    if ((statSync(file).mode & 0o077) === 0) continue;
    chmodSync(file, FILE_MODE);
  }
}
