// The package versions of versions.json (repository root): the one place they are recorded.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PackageMetadata } from "@tka/codegen/src/targets/package-metadata.ts";

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

/** The project metadata of versions.json (`metadata`), the same for every package; may be empty. */
export function readMetadata(root = repoRoot): PackageMetadata {
  const file = join(root, "versions.json");
  const data = JSON.parse(readFileSync(file, "utf8")) as { metadata?: Record<string, unknown> };
  const out: PackageMetadata = {};
  for (const [key, value] of Object.entries(data.metadata ?? {})) {
    if (key.startsWith("$")) continue;
    if (["repository", "homepage", "bugs"].includes(key)) {
      if (typeof value !== "string" || !/^https:\/\//.test(value))
        throw new Error(`${file}: metadata.${key} is not an https URL`);
      out[key as "repository" | "homepage" | "bugs"] = value;
    } else if (["authors", "keywords", "categories"].includes(key)) {
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v === ""))
        throw new Error(`${file}: metadata.${key} is not a list of strings`);
      out[key as "authors" | "keywords" | "categories"] = value as string[];
    } else throw new Error(`${file}: unknown metadata.${key}`);
  }
  return out;
}
