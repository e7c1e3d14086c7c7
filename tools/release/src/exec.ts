// Runs a tool and collects what it printed; a tool that is not installed is reported as such.
import { spawn } from "node:child_process";

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class MissingToolError extends Error {
  override name = "MissingToolError";
}

export function exec(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new MissingToolError(`${command} is not installed`) : error),
    );
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a tool that must succeed: a non-zero exit throws with its output. */
export async function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<ExecResult> {
  const result = await exec(command, args, options);
  if (result.code !== 0) {
    const output = `${result.stdout}${result.stderr}`.trim().split("\n").slice(-25).join("\n");
    throw new Error(`${[command, ...args].join(" ")} exited with ${result.code}:\n${output}`);
  }
  return result;
}
