#!/usr/bin/env node
// `pnpm conformance [--language typescript,python] [--filter <dir prefix>]`: runs the http-specs
// scenarios through the generated SDKs against `tsp-spector serve` and writes
// results/<language>.json and the table in README.md.
import { parseArgs } from "node:util";
import { writeResults } from "./report.ts";
import { runLanguage, type ScenarioResult } from "./run.ts";

const { values } = parseArgs({
  options: {
    language: { type: "string", default: "typescript,python" },
    filter: { type: "string" },
    "no-write": { type: "boolean", default: false },
  },
});
const filters = values.filter?.split(",");
const filter = filters ? (id: string) => filters.some((f) => id.startsWith(f)) : undefined;
const all: Record<string, ScenarioResult[]> = {};
for (const language of (values.language as string).split(",") as ("typescript" | "python" | "rust")[]) {
  const started = performance.now();
  all[language] = await runLanguage(language, filter);
  const pass = all[language].filter((r) => r.status === "pass").length;
  console.log(
    `conformance: ${language}: ${pass} of ${all[language].length} scenarios pass (${Math.round((performance.now() - started) / 1000)} s)`,
  );
}
if (!values["no-write"]) writeResults(all, filter === undefined);
