import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { cached, InputHash, keep } from "../cache.ts";
import { openapiOutDir } from "../paths.ts";
import type { Step } from "../step.ts";

const require = createRequire(import.meta.url);

/** The documents linted, in this order. */
export const files = ["openapi.3.1.yaml", "openapi.3.2.yaml"];

/**
 * `pnpm gen --lint`: lints the staged OpenAPI documents (lintDocuments), in the background while
 * the code generators work: nothing they do depends on the lint, and `pnpm gen` waits for it
 * before it writes. Without --lint, `pnpm gen` leaves the lint to `pnpm run lint`.
 */
export const lintStep: Step = {
  name: "lint (Redocly)",
  outputs: [],
  background: true,
  async run({ root, staging, log }) {
    await lintDocuments(
      root,
      files.map((file) => join(staging, openapiOutDir, file)),
      log,
    );
  },
};

/**
 * Lints the two OpenAPI documents (`paths`, 3.1 then 3.2) with Redocly (rules in redocly.yaml):
 * any error or warning throws, so the contract stays clean. Both documents in one Redocly
 * process (a second process cost about 0.7 s of CPU). A clean result is remembered for the same
 * documents, rules and Redocly version (cache.ts).
 */
export async function lintDocuments(root: string, paths: string[], log: (line: string) => void): Promise<void> {
  const cli = require.resolve("@redocly/cli/bin/cli.js");
  // A clean lint of the same documents with the same rules and Redocly is not run again.
  const inputs = new InputHash()
    .add("redocly", (require("@redocly/cli/package.json") as { version: string }).version)
    .add("redocly.yaml", readFileSync(join(root, "redocly.yaml")));
  for (const [i, path] of paths.entries()) inputs.add(files[i] as string, readFileSync(path));
  const key = inputs.digest();
  if (cached<boolean>("lint", key) === true) {
    for (const file of files) log(`  ${file}: 0 errors, 0 warnings (the same documents were linted before)`);
    return;
  }
  const args = [cli, "lint", ...paths, `--config=${join(root, "redocly.yaml")}`, "--format=json"];
  const { stdout, stderr } = await run(process.execPath, args, root);
  // One JSON report per document, in the order given.
  const reports = jsonObjects(stdout) as LintReport[];
  if (reports.length !== files.length || reports.some((r) => r?.totals === undefined)) {
    throw new Error(`Redocly lint gave no report for every document:\n${stdout}${stderr}`);
  }
  reports.forEach((report, i) => {
    const { errors, warnings } = report.totals;
    if (errors > 0 || warnings > 0) {
      const lines = report.problems.map(
        (p) => `  ${p.severity} ${p.ruleId}: ${p.message} (${p.location?.[0]?.pointer ?? ""})`,
      );
      throw new Error(`Redocly lint of ${files[i]}: ${errors} error(s), ${warnings} warning(s)\n${lines.join("\n")}`);
    }
    log(`  ${files[i]}: 0 errors, 0 warnings`);
  });
  keep("lint", key, true);
}

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { severity: string; ruleId: string; message: string; location?: { pointer?: string }[] }[];
}

/** The JSON objects written one after another (Redocly's `--format=json` with several files). */
export function jsonObjects(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"' && depth > 0) {
      inString = true;
    } else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && depth > 0 && --depth === 0) {
      try {
        out.push(JSON.parse(text.slice(start, i + 1)));
      } catch {
        out.push(undefined);
      }
    }
  }
  return out;
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
