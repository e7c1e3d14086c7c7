// Starting the processes a benchmark measures: the TKA server (src/main.ts) with benchmark
// settings, or a peer script; each answers its URL on stdout as a JSON line with "url".
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processCpuSeconds } from "./cpu.ts";

export const BENCH_KEY = "bench-key-0123456789abcdef";
const here = import.meta.dirname;

export interface Running {
  url: string;
  /** Where its standard output goes. */
  logFile: string;
  child: ChildProcess;
  pid: number;
  /** CPU seconds the process (all its threads) has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * Starts `node [nodeArgs] script [args]` and resolves once it printed its URL. Its output goes to
 * a file, as a service's log would: through a pipe, a server blocks in write() whenever this
 * process (busy or descheduled on a loaded machine) reads the pipe late, and the benchmark would
 * time that.
 */
export function startProcess(
  script: string,
  options: { args?: string[]; env?: Record<string, string>; nodeArgs?: string[] } = {},
): Promise<Running> {
  const logFile = join(mkdtempSync(join(tmpdir(), "tka-bench-log-")), "stdout.log");
  const out = openSync(logFile, "w");
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", out, "inherit"],
  });
  closeSync(out);
  const pid = child.pid as number;
  const running: Running = {
    url: "",
    logFile,
    child,
    pid,
    cpuSeconds: () => processCpuSeconds(pid),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => {
      clearInterval(poll);
      reject(new Error(`${script} exited ${code}: ${readFileSync(logFile, "utf8").slice(0, 2000)}`));
    };
    // The URL is on one of the first lines: read the file's head until it is there.
    const poll = setInterval(() => {
      const head = readFileSync(logFile, "utf8").slice(0, 100_000);
      const m = /"url":"(http:\/\/[^"]+)"/.exec(head);
      if (m?.[1]) {
        clearInterval(poll);
        child.off("exit", onExit);
        resolve({ ...running, url: m[1] });
      }
    }, 50);
    child.once("exit", onExit);
  });
}

/**
 * The TKA server with every middleware on (auth, rate limit with a limit out of reach, request
 * id, metrics, a JSON log line per request, CORS), a fresh data directory and one API key.
 * BENCH_SERVER (or `script`): another checkout's src/main.ts; BENCH_SERVER_ARGS: Node flags (e.g. --cpu-prof).
 */
export function startServer(
  env: Record<string, string> = {},
  script = process.env.BENCH_SERVER ?? join(here, "../../src/main.ts"),
  nodeArgs = process.env.BENCH_SERVER_ARGS,
): Promise<Running> {
  return startProcess(script, {
    nodeArgs: nodeArgs?.split(" ").filter(Boolean) ?? [],
    env: {
      PORT: "0",
      DATA_DIR: mkdtempSync(join(tmpdir(), "tka-bench-")),
      API_KEYS: `bench=${BENCH_KEY}`,
      RATE_LIMIT: "1000000000/1000000000",
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
      LOG_FORMAT: "json",
      CORS_ORIGINS: "http://bench.example",
      ...env,
    },
  });
}
