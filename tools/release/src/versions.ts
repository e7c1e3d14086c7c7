// The package versions of versions.json (repository root): the one place they are recorded.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The repository root (tools/release/src -> ../../..). */
export const repoRoot = join(import.meta.dirname, "../../..");

export interface PackageVersion {
  name: string;
  registry: string;
  /** The package's folder, relative to the repository root. */
  path: string;
  version: string;
}

export type PackageKey = "typescript" | "python" | "rust" | "cli";

/** Reads versions.json; a missing package or a version that is not semver is an error. */
export function readVersions(root = repoRoot): Record<PackageKey, PackageVersion> {
  const file = join(root, "versions.json");
  const data = JSON.parse(readFileSync(file, "utf8")) as { packages?: Record<string, PackageVersion> };
  const out = {} as Record<PackageKey, PackageVersion>;
  for (const key of ["typescript", "python", "rust", "cli"] as const) {
    const entry = data.packages?.[key];
    if (entry === undefined) throw new Error(`${file}: no packages.${key}`);
    if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(entry.version)) {
      throw new Error(`${file}: packages.${key}.version ${JSON.stringify(entry.version)} is not semver (x.y.z)`);
    }
    out[key] = entry;
  }
  return out;
}
