// The project metadata of versions.json (`metadata`) must be in every package's manifest as
// pnpm gen writes it: a hand edit of a manifest, or a generator that stopped writing a member,
// fails the dry run. Members versions.json does not set are named, so a release knows what the
// registries' pages will lack.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PackageMetadata } from "@tka/codegen/src/targets/package-metadata.ts";
import type { PackageKey, PackageVersion } from "./versions.ts";

const MANIFEST: Record<PackageKey, string> = {
  typescript: "package.json",
  cli: "package.json",
  python: "pyproject.toml",
  rust: "Cargo.toml",
};

/** Which members each registry's manifest carries (Cargo has no authors or bugs field in use). */
const CARRIED: Record<PackageKey, ReadonlyArray<keyof PackageMetadata>> = {
  typescript: ["repository", "homepage", "bugs", "authors", "keywords"],
  cli: ["repository", "homepage", "bugs", "authors", "keywords"],
  python: ["repository", "homepage", "bugs", "authors", "keywords"],
  rust: ["repository", "homepage", "keywords", "categories"],
};

export function metadataProblems(
  root: string,
  versions: Record<PackageKey, PackageVersion>,
  metadata: PackageMetadata,
): { problems: string[]; unset: string[] } {
  const problems: string[] = [];
  for (const key of Object.keys(MANIFEST) as PackageKey[]) {
    const file = `${versions[key].path}/${MANIFEST[key]}`;
    const text = existsSync(join(root, file)) ? readFileSync(join(root, file), "utf8") : "";
    for (const member of CARRIED[key]) {
      const value = metadata[member];
      const values = value === undefined ? [] : typeof value === "string" ? [value] : value;
      // URLs as they are (npm writes the repository as git+<url>.git); list items quoted; an
      // author as written in versions.json ("Name <email>") or by name (pyproject's tables).
      const found = (v: string) =>
        ["repository", "homepage", "bugs"].includes(member)
          ? text.includes(v)
          : text.includes(JSON.stringify(v)) || (member === "authors" && text.includes(JSON.stringify(name(v))));
      const missing = values.filter((v) => !found(v));
      if (missing.length > 0) problems.push(`${file}: ${member} lacks ${missing.join(", ")} (versions.json)`);
    }
  }
  const unset = (["repository", "homepage", "bugs", "authors", "keywords"] as const).filter(
    (m) => metadata[m] === undefined,
  );
  return { problems, unset };
}

function name(author: string): string {
  return author.replace(/\s*<[^>]*>\s*$/, "");
}
