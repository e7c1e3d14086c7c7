// The results: results/<language>.json (every scenario with its status and reason),
// results/not-passing.md (every scenario that does not pass, per language, with the reason),
// the table in this package's README and in the root README (between markers), and
// results/passing.json, the list the regression gate holds.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot, repoRoot, resultsRoot } from "./paths.ts";
import type { ScenarioResult } from "./run.ts";

export type Results = Record<string, ScenarioResult[]>;

export const TARGETS = ["typescript", "python", "rust", "hono"];

export function writeResults(run: Results, full: boolean): void {
  mkdirSync(resultsRoot, { recursive: true });
  for (const [language, results] of Object.entries(run)) {
    const file = join(resultsRoot, `${language}${full ? "" : ".partial"}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  }
  if (!full) return;
  // The tables and the gate's list cover every target: the last full result of those not run now.
  const all: Results = {};
  for (const target of TARGETS) {
    const file = join(resultsRoot, `${target}.json`);
    const results =
      run[target] ?? (existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ScenarioResult[]) : undefined);
    if (results) all[target] = results;
  }
  const passing = Object.fromEntries(
    Object.entries(all).map(([language, results]) => [
      language,
      results.filter((r) => r.status === "pass").map((r) => r.scenario),
    ]),
  );
  writeFileSync(join(resultsRoot, "passing.json"), `${JSON.stringify(passing, null, 2)}\n`);
  writeFileSync(join(resultsRoot, "not-passing.md"), notPassing(all));
  const table = renderTable(all);
  replaceBetweenMarkers(join(packageRoot, "README.md"), table);
  replaceBetweenMarkers(join(repoRoot, "README.md"), table);
  // In the repository's own format (Biome aligns the tables), so a rerun without changes is no diff.
  execFileSync(
    join(repoRoot, "node_modules/.bin/biome"),
    ["check", "--write", resultsRoot, join(packageRoot, "README.md"), join(repoRoot, "README.md")],
    { cwd: repoRoot, stdio: "ignore" },
  );
}

const START = "<!-- conformance-table:start (pnpm conformance writes this) -->";
const END = "<!-- conformance-table:end -->";

function replaceBetweenMarkers(file: string, content: string): void {
  if (!existsSync(file)) return;
  const text = readFileSync(file, "utf8");
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return;
  writeFileSync(file, `${text.slice(0, a + START.length)}\n${content}\n${text.slice(b)}`);
}

export function renderTable(all: Results): string {
  const languages = Object.keys(all);
  const first = all[languages[0] as string] ?? [];
  const areas = [...new Set(first.map((r) => r.area))].sort();
  const cell = (rs: ScenarioResult[]) => {
    const pass = rs.filter((r) => r.status === "pass").length;
    const mapped = rs.filter((r) => r.status !== "unmapped").length;
    return `${pass} / ${mapped}${mapped < rs.length ? ` (${rs.length - mapped} unmapped)` : ""}`;
  };
  const lines = [
    `| area | scenarios | ${languages.map((l) => (l === "hono" ? "hono skeleton (knock)" : `${l} SDK`)).join(" | ")} |`,
    `| --- | ---: | ${languages.map(() => "---:").join(" | ")} |`,
  ];
  for (const area of areas) {
    const count = first.filter((r) => r.area === area).length;
    lines.push(
      `| ${area} | ${count} | ${languages.map((l) => cell((all[l] ?? []).filter((r) => r.area === area))).join(" | ")} |`,
    );
  }
  lines.push(`| **all** | **${first.length}** | ${languages.map((l) => `**${cell(all[l] ?? [])}**`).join(" | ")} |`);
  return [
    "Passing scenarios / scenarios that map to OpenAPI (scenarios whose TypeSpec does not compile to",
    "OpenAPI 3.1, or whose mock request has no call description yet, in brackets); a pass needs spector's",
    "coverage verdict `pass` for the requests and the decoded answer equal to the mock's (spector's match",
    "engine). Every scenario that does not pass, with the reason: [results/not-passing.md](tools/conformance/results/not-passing.md).",
    "",
    ...lines,
  ].join("\n");
}

function notPassing(all: Results): string {
  const out = [
    "# Scenarios that do not pass",
    "",
    "Written by `pnpm conformance`. `unmapped`: the TypeSpec does not compile to OpenAPI 3.1 or the mock",
    "request has no call description; `refused`: our generator refuses the operation (its own",
    "pointer and reason); `fail`: spector's coverage verdict or the decoded answer is wrong.",
    "",
  ];
  for (const [language, results] of Object.entries(all)) {
    out.push(`## ${language}`, "");
    for (const r of results.filter((r) => r.status !== "pass")) {
      out.push(
        `- \`${r.scenario}\` (${r.dir}) **${r.status}**: ${(r.reason ?? "").replaceAll("\n", " ").slice(0, 400)}`,
      );
    }
    out.push("");
  }
  return out.join("\n");
}
