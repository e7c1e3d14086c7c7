// The native ruff of the repository's Python environment (.venv, made by
// tools/scripts/python-env.sh), used instead of ruff's WebAssembly build when it is the same
// version: instantiating the 10 MB WebAssembly module cost the Python target about 250 ms of CPU
// even compiled baseline-only, the native binary formats the whole package in about 20 ms. Same
// version, same settings, so the same bytes; any other version (or none) leaves the WebAssembly
// build in charge, so what `pnpm gen --check` expects never depends on what is installed.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** The ruff settings of format.ts (`RUFF`) as command-line flags; --isolated ignores any pyproject.toml. */
const FLAGS = ["--isolated", "--no-cache", "--line-length", "100", "--target-version", "py310"];

let found: string | null | undefined;

/**
 * The native ruff to use: TKA_RUFF (a path; "off" for none), else the repository's .venv; null
 * when there is none or its version differs from the WebAssembly build's.
 */
export function nativeRuff(): string | null {
  if (found !== undefined) return found;
  found = null;
  const configured = process.env.TKA_RUFF;
  if (configured === "off") return found;
  const venv = fileURLToPath(new URL("../../../../.venv/", import.meta.url));
  const bin = configured ?? join(venv, process.platform === "win32" ? "Scripts/ruff.exe" : "bin/ruff");
  if (!existsSync(bin)) return found;
  const wanted = (require("@astral-sh/ruff-wasm-nodejs/package.json") as { version: string }).version;
  // In the .venv pip's record of the installed version answers without starting ruff.
  if (configured === undefined && installedInVenv(venv, wanted)) {
    found = bin;
    return found;
  }
  try {
    const version = execFileSync(bin, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    if (version.trim() === `ruff ${wanted}`) found = bin;
  } catch {
    // not runnable here: the WebAssembly build it is
  }
  return found;
}

/** Whether pip installed ruff `version` into the virtual environment (its .dist-info folder). */
function installedInVenv(venv: string, version: string): boolean {
  const sitePackages =
    process.platform === "win32"
      ? [join(venv, "Lib/site-packages")]
      : readdirSafe(join(venv, "lib")).map((python) => join(venv, "lib", python, "site-packages"));
  return sitePackages.some((dir) => existsSync(join(dir, `ruff-${version}.dist-info`)));
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Sorts the imports (ruff's `I` rules, fixes only) and formats each source, in one `ruff check`
 * and one `ruff format` over all of them. Returns the formatted sources; a source ruff cannot
 * parse comes back as null (the caller decides whether that is an error).
 */
export function ruffFormatAll(bin: string, sources: readonly string[]): (string | null)[] {
  if (sources.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), "tka-ruff-"));
  try {
    // Flat, neutral file names: no folder of the package exists beside them, so import sorting
    // classifies the package's own imports as the WebAssembly build (which sees no files) does.
    const paths = sources.map((source, i) => {
      const path = join(dir, `_tka_source_${i}.py`);
      writeFileSync(path, source);
      return path;
    });
    const run = (args: string[]) =>
      spawnSync(bin, [...args, ...FLAGS, ...paths], { cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const check = run(["check", "--select", "I", "--fix", "--exit-zero", "--quiet"]);
    if (check.status !== 0) throw new Error(`ruff check failed: ${check.error?.message ?? check.stderr}`);
    const format = run(["format"]);
    // 0: formatted; 2: some sources could not be parsed (named on stderr), the rest formatted.
    if (format.status !== 0 && format.status !== 2) {
      throw new Error(`ruff format failed: ${format.error?.message ?? format.stderr}`);
    }
    const failed = new Set([...(format.stderr ?? "").matchAll(/_tka_source_(\d+)\.py/g)].map((m) => Number(m[1])));
    if (format.status === 2 && failed.size === 0) throw new Error(`ruff format failed: ${format.stderr}`);
    return paths.map((path, i) => (failed.has(i) ? null : readFileSync(path, "utf8")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
