// Compile gates: every corpus document (and this project's spec) generates each TypeScript-based
// target into a scratch folder, and the result passes `tsc --strict`. A document a target cannot
// serve must be refused with a GeneratorError naming the schema's JSON pointer, never emitted.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { GeneratorError } from "../src/errors.ts";
import { generateIR } from "../src/index.ts";
import { generate, targets } from "../src/targets/index.ts";
import { REAL_WORLD_DOCUMENTS, TARGET_DOCUMENTS } from "./helpers.ts";

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, "..");
const gates = join(root, ".gates");
const documents = [...TARGET_DOCUMENTS, ...REAL_WORLD_DOCUMENTS];

/** Documents a target refuses, with the pointer it must name. */
const refused: Record<string, string> = {};

const tsc = join(dirname(require.resolve("typescript/package.json")), "bin", "tsc");

describe.each(["hono", "typescript", "cli"])("target %s", (targetName) => {
  it.each(documents)(
    "%s: generates code that passes tsc --strict, or refuses with a pointer",
    (name, path) => {
      const target = (targets[targetName] as () => import("../src/targets/types.ts").Target)();
      const expectedRefusal = refused[`${name} ${targetName}`];
      let files: ReturnType<typeof generate>;
      try {
        files = generate(target, generateIR(path, { languages: [target.language] }), { source: name });
      } catch (error) {
        if (!(error instanceof GeneratorError)) throw error;
        expect(`#${error.pointer}`, error.message).toBe(expectedRefusal);
        return;
      }
      expect(expectedRefusal, "expected a refusal").toBeUndefined();
      const out = join(gates, `${name}-${targetName}`);
      rmSync(out, { recursive: true, force: true });
      for (const file of files) {
        mkdirSync(dirname(join(out, file.path)), { recursive: true });
        writeFileSync(join(out, file.path), file.content);
      }
      writeFileSync(
        join(out, "tsconfig.json"),
        JSON.stringify({
          extends: "../../../../tsconfig.base.json",
          // The CLI is a Node program; the SDK targets run anywhere.
          compilerOptions: { lib: ["ES2023", "DOM", "DOM.Iterable"], types: targetName === "cli" ? ["node"] : [] },
          include: ["**/*.ts"],
        }),
      );
      try {
        execFileSync(process.execPath, [tsc, "--noEmit", "-p", out], { cwd: root, stdio: "pipe" });
      } catch (error) {
        const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
        throw new Error(`tsc failed for ${name} (${targetName}):\n${output}`);
      }
    },
    60_000,
  );
});
