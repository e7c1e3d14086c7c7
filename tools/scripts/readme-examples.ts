// Compiles the code in the SDK READMEs, so what users copy works: every fenced block of the
// language in packages/sdk-ts/README.md (tsc --strict), generated/python/README.md (mypy
// --strict) and generated/rust/README.md (cargo check), then the rustdoc examples of the
// generated crate (`cargo test --doc`: compiled, `no_run`). The blocks of one README are put
// together in order, as one program (the first block creates the client the others use):
// TypeScript and Python as one module, Rust as the body of one async function returning a
// Result (every block after the first in a scope of its own). Nothing runs against a server:
// the examples' values are placeholders ("…").
//
// Then the same for the SDKs generated from the corpus's kitchen-sink document (the examples are
// generated for any document), and the Rust README and rustdoc examples of its constructs document.
//
// Report: tools/scripts/.reports/readme-examples.xml (JUnit) and cargo-test.log (our doctests),
// both counted by summary.ts. Run: tools/scripts/test-readme-examples.sh [typescript|python|rust|
// rustdoc ...] [--corpus <openapi file>]: with --corpus, the SDKs generated from that document
// are checked instead (the generator's examples must hold for any document; no report written).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

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
  /** Our crate's doctests: counted from cargo-test.log, not as one case. */
  tkaDoctests?: boolean;
}

/** The three SDKs whose READMEs are compiled: ours, or those generated from another document. */
interface Subject {
  /** Names its scratch folders. */
  key: string;
  label: string;
  tsReadme: string;
  tsIndex: string;
  pyReadme: string;
  pyPath: string;
  rsReadme: string;
  rsCrate: string;
  /** The checks run for it (all when absent). */
  only?: string[];
}

const tka: Subject = {
  key: "tka",
  label: "",
  tsReadme: join(root, "packages/sdk-ts/README.md"),
  tsIndex: join(root, "packages/sdk-ts/src/index.ts"),
  pyReadme: join(root, "generated/python/README.md"),
  pyPath: join(root, "generated/python"),
  rsReadme: join(root, "generated/rust/README.md"),
  rsCrate: join(root, "generated/rust"),
};

/** The SDKs of another OpenAPI document (e.g. the generator's corpus), generated into the work folder. */
function corpusSubject(document: string, targets = ["typescript", "python", "rust"]): Subject {
  const key = basename(document).replace(/\.[^.]*$/, "");
  const out = join(work, key);
  for (const target of targets) {
    const gen = run(
      process.execPath,
      [join(root, "tools/codegen/src/cli.ts"), "--input", document, "--target", target, "--out", join(out, target)],
      { cwd: root },
    );
    if (!gen.ok) throw new Error(`codegen --target ${target} failed:\n${gen.output}`);
  }
  // The package's ESM marker (the target leaves package.json to the package's owner).
  if (targets.includes("typescript")) writeFileSync(join(out, "typescript/package.json"), '{ "type": "module" }\n');
  return {
    ...(targets.includes("rust") && targets.length === 1 ? { only: ["rust", "rustdoc"] } : {}),
    key,
    label: ` of ${basename(document)}`,
    tsReadme: join(out, "typescript/README.md"),
    tsIndex: join(out, "typescript/src/index.ts"),
    pyReadme: join(out, "python/README.md"),
    pyPath: join(out, "python"),
    rsReadme: join(out, "rust/README.md"),
    rsCrate: join(out, "rust"),
  };
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const result = spawnSync(command, args, { ...options, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`;
  return { ok: result.status === 0, output };
}

/** A check: the README has blocks, and they compile. */
function check(
  name: string,
  subject: Subject,
  readme: string,
  languages: string[],
  compile: (subject: Subject, blocks: string[]) => Outcome,
): Outcome {
  if (!existsSync(readme)) return { name, ok: false, message: `${readme} is missing` };
  const blocks = codeBlocks(readFileSync(readme, "utf8"), languages);
  if (blocks.length === 0) return { name, ok: false, message: `${readme} has no ${languages[0]} block` };
  const outcome = compile(subject, blocks);
  return { ...outcome, name: `${name} (${blocks.length} blocks)` };
}

function typescript(subject: Subject, blocks: string[]): Outcome {
  const dir = join(work, `${subject.key}-ts`);
  mkdirSync(dir);
  // Imports first (a module's imports may not follow statements), then the blocks in order.
  const lines = blocks.join("\n\n").split("\n");
  const imports = lines.filter((l) => /^import\s/.test(l));
  const body = lines.filter((l) => !/^import\s/.test(l));
  const packageName = /from "([^"]+)"/.exec(imports.join("\n"))?.[1] ?? "sdk";
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
        paths: { [packageName]: [subject.tsIndex] },
      },
      files: ["readme.ts"],
    }),
  );
  const tsc = run(join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], { cwd: dir });
  return { name: "", ok: tsc.ok, message: tsc.ok ? "" : withSource(tsc.output, dir, "readme.ts") };
}

function python(subject: Subject, blocks: string[]): Outcome {
  const dir = join(work, `${subject.key}-py`);
  mkdirSync(dir);
  writeFileSync(join(dir, "readme.py"), `${blocks.join("\n\n")}\n`);
  // The package's own mypy settings (strict, its Python floor).
  const mypy = run(
    join(root, ".venv/bin/mypy"),
    [
      "--config-file",
      join(subject.pyPath, "pyproject.toml"),
      "--strict",
      "--no-incremental",
      "--cache-dir=/dev/null",
      "readme.py",
    ],
    { cwd: dir, env: { ...process.env, MYPYPATH: subject.pyPath } },
  );
  return { name: "", ok: mypy.ok, message: mypy.ok ? "" : withSource(mypy.output, dir, "readme.py") };
}

/**
 * The Rust build directory shared with the SDK's other Rust checks (dependencies compile once).
 * Cargo runs online: with the e2e crate's lock file copied nothing is resolved anew, and a crate
 * not downloaded yet on a fresh machine (another task may be fetching it) is fetched, not refused.
 */
const cargoEnv = {
  ...process.env,
  CARGO_TARGET_DIR: join(root, "templates/rust/target"),
  CARGO_TERM_COLOR: "never",
};

/** The package name in a Cargo.toml. */
function crateName(dir: string): string {
  return /^name\s*=\s*"([^"]+)"/m.exec(readFileSync(join(dir, "Cargo.toml"), "utf8"))?.[1] ?? "sdk";
}

function rust(subject: Subject, blocks: string[]): Outcome {
  const dir = join(work, `${subject.key}-rs`);
  mkdirSync(join(dir, "src"), { recursive: true });
  // The dependencies a README user adds (its install block), and the e2e crate's lock file so
  // nothing is resolved anew.
  writeFileSync(
    join(dir, "Cargo.toml"),
    `[package]\nname = "sdk-readme"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[dependencies]\n` +
      `${crateName(subject.rsCrate)} = { path = ${JSON.stringify(subject.rsCrate)} }\n` +
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
  const cargo = run("cargo", ["check", "-q"], { cwd: dir, env: cargoEnv });
  return { name: "", ok: cargo.ok, message: cargo.ok ? "" : withSource(cargo.output, dir, "src/main.rs") };
}

/** The crate's rustdoc examples, compiled by `cargo test --doc` on a copy (no lock file lands in generated/). */
function rustdoc(subject: Subject): Outcome {
  const name = `rustdoc examples of the Rust crate${subject.label} compile (cargo test --doc)`;
  const dir = join(work, `${subject.key}-crate`);
  cpSync(subject.rsCrate, dir, { recursive: true });
  cpSync(join(root, "tests/e2e/rust/Cargo.lock"), join(dir, "Cargo.lock"));
  const cargo = run("cargo", ["test", "--doc"], { cwd: dir, env: cargoEnv });
  if (subject === tka) writeFileSync(join(reports, "cargo-test.log"), cargo.output);
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

// By default ours, then the SDKs of the corpus's kitchen-sink document (the examples are generated
// for any document, so one that uses every construct is compiled too).
const kitchenSink = join(root, "tools/codegen/corpus/kitchen-sink-3.1.yaml");
// And the Rust examples of the constructs document: path parameters that are unions, multipart
// forms with required parts (built as literals in the examples).
const constructs = join(root, "tools/codegen/corpus/constructs-3.1.yaml");
const args = process.argv.slice(2);
const corpusAt = args.indexOf("--corpus");
const corpus = corpusAt >= 0 ? args.splice(corpusAt, 2)[1] : undefined;
const outcomes: Outcome[] = [];
if (corpus === undefined) {
  mkdirSync(reports, { recursive: true });
  rmSync(join(reports, "cargo-test.log"), { force: true });
}
try {
  const subjects: (() => Subject)[] =
    corpus === undefined
      ? [() => tka, () => corpusSubject(kitchenSink), () => corpusSubject(constructs, ["rust"])]
      : [() => corpusSubject(corpus)];
  for (const make of subjects) {
    let subject: Subject;
    try {
      subject = make();
    } catch (error) {
      outcomes.push({ name: "generate the SDKs of a corpus document", ok: false, message: String(error) });
      continue;
    }
    const checks: [string, () => Outcome][] = [
      [
        "typescript",
        () =>
          check(
            `TypeScript README examples${subject.label} compile (tsc --strict)`,
            subject,
            subject.tsReadme,
            ["ts"],
            typescript,
          ),
      ],
      [
        "python",
        () =>
          check(
            `Python README examples${subject.label} pass mypy --strict`,
            subject,
            subject.pyReadme,
            ["python"],
            python,
          ),
      ],
      [
        "rust",
        () =>
          check(
            `Rust README examples${subject.label} compile (cargo check)`,
            subject,
            subject.rsReadme,
            ["rust"],
            rust,
          ),
      ],
      ["rustdoc", () => rustdoc(subject)],
    ];
    for (const [key, fn] of checks) {
      if (args.length > 0 && !args.includes(key)) continue;
      if (subject.only !== undefined && !subject.only.includes(key)) continue;
      const outcome = { ...fn(), tkaDoctests: subject === tka && key === "rustdoc" };
      outcomes.push(outcome);
      console.log(`readme-examples: ${outcome.ok ? "ok" : "FAILED"}: ${outcome.name}`);
      if (!outcome.ok) console.error(outcome.message);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const failed = outcomes.filter((o) => !o.ok).length;
if (corpus === undefined) {
  // The doctests are counted from cargo-test.log; the JUnit report holds the other checks.
  const cases = outcomes.filter((o) => !o.tkaDoctests || !o.ok);
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
}
console.log(`readme-examples: ${outcomes.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
