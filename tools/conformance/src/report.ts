// Writes results/<language>.json (every scenario with its status and reason) and prints a summary.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resultsRoot } from "./paths.ts";
import type { ScenarioResult } from "./run.ts";

export function writeResults(all: Record<string, ScenarioResult[]>, full: boolean): void {
  mkdirSync(resultsRoot, { recursive: true });
  for (const [language, results] of Object.entries(all)) {
    const file = join(resultsRoot, `${language}${full ? "" : ".partial"}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
  }
}
