#!/usr/bin/env node
// `pnpm conformance`: runs every http-specs scenario through the generated SDKs against
// `tsp-spector serve`, then writes results/<language>.json, results/not-passing.md,
// results/passing.json and the table in README.md (this package's and the root one).
//   --language typescript,python   which SDKs (default: typescript, python and rust)
//   --filter type/array,encode     only scenario folders starting with these (results/*.partial.json)
//   --gate                         the regression gate: writes nothing but .reports/conformance.xml,
//                                  exits 1 when a scenario of results/passing.json no longer passes
import { parseArgs } from "node:util";
import { checkGate, gatedLanguages } from "./gate.ts";
import { type Results, writeResults } from "./report.ts";
import { runLanguage } from "./run.ts";
import { runSkeleton } from "./skeleton-run.ts";

const { values } = parseArgs({
  options: {
    language: { type: "string" },
    filter: { type: "string" },
    gate: { type: "boolean", default: false },
  },
});
const filters = values.filter?.split(",");
const filter = filters ? (id: string) => filters.some((f) => id.startsWith(f)) : undefined;
const languages = (values.language?.split(",") ??
  (values.gate ? Object.keys(gatedLanguages()) : ["typescript", "python", "rust"])) as (
  | "typescript"
  | "python"
  | "rust"
  | "hono"
)[];
const all: Results = {};
for (const language of languages) {
  const started = performance.now();
  all[language] = language === "hono" ? await runSkeleton(filter) : await runLanguage(language, filter);
  const results = all[language];
  const count = (s: string) => results.filter((r) => r.status === s).length;
  console.log(
    `conformance: ${language}: ${count("pass")} of ${results.length} scenarios pass ` +
      `(${count("fail")} fail, ${count("refused")} refused by the generator, ${count("unmapped")} unmapped; ` +
      `${Math.round((performance.now() - started) / 1000)} s)`,
  );
}
if (values.gate) {
  const regressions = checkGate(all);
  for (const r of regressions) console.error(`conformance: regression: ${r}`);
  console.log(
    `conformance: gate: ${regressions.length === 0 ? "every scenario that passed still passes" : `${regressions.length} regressions`}`,
  );
  process.exit(regressions.length === 0 ? 0 : 1);
}
writeResults(all, filter === undefined);
