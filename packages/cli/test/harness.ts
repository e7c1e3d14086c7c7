// The real server as a child process (fresh data directory, a free port, known keys) and the real
// `tka` program as a child process per command, talking to it over HTTP.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const serverMain = join(import.meta.dirname, "../../server/src/main.ts");
export const cliMain = join(import.meta.dirname, "../src/main.ts");

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "tka-cli-e2e-"));
  const child: ChildProcess = spawn(process.execPath, [serverMain], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output) ?? /(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a CLI run: nothing inherited that could select settings, a home of its own. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("TKA_") && k !== "XDG_CONFIG_HOME") env[k] = v;
  env.HOME = mkdtempSync(join(tmpdir(), "tka-cli-home-"));
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs `tka <args>` to completion. */
export function tka(args: string[], env: NodeJS.ProcessEnv, input?: string | Uint8Array): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliMain, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Starts `tka <args>` and returns the process, for commands that run until stopped (streams). */
export function spawnTka(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [cliMain, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  /** Resolves when the output so far matches (checked on every chunk); rejects if the process ends first. */
  const waitFor = (stream: "stdout" | "stderr", pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const text = stream === "stdout" ? stdout : stderr;
        if (pattern.test(text)) {
          resolve(text);
          return true;
        }
        return false;
      };
      if (check()) return;
      child[stream].on("data", () => check());
      exited.then(() => {
        if (!check()) reject(new Error(`tka ${args.join(" ")} exited before ${pattern}:\n${stdout}\n${stderr}`));
      });
    });
  return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
}
