// The mock server: `tsp-spector serve` over every http-specs scenario on a free port, stopped
// through its admin endpoint (the only way it writes its coverage file), which is then read.
// Spector reads the scenario metadata from git, so it runs in this repository's work tree.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { packageRoot, specsRoot } from "./paths.ts";

export type CoverageStatus = "pass" | "fail" | "not-implemented" | "not-supported";

export interface Spector {
  baseUrl: string;
  /** Stops the server through /.admin/stop and returns spector's coverage per scenario. */
  stop(): Promise<Record<string, CoverageStatus>>;
}

export async function startSpector(coverageFile: string, log: string): Promise<Spector> {
  rmSync(coverageFile, { force: true });
  const port = await freePort();
  const bin = join(packageRoot, "node_modules/.bin/tsp-spector");
  const entry = existsSync(bin) ? bin : "tsp-spector";
  const child = spawn(entry, ["serve", specsRoot, "--port", String(port), "--coverageFile", coverageFile], {
    cwd: packageRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (d) => output.push(String(d)));
  child.stderr?.on("data", (d) => output.push(String(d)));
  const baseUrl = `http://localhost:${port}`;
  await waitHealthy(baseUrl, child, output);
  return {
    baseUrl,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      await fetch(`${baseUrl}/.admin/stop`, { method: "POST" });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 60_000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) child.kill("SIGKILL");
      if (log) (await import("node:fs")).writeFileSync(log, output.join(""));
      return readCoverage(coverageFile);
    },
  };
}

/** Spector writes an array of reports (one per scenario path), each with `results`. */
export function readCoverage(file: string): Record<string, CoverageStatus> {
  if (!existsSync(file)) throw new Error(`spector wrote no coverage file at ${file}`);
  const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
  const reports = (Array.isArray(parsed) ? parsed : [parsed]) as { results: Record<string, CoverageStatus> }[];
  return Object.assign({}, ...reports.map((r) => r.results));
}

async function waitHealthy(baseUrl: string, child: ChildProcess, output: string[]): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tsp-spector serve exited (${child.exitCode}): ${output.join("")}`);
    try {
      const r = await fetch(`${baseUrl}/.admin/health`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGKILL");
  throw new Error(`tsp-spector serve did not answer within 180 s: ${output.join("")}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
