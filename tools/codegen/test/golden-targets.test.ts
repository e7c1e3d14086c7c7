// Golden outputs per document and target: the rendered files (not the verbatim runtime copies)
// are checked in under test/golden/targets/, so a generator or template change shows up as a
// reviewable diff. `UPDATE_GOLDEN=1 pnpm test` rewrites them.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { GeneratorError } from "../src/errors.ts";
import { generateIR } from "../src/index.ts";
import { generate, type Target, targets } from "../src/targets/index.ts";
import { TARGET_DOCUMENTS } from "./helpers.ts";

const root = join(import.meta.dirname, "..");
const goldenRoot = join(root, "test/golden/targets");
const update = process.env.UPDATE_GOLDEN === "1";
const documents = TARGET_DOCUMENTS;

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? listFiles(join(dir, name)) : [join(dir, name)]));
}

describe.each(Object.keys(targets))("golden output of the %s target", (targetName) => {
  it.each(documents)(
    "%s",
    (name, path) => {
      const target = (targets[targetName] as () => Target)();
      let files: ReturnType<typeof generate>;
      try {
        files = generate(target, generateIR(path, { languages: [target.language] }), { source: `${name}.yaml` });
      } catch (error) {
        if (error instanceof GeneratorError) return; // refusals are covered by the compile gates
        throw error;
      }
      // The runtime is copied verbatim, and an embedded target's files are that target's goldens.
      const skipped = [target.runtimeOut, ...(target.embeds ?? [])].filter((d) => d !== undefined);
      const rendered = files.filter((f) => !skipped.some((d) => f.path.startsWith(`${d}/`)));
      const dir = join(goldenRoot, name, targetName);
      if (update) {
        rmSync(dir, { recursive: true, force: true });
        for (const f of rendered) {
          mkdirSync(dirname(join(dir, f.path)), { recursive: true });
          writeFileSync(join(dir, f.path), f.content);
        }
      }
      const expected = listFiles(dir).map((f) => relative(dir, f));
      expect(rendered.map((f) => f.path).sort()).toEqual(expected.sort());
      for (const f of rendered) expect(f.content, f.path).toBe(readFileSync(join(dir, f.path), "utf8"));
    },
    30_000,
  );
});
