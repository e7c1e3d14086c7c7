// The large-document benchmark and compile job (issue 10): GitHub's REST API description
// (npm @octokit/openapi, generated/api.github.com.json, 13 MB, OpenAPI 3.0) and this project's
// contract, generated into TypeScript, Python and Rust by this generator, side by side with
// @hey-api/openapi-ts (TypeScript) and openapi-generator's CLI JAR (typescript-fetch, python,
// rust) on the same documents. Every generation runs as its own process under GNU time, which
// reports its wall time and peak memory (maximum resident set size), so the figures compare like
// with like; the peers are measured in the same run. With --compile it then checks that our
// GitHub output compiles: tsc --strict, mypy --strict plus an import, cargo check (minutes).
//
// Not a unit test: a documented benchmark / CI job. It needs the npm registry and Maven Central
// (the document and the peers are fetched once into node_modules/.cache/tka-codegen-bench) and
// java, mvn, cargo and the repository's .venv (tools/scripts/python-env.sh).
//
//   node bench/github.ts [--compile] [--skip-peers]     (in tools/codegen)
//
// Results: bench/results/github.json, and a Markdown table on stdout (copied into README.md).
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OPENAPI_GENERATOR, openapiGeneratorJar } from "./lib.ts";

const root = join(import.meta.dirname, "..");
const repo = join(root, "../..");
const cache = join(root, "node_modules/.cache/tka-codegen-bench");
const work = join(cache, "out");
const OCTOKIT = "@octokit/openapi@23.0.2";
const HEY_API = "@hey-api/openapi-ts@0.99.0";
const args = new Set(process.argv.slice(2));

mkdirSync(work, { recursive: true });

function run(cmd: string, argv: string[], cwd = root, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(cmd, argv, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...env },
  });
}

/** GitHub's description, from the npm package (only the one file is kept). */
function githubDocument(): string {
  const file = join(cache, "api.github.com.json");
  if (existsSync(file)) return file;
  const tarball = run("npm", ["pack", OCTOKIT, "--pack-destination", cache, "--silent"], cache)
    .trim()
    .split("\n")
    .pop();
  run("tar", ["-xzf", tarball as string, "package/generated/api.github.com.json"], cache);
  copyFileSync(join(cache, "package/generated/api.github.com.json"), file);
  rmSync(join(cache, "package"), { recursive: true, force: true });
  rmSync(join(cache, tarball as string), { force: true });
  return file;
}

/** @hey-api/openapi-ts, installed once into the cache. */
function heyApi(): string {
  const dir = join(cache, "hey-api");
  const bin = join(dir, "node_modules/.bin/openapi-ts");
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), '{ "private": true }\n');
    // TypeScript is its peer dependency (it prints with the compiler API).
    run("npm", ["install", "--no-audit", "--no-fund", HEY_API, "typescript@5.9.3"], dir);
  }
  return bin;
}

interface Measured {
  seconds: number;
  peakMB: number;
  ok: boolean;
  note?: string;
}

/** Runs a command under GNU time: wall seconds and peak resident memory of the process (tree). */
function measure(cmd: string, argv: string[], cwd = root, env: NodeJS.ProcessEnv = {}): Measured {
  const result = spawnSync("/usr/bin/time", ["-f", "TIME %e %M", cmd, ...argv], {
    cwd,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...env },
  });
  const line = /TIME ([\d.]+) (\d+)/.exec(result.stderr ?? "");
  const out: Measured = {
    seconds: line ? Number(line[1]) : Number.NaN,
    peakMB: line ? Math.round(Number(line[2]) / 1024) : Number.NaN,
    ok: result.status === 0,
  };
  if (!out.ok)
    out.note = `${(result.stderr ?? "")
      .replace(/TIME [\d.]+ \d+\s*$/, "")
      .trim()
      .split("\n")
      .slice(-3)
      .join(" | ")}`.slice(0, 300);
  return out;
}

const documents: Array<{ name: string; path: string }> = [
  { name: "GitHub REST API (api.github.com.json)", path: githubDocument() },
  // The peers read OpenAPI 3.1 at best: this project's 3.1 document, the same for all.
  { name: "this project's contract (openapi.3.1.yaml)", path: join(repo, "generated/openapi/openapi.3.1.yaml") },
];

const results: Record<string, Record<string, Measured>> = {};
for (const doc of documents) {
  const row: Record<string, Measured> = {};
  const out = (name: string) => {
    const dir = join(work, `${doc.name.split(" ")[0]}-${name}`);
    rmSync(dir, { recursive: true, force: true });
    return dir;
  };
  // Ours: the three SDKs in one process (IR once), as a user generating all three would.
  row["tka-codegen: TypeScript + Python + Rust"] = measure(process.execPath, [
    join(root, "bench/generate-all.ts"),
    doc.path,
    out("tka"),
  ]);
  for (const target of ["typescript", "python", "rust"]) {
    row[`tka-codegen: ${target}`] = measure(process.execPath, [
      join(root, "src/cli.ts"),
      "--input",
      doc.path,
      "--target",
      target,
      "--out",
      out(`tka-${target}`),
    ]);
  }
  if (!args.has("--skip-peers")) {
    row["@hey-api/openapi-ts: TypeScript"] = measure(heyApi(), ["-i", doc.path, "-o", out("hey-api")]);
    const jar = openapiGeneratorJar();
    let sum: Measured = { seconds: 0, peakMB: 0, ok: true };
    for (const [target, generator] of [
      ["TypeScript", "typescript-fetch"],
      ["Python", "python"],
      ["Rust", "rust"],
    ] as const) {
      const m = measure("java", [
        "-jar",
        jar,
        "generate",
        "-i",
        doc.path,
        "-g",
        generator,
        "-o",
        out(`openapi-generator-${generator}`),
        "--skip-validate-spec",
      ]);
      row[`openapi-generator: ${target} (${generator})`] = m;
      sum = {
        seconds: Math.round((sum.seconds + m.seconds) * 100) / 100,
        peakMB: Math.max(sum.peakMB, m.peakMB),
        ok: sum.ok && m.ok,
      };
    }
    row["openapi-generator: TypeScript + Python + Rust (three runs)"] = sum;
  }
  results[doc.name] = row;
}

// The compile job: our GitHub output through each language's strict checks.
const compiled: Record<string, Measured> = {};
if (args.has("--compile")) {
  const base = join(work, "GitHub-tka");
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  compiled["tsc --strict (TypeScript)"] = measure(process.execPath, [
    tsc,
    "--noEmit",
    "-p",
    join(base, "typescript/tsconfig.json"),
  ]);
  const pyDir = join(base, "python");
  const pkg = readdirSync(pyDir).find((f) => existsSync(join(pyDir, f, "_client.py"))) as string;
  const venv = join(repo, ".venv/bin");
  compiled["mypy --strict (Python)"] = measure(
    join(venv, "mypy"),
    ["--strict", "--no-incremental", "--cache-dir=/dev/null", pkg],
    pyDir,
  );
  compiled["import (Python)"] = measure(
    join(venv, "python"),
    ["-c", `import ${pkg}, ${pkg}.models, ${pkg}._client`],
    pyDir,
  );
  const rsDir = join(base, "rust");
  copyFileSync(join(repo, "templates/rust/Cargo.lock"), join(rsDir, "Cargo.lock"));
  compiled["cargo check (Rust)"] = measure("cargo", ["check", "--offline"], rsDir, {
    CARGO_TARGET_DIR: join(cache, "cargo-target"),
  });
}

const report = {
  measuredAt: new Date().toISOString(),
  machine: `${process.platform} ${process.arch}, load average ${execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).split(" ").slice(0, 3).join(" ")}`,
  peers: { heyApi: HEY_API, openapiGenerator: OPENAPI_GENERATOR, document: OCTOKIT },
  results,
  compiled,
};
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/github.json"), `${JSON.stringify(report, null, 2)}\n`);

const cell = (m: Measured | undefined) =>
  m === undefined ? "–" : m.ok ? `${m.seconds} s, ${m.peakMB} MB` : `failed (${m.seconds} s): ${m.note ?? ""}`;
for (const [doc, row] of Object.entries(results)) {
  const ours = row["tka-codegen: TypeScript + Python + Rust"];
  console.log(`\n${doc}\n\n| generator | time, peak memory | ratio to tka-codegen (3 SDKs) |\n| --- | --- | --- |`);
  for (const [name, m] of Object.entries(row)) {
    const ratio = ours && m.ok && ours.ok ? `${Math.round((m.seconds / ours.seconds) * 10) / 10}x time` : "";
    console.log(`| ${name} | ${cell(m)} | ${ratio} |`);
  }
}
if (Object.keys(compiled).length > 0) {
  console.log("\nGitHub output compile checks\n\n| check | result |\n| --- | --- |");
  for (const [name, m] of Object.entries(compiled))
    console.log(`| ${name} | ${m.ok ? "passes" : "FAILS"}: ${cell(m)} |`);
}
