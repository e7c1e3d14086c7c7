// What the generator benchmarks share: one process measured by GNU time, and the peer's JAR.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const OPENAPI_GENERATOR = "7.25.0";

/** One process (tree): wall and CPU seconds, peak resident memory. */
export interface Measured {
  wall: number;
  /** User + system seconds of the process and every child it waited for. */
  cpu: number;
  peakMB: number;
  ok: boolean;
  note?: string;
}

/** Runs a command under GNU time (`/usr/bin/time`); `okStatus`: the exit codes that mean it worked. */
export function measure(
  cmd: string,
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  okStatus: readonly number[] = [0],
): Measured {
  const result = spawnSync("/usr/bin/time", ["-f", "TIME %e %U %S %M", cmd, ...argv], {
    cwd,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...env },
  });
  const line = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr ?? "");
  const out: Measured = {
    wall: line ? Number(line[1]) : Number.NaN,
    cpu: line ? Math.round((Number(line[2]) + Number(line[3])) * 100) / 100 : Number.NaN,
    peakMB: line ? Math.round(Number(line[4]) / 1024) : Number.NaN,
    ok: result.status !== null && okStatus.includes(result.status),
  };
  if (!out.ok) {
    out.note = (result.stderr ?? "")
      .replace(/TIME [\d.]+ [\d.]+ [\d.]+ \d+\s*$/, "")
      .trim()
      .split("\n")
      .slice(-3)
      .join(" | ")
      .slice(0, 300);
  }
  return out;
}

/** openapi-generator's CLI JAR from Maven Central (through mvn, into the local repository). */
export function openapiGeneratorJar(): string {
  const jar = join(
    homedir(),
    `.m2/repository/org/openapitools/openapi-generator-cli/${OPENAPI_GENERATOR}/openapi-generator-cli-${OPENAPI_GENERATOR}.jar`,
  );
  if (!existsSync(jar)) {
    execFileSync(
      "mvn",
      [
        "-q",
        "dependency:get",
        `-Dartifact=org.openapitools:openapi-generator-cli:${OPENAPI_GENERATOR}`,
        "-Dtransitive=false",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
  }
  return jar;
}
