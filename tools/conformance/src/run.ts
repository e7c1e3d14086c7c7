// One language's run: compile and generate every scenario (cached), derive the calls, start
// spector, run the language's driver over every scenario at once, stop spector and combine its
// coverage with the client-side check of each decoded answer into one status per scenario.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { generateIR, matchValuesSafe } from "./compare.ts";
import { compileScenario } from "./compile.ts";
import { type Call, deriveCalls, matchTemplate } from "./derive.ts";
import { generateTarget, type TargetName } from "./generate.ts";
import { packageRoot, repoRoot, workRoot } from "./paths.ts";
import { planCall } from "./plan.ts";
import { buildRust, type RustScenario, runRust } from "./rust.ts";
import { loadScenarios, type Scenario, type ScenarioDir, scenarioDirs } from "./scenarios.ts";
import { type CoverageStatus, startSpector } from "./spector.ts";

const run = promisify(execFile);

export type Status = "pass" | "fail" | "refused" | "unmapped";
export interface ScenarioResult {
  scenario: string;
  dir: string;
  area: string;
  status: Status;
  /** Spector's own verdict on the requests (from its coverage file). */
  spector?: CoverageStatus;
  reason?: string;
}

export interface Prepared {
  scenario: Scenario;
  sdk: string;
  ir: ReturnType<typeof generateIR>;
  refusedReason?: string;
}

export async function runLanguage(
  language: Exclude<TargetName, "hono">,
  filter?: (id: string) => boolean,
): Promise<ScenarioResult[]> {
  const { results, prepared } = await prepare(language, filter);

  const work = join(workRoot, "run", language);
  mkdirSync(work, { recursive: true });
  // Rust: the calls are compiled before the mock starts (with a placeholder base URL: the
  // runner takes the real one as an argument); scenarios that do not compile are failures.
  let notCompiled = new Map<string, string>();
  if (language === "rust") {
    const placeholder = { baseUrl: "http://localhost:1" };
    const rust: RustScenario[] = [];
    for (const p of prepared) {
      const derived = deriveCalls(p.scenario, p.ir, placeholder);
      if (derived.ok)
        rust.push({
          scenario: p.scenario.name,
          crateDir: p.sdk,
          crate: crateName(p.scenario.dir),
          ir: p.ir,
          calls: derived.calls,
        });
    }
    notCompiled = await buildRust(rust);
  }
  const spector = await startSpector(join(work, "coverage.json"), join(work, "spector.log"));
  const config = { baseUrl: spector.baseUrl };
  const planned: { scenario: string; sdk: string; calls: unknown[] }[] = [];
  const expectations = new Map<string, { calls: Call[]; expected: unknown[] }>();
  const runnable: Prepared[] = [];
  let coverage: Record<string, CoverageStatus>;
  try {
    for (const p of prepared) {
      const derived = deriveCalls(p.scenario, p.ir, config);
      if (!derived.ok) {
        results.push(base(p.scenario, p.scenario.dir, "unmapped", derived.reason));
        continue;
      }
      const compileError = notCompiled.get(p.scenario.name);
      if (compileError) {
        results.push(base(p.scenario, p.scenario.dir, "fail", compileError));
        continue;
      }
      runnable.push(p);
      expectations.set(p.scenario.name, derived);
      planned.push({
        scenario: p.scenario.name,
        sdk: p.sdk,
        calls: language === "rust" ? [] : derived.calls.map((c) => planCall(p.ir, c, language)),
      });
    }
    writeFileSync(join(work, "plan.json"), JSON.stringify({ baseUrl: spector.baseUrl, scenarios: planned }, null, 1));
    if (language === "rust") await runRust(spector.baseUrl, join(work, "results.json"));
    else await runDriver(language, join(work, "plan.json"), join(work, "results.json"));
  } finally {
    coverage = await spector.stop();
  }
  const outputs = JSON.parse(readFileSync(join(work, "results.json"), "utf8")) as Record<
    string,
    { status?: number; value?: unknown; error?: string }[]
  >;
  for (const p of runnable) {
    const name = p.scenario.name;
    const spectorStatus = coverage[name] ?? "not-implemented";
    const { calls, expected } = expectations.get(name) as { calls: Call[]; expected: unknown[] };
    const got = outputs[name] ?? [];
    let problem: string | undefined;
    calls.forEach((call, i) => {
      if (problem) return;
      const r = got[i];
      if (!r) problem = `call ${i + 1}: no result`;
      else if (r.status !== call.expect.status)
        problem = `call ${i + 1}: status ${r.status ?? "none"} instead of ${call.expect.status}${r.error ? ` (${r.error.slice(0, 300)})` : ""}`;
      // An error answer is checked by its status: the SDKs raise it as a typed error.
      else if (call.expect.body && call.expect.status < 300) {
        const mismatch = matchValuesSafe(r.value, expected[i], call.expect.body, config);
        if (mismatch) problem = `call ${i + 1}: decoded answer differs: ${mismatch}`;
      }
    });
    const status: Status = spectorStatus === "pass" && !problem ? "pass" : "fail";
    const reason = spectorStatus !== "pass" ? `spector: ${spectorStatus}${problem ? `; ${problem}` : ""}` : problem;
    results.push({ ...base(p.scenario, p.scenario.dir, status, reason ?? ""), spector: spectorStatus });
  }
  return results.sort((a, b) => a.scenario.localeCompare(b.scenario));
}

/** Compiles and generates every scenario folder for one target; what cannot run is a result already. */
export async function prepare(
  target: TargetName,
  filter?: (id: string) => boolean,
): Promise<{ results: ScenarioResult[]; prepared: Prepared[] }> {
  const results: ScenarioResult[] = [];
  const prepared: Prepared[] = [];
  for (const dir of scenarioDirs(filter)) {
    const scenarios = await loadScenarios(dir);
    const done = (status: Status, reason: string) => {
      for (const s of scenarios) results.push(base(s, dir, status, reason));
    };
    const compiled = await compileScenario(dir);
    if (!compiled.ok) {
      done("unmapped", `TypeSpec to OpenAPI: ${compiled.reason}`);
      continue;
    }
    const generated = generateTarget(target, dir.id, compiled.document, crateName(dir));
    if (!generated.ok) {
      done("refused", generated.reason);
      continue;
    }
    const ir = generateIR(generated.document);
    for (const scenario of scenarios) {
      // A scenario reaching an operation the generator refused counts as refused, with its reason.
      const refusal = generated.refused.find((r) =>
        scenario.apis.some((api) => api.method.toLowerCase() === r.method && matchTemplate(r.path, api.uri)),
      );
      if (refusal) {
        results.push(base(scenario, dir, "refused", refusal.reason));
        continue;
      }
      prepared.push({ scenario, sdk: generated.dir, ir });
    }
  }

  return { results, prepared };
}

export function base(s: Scenario, dir: ScenarioDir, status: Status, reason: string): ScenarioResult {
  return { scenario: s.name, dir: dir.id, area: dir.area, status, ...(reason ? { reason } : {}) };
}

export function crateName(dir: ScenarioDir): string {
  return `conf-${dir.id.replaceAll(/[^a-zA-Z0-9]+/g, "-").toLowerCase()}`;
}

async function runDriver(language: string, plan: string, results: string): Promise<void> {
  const node = process.execPath;
  const options = { cwd: packageRoot, maxBuffer: 64 * 1024 * 1024, timeout: 20 * 60_000 };
  if (language === "typescript") {
    await run(node, [join(packageRoot, "drivers/typescript.ts"), plan, results], options);
  } else if (language === "python") {
    const python = join(repoRoot, ".venv/bin/python");
    if (!existsSync(python)) throw new Error("no .venv: run tools/scripts/python-env.sh");
    // Bytecode caches in .work (git-ignored, outside turbo's inputs) halve the next run's imports.
    const env = { ...process.env };
    delete env.PYTHONDONTWRITEBYTECODE;
    await run(python, [join(packageRoot, "drivers/python_driver.py"), plan, results], { ...options, env });
  } else {
    throw new Error(`no driver for ${language} yet`);
  }
}
