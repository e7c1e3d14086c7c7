// Where a generated package's project lives, for the registries' pages (npm, PyPI, crates.io).
// Nothing here comes from the OpenAPI document and nothing is invented: every member is a
// generator option, and a member not given is left out of every manifest.

export interface PackageMetadata {
  /** The source repository's URL (https://github.com/org/repo). */
  repository?: string;
  /** The folder of the package inside a monorepository (npm's `repository.directory`). */
  directory?: string;
  /** The project's home page. */
  homepage?: string;
  /** The issue tracker's URL. */
  bugs?: string;
  /** Authors, each `Name` or `Name <email>` (the first is npm's `author`, the rest `contributors`). */
  authors?: readonly string[];
  /** Search keywords (crates.io takes at most 5, each a letter then up to 19 of [A-Za-z0-9_+-]). */
  keywords?: readonly string[];
  /** crates.io category slugs (`api-bindings`, `web-programming::http-client`); Rust only. */
  categories?: readonly string[];
}

/** TOML (and JSON) basic string: JSON's escapes are a subset of TOML's. */
const str = (value: string) => JSON.stringify(value);

function person(author: string): { name: string; email?: string } {
  const match = /^(.*?)\s*<([^>]+)>\s*$/.exec(author);
  return match ? { name: match[1] as string, email: match[2] as string } : { name: author.trim() };
}

/** package.json members, in npm's usual order; absent ones are not written. */
export function npmMetadata(meta: PackageMetadata = {}): Record<string, unknown> {
  const [author, ...contributors] = meta.authors ?? [];
  const repository =
    meta.repository === undefined
      ? undefined
      : {
          type: "git",
          // npm's normal form (`npm pkg fix` writes it): git+<url>.git
          url: `git+${meta.repository.replace(/\/$/, "").replace(/^git\+/, "")}${meta.repository.endsWith(".git") ? "" : ".git"}`,
          ...(meta.directory === undefined ? {} : { directory: meta.directory }),
        };
  return {
    ...(meta.keywords?.length ? { keywords: [...meta.keywords] } : {}),
    ...(meta.homepage === undefined ? {} : { homepage: meta.homepage }),
    ...(meta.bugs === undefined ? {} : { bugs: { url: meta.bugs } }),
    ...(repository === undefined ? {} : { repository }),
    ...(author === undefined ? {} : { author }),
    ...(contributors.length > 0 ? { contributors } : {}),
  };
}

/** `[project]` lines of a pyproject.toml (authors, keywords) and its `[project.urls]` table. */
export function pyprojectMetadata(meta: PackageMetadata = {}): { project: string; urls: string } {
  const lines: string[] = [];
  if (meta.authors?.length) {
    const items = meta.authors.map((a) => {
      const p = person(a);
      return `  { name = ${str(p.name)}${p.email === undefined ? "" : `, email = ${str(p.email)}`} },`;
    });
    lines.push("authors = [", ...items, "]");
  }
  if (meta.keywords?.length) lines.push(`keywords = [${meta.keywords.map(str).join(", ")}]`);
  const urls = [
    ["Homepage", meta.homepage],
    ["Repository", meta.repository],
    ["Issues", meta.bugs],
  ].filter((u): u is [string, string] => u[1] !== undefined);
  return {
    project: lines.map((l) => `${l}\n`).join(""),
    urls: urls.length > 0 ? `[project.urls]\n${urls.map(([k, v]) => `${k} = ${str(v)}\n`).join("")}` : "",
  };
}

/** `[package]` lines of a Cargo.toml; crates.io's limits on keywords are checked here, not at publish. */
export function cargoMetadata(meta: PackageMetadata = {}): string {
  const keywords = meta.keywords ?? [];
  if (keywords.length > 5) throw new Error(`rust: crates.io takes at most 5 keywords, not ${keywords.length}`);
  for (const k of keywords) {
    if (!/^[A-Za-z][A-Za-z0-9_+-]{0,19}$/.test(k)) throw new Error(`rust: "${k}" is not a crates.io keyword`);
  }
  if ((meta.categories ?? []).length > 5) throw new Error("rust: crates.io takes at most 5 categories");
  const lines = [
    ...(meta.homepage === undefined ? [] : [`homepage = ${str(meta.homepage)}`]),
    ...(meta.repository === undefined ? [] : [`repository = ${str(meta.repository)}`]),
    ...(keywords.length > 0 ? [`keywords = [${keywords.map(str).join(", ")}]`] : []),
    ...(meta.categories?.length ? [`categories = [${meta.categories.map(str).join(", ")}]`] : []),
  ];
  return lines.map((l) => `${l}\n`).join("");
}
