// Compiles the code in the SDK READMEs, so what users copy works: every fenced block of the
// language in packages/sdk-ts/README.md (tsc --strict), generated/python/README.md (mypy
// --strict) and generated/rust/README.md (cargo check), then the rustdoc examples of the
// generated crate (`cargo test --doc`: compiled, `no_run`). The blocks of one README are put
// together in order, as one program (the first block creates the client the others use):
// TypeScript and Python as one module, Rust as the body of one async function returning a
// Result (every block after the first in a scope of its own). Nothing runs against a server: the examples' values are placeholders ("…").
//
// Report: tools/scripts/.reports/readme-examples.xml (JUnit) and cargo-test.log (the doctests),
// both counted by summary.ts. Run: tools/scripts/test-readme-examples.sh.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");
const reports = join(import.meta.dirname, ".reports");
const work = mkdtempSync(join(tmpdir(), "tka-readme-"));

/** The fenced blocks of one language, in order; a fence indented in a list keeps its indent out. */
export function codeBlocks(markdown: string, languages: string[]): string[] {
  const blocks: string[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w+)/.exec(lines[i] as string);
    if (open === null) continue;
    const indent = (open[1] as string).length;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i] as string); i++) {
      body.push((lines[i] as string).slice(Math.min(indent, /^\s*/.exec(lines[i] as string)?.[0].length ?? 0)));
    }
    if (languages.includes(open[2] as string)) blocks.push(body.join("\n"));
  }
  return blocks;
}

interface Outcome {
  name: string;
  ok: boolean;
  message: string;
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const result = spawnSync(command, args, { ...options, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`;
  return { ok: result.status === 0, output };
}

/** A check: the README has blocks, and they compile. */
function check(name: string, readme: string, languages: string[], compile: (blocks: string[]) => Outcome): Outcome {
  const path = join(root, readme);
  if (!existsSync(path)) return { name, ok: false, message: `${readme} is missing` };
  const blocks = codeBlocks(readFileSync(path, "utf8"), languages);
  if (blocks.length === 0) return { name, ok: false, message: `${readme} has no ${languages[0]} block` };
  const outcome = compile(blocks);
  return { ...outcome, name: `${name} (${blocks.length} blocks)` };
}

function typescript(blocks: string[]): Outcome {
  const dir = join(work, "ts");
  mkdirSync(dir);
  // Imports first (a module's imports may not follow statements), then the blocks in order.
  const lines = blocks.join("\n\n").split("\n");
  const imports = lines.filter((l) => /^import\s/.test(l));
  const body = lines.filter((l) => !/^import\s/.test(l));
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(dir, "readme.ts"), `${imports.join("\n")}\n\n${body.join("\n")}\n\nexport {};\n`);
  const base = JSON.parse(readFileSync(join(root, "tsconfig.base.json"), "utf8")) as {
    compilerOptions: Record<string, unknown>;
  };
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        ...base.compilerOptions,
        lib: ["ES2023", "DOM", "DOM.Iterable"],
        typeRoots: [join(root, "node_modules/@types")],
        // The package as its users import it, from its source.
        paths: { "tka-sdk": [join(root, "packages/sdk-ts/src/index.ts")] },
      },
      files: ["readme.ts"],
    }),
  );
  const tsc = run(join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], { cwd: dir });
  return { name: "", ok: tsc.ok, message: tsc.ok ? "" : withSource(tsc.output, dir, "readme.ts") };
}

function python(blocks: string[]): Outcome {
  const dir = join(work, "py");
  mkdirSync(dir);
  writeFileSync(join(dir, "readme.py"), `${blocks.join("\n\n")}\n`);
  const mypy = run(
    join(root, ".venv/bin/mypy"),
    [
      "--config-file",
      join(root, "generated/python/pyproject.toml"),
      "--strict",
      "--no-incremental",
      "--cache-dir=/dev/null",
      "readme.py",
    ],
    { cwd: dir, env: { ...process.env, MYPYPATH: join(root, "generated/python") } },
  );
  return { name: "", ok: mypy.ok, message: mypy.ok ? "" : withSource(mypy.output, dir, "readme.py") };
}

/** The Rust build directory shared with the SDK's other Rust checks (dependencies compile once). */
const cargoEnv = {
  ...process.env,
  CARGO_TARGET_DIR: join(root, "templates/rust/target"),
  CARGO_TERM_COLOR: "never",
};

function rust(blocks: string[]): Outcome {
  const dir = join(work, "rs");
  mkdirSync(join(dir, "src"), { recursive: true });
  // The dependencies a README user adds (its install block), and the e2e crate's lock file so
  // nothing is resolved anew.
  writeFileSync(
    join(dir, "Cargo.toml"),
    `[package]\nname = "tka-readme"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[dependencies]\n` +
      `tka-sdk = { path = ${JSON.stringify(join(root, "generated/rust"))} }\n` +
      `tokio = { version = "1", features = ["macros", "rt-multi-thread"] }\n` +
      `futures-util = { version = "0.3", default-features = false, features = ["std"] }\n` +
      `serde_json = "1"\n`,
  );
  cpSync(join(root, "tests/e2e/rust/Cargo.lock"), join(dir, "Cargo.lock"));
  // The first block (the client) in the function's scope, each later one in a scope of its own
  // (each resource's block has its own `use` lines).
  const indent = (code: string, by: string) =>
    code
      .split("\n")
      .map((l) => (l === "" ? "" : `${by}${l}`))
      .join("\n");
  const body = [
    indent(blocks[0] as string, "    "),
    ...blocks.slice(1).map((b) => `    {\n${indent(b, "        ")}\n    }`),
  ].join("\n\n");
  writeFileSync(
    join(dir, "src/main.rs"),
    `#![allow(unused)]\n\nasync fn readme() -> Result<(), Box<dyn std::error::Error>> {\n${body}\n    Ok(())\n}\n\nfn main() {}\n`,
  );
  const cargo = run("cargo", ["check", "--offline", "-q"], { cwd: dir, env: cargoEnv });
  return { name: "", ok: cargo.ok, message: cargo.ok ? "" : withSource(cargo.output, dir, "src/main.rs") };
}

/** The crate's rustdoc examples, compiled by `cargo test --doc` on a copy (no lock file lands in generated/). */
function rustdoc(): Outcome {
  const name = "rustdoc examples of the Rust crate compile (cargo test --doc)";
  const dir = join(work, "crate");
  cpSync(join(root, "generated/rust"), dir, { recursive: true });
  cpSync(join(root, "tests/e2e/rust/Cargo.lock"), join(dir, "Cargo.lock"));
  const cargo = run("cargo", ["test", "--doc", "--offline"], { cwd: dir, env: cargoEnv });
  writeFileSync(join(reports, "cargo-test.log"), cargo.output);
  const count = /test result: \w+\. (\d+) passed/.exec(cargo.output)?.[1] ?? "0";
  return { name: `${name} (${count} examples)`, ok: cargo.ok, message: cargo.ok ? "" : cargo.output.slice(-4000) };
}

/** The compiler's output, followed by the program it compiled (numbered), so a failure is readable. */
function withSource(output: string, dir: string, file: string): string {
  const source = readFileSync(join(dir, file), "utf8")
    .split("\n")
    .map((l, i) => `${String(i + 1).padStart(4)} | ${l}`)
    .join("\n");
  return `${output.trim()}\n--- ${file} ---\n${source}`;
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
}

const only = process.argv.slice(2);
const checks: [string, () => Outcome][] = [
  [
    "typescript",
    () => check("TypeScript README examples compile (tsc --strict)", "packages/sdk-ts/README.md", ["ts"], typescript),
  ],
  [
    "python",
    () => check("Python README examples pass mypy --strict", "generated/python/README.md", ["python"], python),
  ],
  ["rust", () => check("Rust README examples compile (cargo check)", "generated/rust/README.md", ["rust"], rust)],
  ["rustdoc", rustdoc],
];
mkdirSync(reports, { recursive: true });
rmSync(join(reports, "cargo-test.log"), { force: true });
const outcomes: Outcome[] = [];
try {
  for (const [key, fn] of checks) {
    if (only.length > 0 && !only.includes(key)) continue;
    const outcome = fn();
    outcomes.push(outcome);
    console.log(`readme-examples: ${outcome.ok ? "ok" : "FAILED"}: ${outcome.name}`);
    if (!outcome.ok) console.error(outcome.message);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const failed = outcomes.filter((o) => !o.ok).length;
// The doctests are counted from cargo-test.log; the JUnit report holds the other checks.
const cases = outcomes.filter((o) => !o.name.startsWith("rustdoc") || !o.ok);
writeFileSync(
  join(reports, "readme-examples.xml"),
  `<?xml version="1.0" encoding="utf-8"?>\n<testsuites tests="${cases.length}" failures="${failed}" errors="0" skipped="0">\n` +
    `  <testsuite name="readme-examples" tests="${cases.length}" failures="${failed}" errors="0" skipped="0">\n` +
    cases
      .map((o) =>
        o.ok
          ? `    <testcase name="${xml(o.name)}"/>`
          : `    <testcase name="${xml(o.name)}"><failure message="${xml(o.message.slice(0, 2000))}"/></testcase>`,
      )
      .join("\n") +
    "\n  </testsuite>\n</testsuites>\n",
);
console.log(`readme-examples: ${outcomes.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
