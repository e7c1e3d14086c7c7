// Where things live: the installed http-specs package and this package's work and result folders.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const packageRoot = join(import.meta.dirname, "..");
export const repoRoot = join(packageRoot, "../..");
const require = createRequire(import.meta.url);
/** The installed @typespec/http-specs package (its `specs/` sources and compiled `dist/specs/` mock APIs). */
export const httpSpecsRoot = dirname(require.resolve("@typespec/http-specs/package.json"));
export const specsRoot = join(httpSpecsRoot, "specs");
/** Scratch space: compiled documents, generated code, test programs, spector's coverage (git-ignored). */
export const workRoot = join(packageRoot, ".work");
/** Committed results: one JSON file per run target and the list the regression gate holds. */
export const resultsRoot = join(packageRoot, "results");
