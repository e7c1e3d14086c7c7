// A CHANGELOG.md in the Keep a Changelog format (https://keepachangelog.com/en/1.1.0/): a title,
// then `## [Unreleased]` and `## [x.y.z] - YYYY-MM-DD` sections, newest first, each with
// `### Added` / `Changed` / `Deprecated` / `Removed` / `Fixed` / `Security` lists.

const KINDS = new Set(["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"]);

/** What is wrong with a changelog (nothing: an empty list). `version` must have a section or be Unreleased. */
export function checkChangelog(text: string, version: string): string[] {
  const problems: string[] = [];
  if (!/^# Changelog\b/m.test(text)) problems.push('no "# Changelog" title');
  const sections = [...text.matchAll(/^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?\s*$/gm)].map((m) => ({
    name: m[1] as string,
    date: m[2],
  }));
  if (sections.length === 0) problems.push("no `## [Unreleased]` or `## [x.y.z] - date` section");
  for (const s of sections) {
    if (s.name !== "Unreleased" && !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(s.name))
      problems.push(`section [${s.name}] is not a version`);
    if (s.name !== "Unreleased" && s.date === undefined) problems.push(`section [${s.name}] has no date`);
  }
  const first = sections[0]?.name;
  if (first !== undefined && first !== "Unreleased" && first !== version) {
    problems.push(`the newest section is [${first}], not [Unreleased] or [${version}]`);
  }
  for (const m of text.matchAll(/^### (.+)$/gm)) {
    if (!KINDS.has((m[1] as string).trim())) problems.push(`unknown change kind "### ${m[1]}"`);
  }
  return problems;
}
