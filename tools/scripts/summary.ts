// Prints one closing line, "tests: N passed, N failed", summed over every test report the run
// left behind (vitest JSON, cargo test logs, JUnit XML of pytest, Schemathesis and script checks),
// then what else failed: the steps test.sh names with --failed-step, and the turbo tasks that
// failed (from turbo's run summary in .turbo/runs). Exits non-zero when a report shows a failure,
// no test ran, or anything failed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = join(import.meta.dirname, "../..");
const { values: args } = parseArgs({ options: { "failed-step": { type: "string", multiple: true } } });
const reportDirs = [
  "spec",
  "tests/e2e/rust",
  "tests/e2e/python",
  "tests/schemathesis",
  "examples",
  ...["tools", "packages", "templates"].flatMap((d) => children(join(root, d))),
];

let passed = 0;
let failed = 0;
let skipped = 0;
const seen: string[] = [];
for (const dir of reportDirs) {
  const file = join(root, dir, ".reports", "vitest.json");
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  seen.push(`${dir} ${report.numPassedTests}`);
}

// cargo test: one "test result: ok. N passed; M failed; K ignored" line per test binary.
for (const dir of reportDirs) {
  const file = join(root, dir, ".reports", "cargo-test.log");
  if (!existsSync(file)) continue;
  let n = 0;
  for (const m of readFileSync(file, "utf8").matchAll(
    /test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/g,
  )) {
    passed += Number(m[1]);
    failed += Number(m[2]);
    skipped += Number(m[3]);
    n += Number(m[1]);
  }
  seen.push(`${dir} (cargo) ${n}`);
}

// JUnit XML (pytest, Schemathesis, script checks): every .reports/*.xml, from its first
// <testsuite tests= failures= errors= skipped=> totals.
for (const [dir, report] of reportDirs.flatMap((d) => junitReports(d).map((r) => [d, r] as const))) {
  const file = join(root, dir, ".reports", report);
  const suite = /<testsuite\s[^>]*>/.exec(readFileSync(file, "utf8"))?.[0] ?? "";
  const attr = (name: string) => Number(new RegExp(`${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  const ran = attr("tests") - attr("skipped");
  const bad = attr("failures") + attr("errors");
  passed += ran - bad;
  failed += bad;
  skipped += attr("skipped");
  seen.push(`${dir} (${report.replace(/\.xml$/, "")}) ${ran - bad}`);
}

function junitReports(dir: string): string[] {
  const reports = join(root, dir, ".reports");
  return existsSync(reports)
    ? readdirSync(reports)
        .filter((f) => f.endsWith(".xml"))
        .sort()
    : [];
}

function children(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(dir.slice(root.length + 1), e.name));
}

/** Tasks of turbo's latest run summary that ended with a non-zero exit code. */
function failedTurboTasks(): string[] {
  const dir = join(root, ".turbo", "runs");
  if (!existsSync(dir)) return [];
  const runs = readdirSync(dir).filter((f) => f.endsWith(".json"));
  const latest = runs
    .map((f) => ({ f, run: JSON.parse(readFileSync(join(dir, f), "utf8")) as TurboRun }))
    .sort((a, b) => (b.run.execution?.startTime ?? 0) - (a.run.execution?.startTime ?? 0))[0];
  return (latest?.run.tasks ?? [])
    .filter((t) => typeof t.execution?.exitCode === "number" && t.execution.exitCode !== 0)
    .map((t) => t.taskId);
}

interface TurboRun {
  execution?: { startTime?: number };
  tasks?: { taskId: string; execution?: { exitCode?: number } }[];
}

const failedSteps = args["failed-step"] ?? [];
const failedTasks = failedTurboTasks();
console.log(`test reports: ${seen.join(", ")}`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
if (failedSteps.length > 0) console.log(`failed steps: ${failedSteps.join(", ")}`);
if (failedTasks.length > 0) console.log(`failed tasks: ${failedTasks.join(", ")}`);
if (failed > 0 || passed === 0 || failedSteps.length > 0 || failedTasks.length > 0) process.exitCode = 1;
