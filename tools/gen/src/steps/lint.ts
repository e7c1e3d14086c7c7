import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { openapiOutDir } from "../paths.ts";
import type { Step } from "../step.ts";

const require = createRequire(import.meta.url);

/**
 * Lints the staged OpenAPI documents with Redocly (rules in redocly.yaml). Any error or warning
 * fails `pnpm gen`: the contract stays clean.
 */
export const lintStep: Step = {
  name: "lint (Redocly)",
  outputs: [],
  async run({ root, staging, log }) {
    const cli = require.resolve("@redocly/cli/bin/cli.js");
    for (const file of ["openapi.3.1.yaml", "openapi.3.2.yaml"]) {
      const path = join(staging, openapiOutDir, file);
      const args = [cli, "lint", path, `--config=${join(root, "redocly.yaml")}`, "--format=json"];
      const { stdout, stderr } = await run(process.execPath, args, root);
      const report = parseReport(stdout);
      if (report === undefined) throw new Error(`Redocly lint of ${file} gave no report:\n${stdout}${stderr}`);
      const { errors, warnings } = report.totals;
      if (errors > 0 || warnings > 0) {
        const lines = report.problems.map(
          (p) => `  ${p.severity} ${p.ruleId}: ${p.message} (${p.location?.[0]?.pointer ?? ""})`,
        );
        throw new Error(`Redocly lint of ${file}: ${errors} error(s), ${warnings} warning(s)\n${lines.join("\n")}`);
      }
      log(`  ${file}: 0 errors, 0 warnings`);
    }
  },
};

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { severity: string; ruleId: string; message: string; location?: { pointer?: string }[] }[];
}

function parseReport(stdout: string): LintReport | undefined {
  const start = stdout.indexOf("{");
  if (start < 0) return undefined;
  try {
    return JSON.parse(stdout.slice(start)) as LintReport;
  } catch {
    return undefined;
  }
}

function run(command: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", () => resolve({ stdout, stderr }));
  });
}
