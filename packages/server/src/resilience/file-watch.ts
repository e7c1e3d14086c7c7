// The SQLite database file, watched. An open connection keeps reading and writing a file that
// was deleted, moved or replaced (the operating system keeps the old file alive for it), so
// nothing fails, yet every write from then on lands in a file that no restart will read again:
// a 2xx that is not durable. Checking once a second that the path still names the file that was
// opened (same device and inode, for the database and its WAL) turns that into a database fault:
// the circuit opens and every request answers 503 until the file is back where it was (for
// example a directory moved away and back), which the circuit's probe sees. A different file at
// the path (a restored backup) is never adopted: the server must be restarted to open it.
import { statSync } from "node:fs";
import { StoreUnavailableError } from "../store/types.ts";

interface Identity {
  dev: number;
  ino: number;
}

function identityOf(path: string): Identity | null {
  try {
    const { dev, ino } = statSync(path);
    return { dev, ino };
  } catch {
    return null;
  }
}

/**
 * Remembers which files `paths` name now (a file created later is remembered when first seen)
 * and returns a check that throws a StoreUnavailableError once one of them is gone or replaced.
 */
export function fileIdentityCheck(paths: readonly string[]): () => void {
  const known = new Map<string, Identity>();
  const check = () => {
    for (const path of paths) {
      const now = identityOf(path);
      const before = known.get(path);
      if (before === undefined) {
        if (now !== null) known.set(path, now);
        continue;
      }
      if (now === null) {
        throw new StoreUnavailableError(`the database file ${path} is gone (deleted or moved away)`);
      }
      if (now.dev !== before.dev || now.ino !== before.ino) {
        throw new StoreUnavailableError(
          `the database file ${path} was replaced by another file: restart the server to open it`,
        );
      }
    }
  };
  check();
  return check;
}

/** Runs `check` every `intervalMs`; a failure goes to `onFault`. Returns the stop function. */
export function watchEvery(intervalMs: number, check: () => void, onFault: (error: unknown) => void): () => void {
  const timer = setInterval(() => {
    try {
      check();
    } catch (error) {
      onFault(error);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
