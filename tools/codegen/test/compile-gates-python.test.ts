// Compile gates of the python target: every corpus document (and this project's spec) generates a
// package into .gates/<doc>-python/, which must pass `ruff check`, `ruff format --check`,
// `mypy --strict` and an import of the package with every model rebuilt (aliases and unions are
// evaluated at import time, which mypy does not run). A document the target cannot serve must be
// refused with a GeneratorError naming the JSON pointer, never emitted. The tools come from the
// repository's virtualenv (.venv, made by tools/scripts/python-env.sh from pinned PyPI packages).
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { GeneratorError } from "../src/errors.ts";
import { generateIR } from "../src/index.ts";
import { generate } from "../src/targets/index.ts";
import { pythonTarget } from "../src/targets/python/index.ts";
import { REAL_WORLD_DOCUMENTS, TARGET_DOCUMENTS } from "./helpers.ts";

const root = join(import.meta.dirname, "..");
const gates = join(root, ".gates");
const venv = join(root, "../../.venv/bin");
const documents = [...TARGET_DOCUMENTS, ...REAL_WORLD_DOCUMENTS];

/** Documents the target refuses, with the pointer it must name. */
const refused: Record<string, string> = {};

function run(tool: string, args: string[], cwd: string): void {
  try {
    execFileSync(join(venv, tool), args, {
      cwd,
      stdio: "pipe",
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", NO_COLOR: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(
      `${tool} ${args.join(" ")} failed in ${cwd}:\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? String(error)}`,
    );
  }
}

describe("target python", () => {
  // The virtualenv with the pinned tools (a no-op when it is up to date; test.sh makes it first).
  beforeAll(() => {
    execFileSync("bash", [join(root, "../../tools/scripts/python-env.sh")], { stdio: "pipe" });
  }, 300_000);

  it.each(documents)(
    "%s: generates a package that passes ruff, ruff format, mypy --strict and imports, or refuses with a pointer",
    (name, path) => {
      const expectedRefusal = refused[name];
      let files: ReturnType<typeof generate>;
      try {
        files = generate(pythonTarget(), generateIR(path, { languages: ["python"] }), { source: name });
      } catch (error) {
        if (!(error instanceof GeneratorError)) throw error;
        expect(`#${error.pointer}`, error.message).toBe(expectedRefusal);
        return;
      }
      expect(expectedRefusal, "expected a refusal").toBeUndefined();
      const again = generate(pythonTarget(), generateIR(path, { languages: ["python"] }), { source: name });
      expect(again).toEqual(files);
      const out = join(gates, `${name}-python`);
      rmSync(out, { recursive: true, force: true });
      for (const file of files) {
        mkdirSync(dirname(join(out, file.path)), { recursive: true });
        writeFileSync(join(out, file.path), file.content);
      }
      const pkg = (files.find((f) => f.path.endsWith("/_client.py"))?.path ?? "").split("/")[0] as string;
      run("ruff", ["check", "--no-cache", "."], out);
      run("ruff", ["format", "--no-cache", "--check", "."], out);
      run("mypy", ["--strict", "--no-incremental", "--cache-dir=/dev/null", pkg], out);
      run(
        "python",
        [
          "-c",
          `import ${pkg}, ${pkg}.models as m, inspect\n` +
            "for v in vars(m).values():\n" +
            "    if inspect.isclass(v) and issubclass(v, m.pydantic.BaseModel if hasattr(m, 'pydantic') else object) and hasattr(v, 'model_rebuild'):\n" +
            "        v.model_rebuild(force=True)\n" +
            `${pkg}.${"_client"}`,
        ],
        out,
      );
    },
    300_000,
  );
});
