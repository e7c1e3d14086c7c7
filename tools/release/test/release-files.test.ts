import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkChangelog } from "../src/changelog.ts";
import { fileProblems, versionProblems } from "../src/dry-run.ts";
import { metadataProblems } from "../src/metadata.ts";
import { readMetadata, readVersions } from "../src/versions.ts";

const good = `# Changelog

Notes.

## [Unreleased]

### Added

- A thing.

## [1.0.0] - 2026-11-30

The baseline.
`;

describe("changelogs", () => {
  it("accept Keep a Changelog with Unreleased or the version on top", () => {
    expect(checkChangelog(good, "2.0.0")).toEqual([]);
    expect(checkChangelog(good.replace("[Unreleased]", "[2.0.0] - 2026-12-02"), "2.0.0")).toEqual([]);
  });

  it("name what is off", () => {
    expect(checkChangelog("# Notes\n", "1.0.0")).toEqual([
      'no "# Changelog" title',
      "no `## [Unreleased]` or `## [x.y.z] - date` section",
    ]);
    expect(checkChangelog(good.replace("[Unreleased]", "[1.5.0] - 2026-12-01"), "2.0.0")).toEqual([
      "the newest section is [1.5.0], not [Unreleased] or [2.0.0]",
    ]);
    expect(checkChangelog(good.replace(" - 2026-11-30", ""), "2.0.0")).toEqual(["section [1.0.0] has no date"]);
    expect(checkChangelog(good.replace("### Added", "### Improved"), "2.0.0")).toEqual([
      'unknown change kind "### Improved"',
    ]);
  });
});

/** A repository tree with the four packages as versions.json lays them out. */
function tree(): string {
  const root = mkdtempSync(join(tmpdir(), "release-files-"));
  writeFileSync(join(root, "LICENSE"), "MIT\n");
  writeFileSync(
    join(root, "versions.json"),
    JSON.stringify({
      packages: {
        typescript: { name: "x-sdk", registry: "npm", path: "ts", version: "2.0.0" },
        python: { name: "x-sdk", registry: "PyPI", path: "py", version: "2.0.0" },
        rust: { name: "x-sdk", registry: "crates.io", path: "rs", version: "2.0.0" },
        cli: { name: "x-cli", registry: "npm", path: "cli", version: "0.1.0" },
      },
    }),
  );
  const put = (path: string, text: string) => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  put("ts/package.json", '{\n  "name": "x-sdk",\n  "version": "2.0.0"\n}\n');
  put("ts/src/client.ts", 'sdkName: "x-sdk", sdkVersion: "2.0.0",\n');
  put("py/pyproject.toml", '[project]\nname = "x-sdk"\nversion = "2.0.0"\n');
  put("py/tka/__init__.py", '__version__ = "2.0.0"\n');
  put("rs/Cargo.toml", '[package]\nname = "x-sdk"\nversion = "2.0.0"\n');
  put("cli/package.json", '{\n  "name": "x-cli",\n  "version": "0.1.0"\n}\n');
  for (const dir of ["ts", "py", "rs", "cli"]) {
    cpSync(join(root, "LICENSE"), join(root, dir, "LICENSE"));
    put(`${dir}/CHANGELOG.md`, good);
  }
  return root;
}

describe("release files", () => {
  it("every package carries its version, the LICENSE and a changelog", () => {
    const root = tree();
    expect(versionProblems(root, readVersions(root))).toEqual([]);
    expect(fileProblems(root, readVersions(root))).toEqual([]);
  });

  it("name each package that does not", () => {
    const root = tree();
    writeFileSync(join(root, "py/tka/__init__.py"), '__version__ = "1.0.0"\n');
    writeFileSync(join(root, "rs/Cargo.toml"), '[package]\nname = "other"\nversion = "2.0.0"\n');
    writeFileSync(join(root, "cli/LICENSE"), "Apache\n");
    writeFileSync(join(root, "ts/CHANGELOG.md"), "# Notes\n## [Unreleased]\n");
    expect(versionProblems(root, readVersions(root))).toEqual([
      "py/tka/__init__.py: __version__ is not 2.0.0 (versions.json)",
      "rs/Cargo.toml: the name is not x-sdk (versions.json)",
    ]);
    expect(fileProblems(root, readVersions(root))).toEqual([
      'ts/CHANGELOG.md: no "# Changelog" title',
      "cli/LICENSE differs from the root LICENSE",
    ]);
  });

  it("every manifest carries the metadata of versions.json, and what is unset is named", () => {
    const root = tree();
    const versions = JSON.parse(readFileSync(join(root, "versions.json"), "utf8")) as Record<string, unknown>;
    versions.metadata = {
      $comment: "ignored",
      repository: "https://example.org/x",
      authors: ["X team <x@example.org>"],
      keywords: ["x"],
    };
    writeFileSync(join(root, "versions.json"), JSON.stringify(versions));
    const meta = readMetadata(root);
    const ts =
      '{"repository":{"url":"git+https://example.org/x.git"},"author":"X team <x@example.org>","keywords":["x"]}';
    writeFileSync(join(root, "ts/package.json"), ts);
    writeFileSync(join(root, "cli/package.json"), ts);
    writeFileSync(
      join(root, "py/pyproject.toml"),
      'authors = [\n  { name = "X team", email = "x@example.org" },\n]\nkeywords = ["x"]\nRepository = "https://example.org/x"\n',
    );
    writeFileSync(join(root, "rs/Cargo.toml"), 'repository = "https://example.org/x"\nkeywords = ["y"]\n');
    expect(metadataProblems(root, readVersions(root), meta)).toEqual({
      problems: ["rs/Cargo.toml: keywords lacks x (versions.json)"],
      unset: ["homepage", "bugs"],
    });
    versions.metadata = { repository: "http://example.org/x" };
    writeFileSync(join(root, "versions.json"), JSON.stringify(versions));
    expect(() => readMetadata(root)).toThrow(/metadata.repository is not an https URL/);
  });
});
