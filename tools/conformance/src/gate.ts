// The regression gate: every scenario in results/passing.json (what passed when it was last
// written) must still pass. Writes .reports/conformance.xml (JUnit: one test case per gated
// scenario and language, for the test command's summary) and returns the regressions.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot, resultsRoot } from "./paths.ts";
import type { Results } from "./report.ts";

export function gatedLanguages(): Record<string, string[]> {
  return JSON.parse(readFileSync(join(resultsRoot, "passing.json"), "utf8")) as Record<string, string[]>;
}

export function checkGate(all: Results): string[] {
  const gated = gatedLanguages();
  const cases: string[] = [];
  const regressions: string[] = [];
  for (const [language, names] of Object.entries(gated)) {
    const now = new Map((all[language] ?? []).map((r) => [r.scenario, r]));
    for (const name of names) {
      const r = now.get(name);
      const id = `${language}: ${name}`;
      if (r?.status === "pass") {
        cases.push(`    <testcase classname="${language}" name="${xml(name)}"/>`);
      } else {
        const why = r ? `${r.status}: ${r.reason ?? ""}` : "not run";
        regressions.push(`${id} (${why})`);
        cases.push(
          `    <testcase classname="${language}" name="${xml(name)}"><failure message="${xml(why)}"/></testcase>`,
        );
      }
    }
  }
  const reports = join(packageRoot, ".reports");
  mkdirSync(reports, { recursive: true });
  const head = `tests="${cases.length}" failures="${regressions.length}" errors="0" skipped="0"`;
  writeFileSync(
    join(reports, "conformance.xml"),
    [
      '<?xml version="1.0" encoding="utf-8"?>',
      `<testsuites ${head}>`,
      `  <testsuite name="conformance" ${head}>`,
      ...cases,
      "  </testsuite>",
      "</testsuites>",
      "",
    ].join("\n"),
  );
  return regressions;
}

function xml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll('"', "&quot;").replaceAll("\n", " ");
}
