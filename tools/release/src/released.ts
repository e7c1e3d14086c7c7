// The last release: its contract (the OpenAPI 3.2 document as it was released) and the versions
// each package had then, committed under tools/release/released/. `pnpm release --record` writes
// them after a release; the breaking-change report compares the contract with them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ApiIR, generateIR } from "@tka/codegen/src/api.ts";
import { type CompatReport, compareIR, LANGUAGES, type Lang } from "./compat/compare.ts";
import { checkVersions, type VersionCheck } from "./compat/report.ts";

export const releasedDir = join(import.meta.dirname, "../released");

export interface ReleaseRecord {
  /** When and from which commit the release was made. */
  date: string;
  commit: string;
  note?: string;
  /** The version of each package in that release (null: not released then). */
  versions: Record<Lang | "cli", string | null>;
}

export function readRelease(dir = releasedDir): ReleaseRecord {
  return JSON.parse(readFileSync(join(dir, "release.json"), "utf8")) as ReleaseRecord;
}

/** The IR of a document, named for every SDK language. */
export function namedIR(path: string): ApiIR {
  return generateIR(path, { languages: [...LANGUAGES] });
}

export interface Compatibility {
  release: ReleaseRecord;
  report: CompatReport;
  checks: VersionCheck[];
}

/**
 * Compares a contract (an OpenAPI document) with the last release, and each SDK's next version
 * with what its changes require. An SDK not released yet is compared with nothing (no problem).
 */
export function compatibility(contract: string, next: Record<Lang, string>, dir = releasedDir): Compatibility {
  const release = readRelease(dir);
  const report = compareIR(namedIR(join(dir, "openapi.3.2.yaml")), namedIR(contract));
  const released = Object.fromEntries(LANGUAGES.map((l) => [l, release.versions[l] ?? "0.0.0"])) as Record<
    Lang,
    string
  >;
  const checks = checkVersions(report, released, next).map((c) =>
    release.versions[c.lang] === null ? { ...c, problem: undefined } : c,
  );
  return { release, report, checks };
}
