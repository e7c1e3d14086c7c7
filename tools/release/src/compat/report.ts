// The breaking-change report as people read it (`pnpm gen`, `pnpm release --dry-run`), and the
// release rule: a breaking change needs a major version bump over the last release.
import { compareVersions, isMajorBump, nextMajor } from "../semver.ts";
import { type CompatReport, LANGUAGES, type Lang } from "./compare.ts";

export interface VersionCheck {
  lang: Lang;
  released: string;
  next: string;
  breaking: number;
  additive: number;
  /** Why this version cannot be released, if it cannot. */
  problem: string | undefined;
}

/** Checks each SDK's next version (versions.json) against its last release and its changes. */
export function checkVersions(
  report: CompatReport,
  released: Record<Lang, string>,
  next: Record<Lang, string>,
): VersionCheck[] {
  return LANGUAGES.map((lang) => {
    const breaking = report[lang].filter((c) => c.severity === "breaking").length;
    const additive = report[lang].length - breaking;
    let problem: string | undefined;
    if (compareVersions(next[lang], released[lang]) < 0) {
      problem = `${next[lang]} is older than the released ${released[lang]}`;
    } else if (breaking > 0 && !isMajorBump(released[lang], next[lang])) {
      problem = `${breaking} breaking change${breaking === 1 ? "" : "s"} since ${released[lang]} need a major version: ${nextMajor(released[lang])} or later (versions.json)`;
    } else if (breaking + additive > 0 && compareVersions(next[lang], released[lang]) === 0) {
      problem = `${released[lang]} is already released and the contract changed since: raise the version (versions.json)`;
    }
    return { lang, released: released[lang], next: next[lang], breaking, additive, problem };
  });
}

const LABEL: Record<Lang, string> = { typescript: "TypeScript", python: "Python", rust: "Rust" };

/**
 * The report's lines: a line per SDK (versions and counts, and what stops a release), then the
 * changes grouped by the SDKs they apply to, breaking ones in full, additive ones up to `limit`
 * per group.
 */
export function formatReport(report: CompatReport, checks: readonly VersionCheck[], limit = 8): string[] {
  const lines: string[] = [];
  for (const c of checks) {
    const counts = `${c.breaking} breaking, ${c.additive} additive`;
    lines.push(
      `  ${LABEL[c.lang].padEnd(10)} ${c.released} -> ${c.next}: ${counts}${c.problem ? `  !! ${c.problem}` : ""}`,
    );
  }
  const groups = new Map<string, { severity: string; langs: Lang[]; messages: string[] }>();
  const seen = new Map<string, Lang[]>();
  for (const lang of LANGUAGES) {
    for (const change of report[lang]) {
      const key = `${change.severity}\u0000${change.message}`;
      seen.set(key, [...(seen.get(key) ?? []), lang]);
    }
  }
  for (const [key, langs] of seen) {
    const [severity, message] = key.split("\u0000") as [string, string];
    const groupKey = `${severity}\u0000${langs.join(",")}`;
    const group = groups.get(groupKey) ?? { severity, langs, messages: [] };
    group.messages.push(message);
    groups.set(groupKey, group);
  }
  const ordered = [...groups.values()].sort((a, b) =>
    a.severity === b.severity ? b.langs.length - a.langs.length : a.severity === "breaking" ? -1 : 1,
  );
  for (const g of ordered) {
    const who = g.langs.length === LANGUAGES.length ? "every SDK" : g.langs.map((l) => LABEL[l]).join(", ");
    lines.push(`  ${g.severity} (${who}):`);
    const shown = g.severity === "breaking" ? g.messages : g.messages.slice(0, limit);
    for (const m of shown) lines.push(`    ${m}`);
    if (shown.length < g.messages.length) lines.push(`    ... and ${g.messages.length - shown.length} more`);
  }
  return lines;
}
