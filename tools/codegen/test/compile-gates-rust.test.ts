// Compile gates of the rust target: every corpus document (and this project's spec) generates a
// crate into .gates/<doc>-rust/, which must pass `cargo fmt --check` and
// `cargo clippy --all-targets -- -D warnings`. A document the target cannot serve must be refused
// with a GeneratorError naming the JSON pointer, never emitted. All gate crates share one target
// directory (and start from the runtime harness's Cargo.lock, so dependency versions match the
// tested runtime and dependencies compile once).
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { GeneratorError } from "../src/errors.ts";
import { generateIR } from "../src/index.ts";
import { generate, templatesRoot } from "../src/targets/index.ts";
import { rustTarget } from "../src/targets/rust/index.ts";
import { REAL_WORLD_DOCUMENTS, TARGET_DOCUMENTS } from "./helpers.ts";

const root = join(import.meta.dirname, "..");
const gates = join(root, ".gates");
// Shared with the runtime harness (tools/scripts/test-rust.sh): the dependencies compile once.
const targetDir = join(templatesRoot, "rust/target");
// corpus/rust: documents for this target alone (parameters named like the runtime's methods).
const documents = [
  ...TARGET_DOCUMENTS,
  ["builder-names-3.1", join(root, "corpus/rust/builder-names-3.1.yaml")] as const,
  ...REAL_WORLD_DOCUMENTS,
];

/** Documents the target refuses, with the pointer it must name. */
const refused: Record<string, string> = {};

function cargo(args: string[], cwd: string): void {
  try {
    execFileSync("cargo", args, {
      cwd,
      stdio: "pipe",
      env: { ...process.env, CARGO_TARGET_DIR: targetDir, CARGO_TERM_COLOR: "never" },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(
      `cargo ${args.join(" ")} failed in ${cwd}:\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? String(error)}`,
    );
  }
}

describe("target rust", () => {
  it.each(documents)(
    "%s: generates a crate that passes cargo fmt --check and clippy -D warnings, or refuses with a pointer",
    (name, path) => {
      const target = rustTarget();
      const expectedRefusal = refused[name];
      let files: ReturnType<typeof generate>;
      try {
        files = generate(target, generateIR(path, { languages: ["rust"] }), { source: name });
      } catch (error) {
        if (!(error instanceof GeneratorError)) throw error;
        expect(`#${error.pointer}`, error.message).toBe(expectedRefusal);
        return;
      }
      expect(expectedRefusal, "expected a refusal").toBeUndefined();
      // Deterministic: a second run gives the same files.
      const again = generate(rustTarget(), generateIR(path, { languages: ["rust"] }), { source: name });
      expect(again).toEqual(files);
      const out = join(gates, `${name}-rust`);
      rmSync(out, { recursive: true, force: true });
      for (const file of files) {
        mkdirSync(dirname(join(out, file.path)), { recursive: true });
        writeFileSync(join(out, file.path), file.content);
      }
      copyFileSync(join(templatesRoot, "rust/Cargo.lock"), join(out, "Cargo.lock"));
      cargo(["fmt", "--check"], out);
      cargo(["clippy", "--all-targets", "--", "-D", "warnings"], out);
    },
    900_000,
  );
});
