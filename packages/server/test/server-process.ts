// Starts the real server (src/main.ts) as a child process on a free port, for tests that need
// the process itself: that it survives hostile input, or several instances on one database.
// Its log lines (JSON on stdout) are kept so a test can look for what the server reported.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const main = join(import.meta.dirname, "../src/main.ts");

export interface ServerProcess {
  url: string;
  wsUrl: string;
  dataDir: string;
  child: ChildProcess;
  /** Every JSON log line printed so far. */
  logs(): Record<string, unknown>[];
  /** Resolves with the first log line (past or future) that satisfies the predicate. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startServerProcess(
  env: Record<string, string> = {},
  dataDir = mkdtempSync(join(tmpdir(), "tka-proc-")),
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: {
    predicate: (line: Record<string, unknown>) => boolean;
    resolve: (line: Record<string, unknown>) => void;
  }[] = [];
  let output = "";
  let pending = "";
  child.stdout.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split("\n");
    pending = parts.pop() ?? "";
    for (const part of parts) {
      if (output.length < 100_000) output += `${part}\n`;
      if (!part.startsWith("{")) continue;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(part) as Record<string, unknown>;
      } catch {
        continue;
      }
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr.on("data", (chunk: Buffer) => {
    if (output.length < 100_000) output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const waitForLog = (predicate: (line: Record<string, unknown>) => boolean) => {
    const found = lines.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise<Record<string, unknown>>((resolve) => waiters.push({ predicate, resolve }));
  };
  const url = await Promise.race([
    waitForLog((line) => line.msg === "listening").then((line) => line.url as string),
    exited.then(() => {
      throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    }),
  ]);
  return {
    url,
    wsUrl: `${url.replace(/^http/, "ws")}/api/v1/ws`,
    dataDir,
    child,
    logs: () => lines,
    waitForLog,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}
