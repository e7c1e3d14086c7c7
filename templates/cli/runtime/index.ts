// The hand-written runtime of a generated command line, copied verbatim into its output. The
// generated `main.ts` calls `main()` with the commands and the SDK.

export { EXIT } from "./errors.ts";
export { run } from "./run.ts";
export type * from "./types.ts";

import { run } from "./run.ts";
import type { CliDefinition } from "./types.ts";

/** Runs the program with the process's arguments, streams and environment, and exits with its code. */
export async function main(def: CliDefinition): Promise<void> {
  const controller = new AbortController();
  let interrupted = false;
  process.on("SIGINT", () => {
    // The first Ctrl-C stops the command cleanly; a second one stops at once.
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort();
  });
  // A reader that went away (`| head`) ends the program quietly.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  const code = await run(process.argv.slice(2), def, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    home: (await import("node:os")).homedir(),
    signal: controller.signal,
  });
  process.exitCode = interrupted && code !== 0 ? 130 : code;
}
