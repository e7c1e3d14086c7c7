// Project metadata (repository, home page, issue tracker, authors, keywords, categories) comes
// from the targets' `metadata` option only: given, it lands in package.json, pyproject.toml and
// Cargo.toml as each registry reads it; not given, none of it appears (the goldens: nothing is
// invented for a document).
import { describe, expect, it } from "vitest";
import { generateIR } from "../src/index.ts";
import { cliTarget } from "../src/targets/cli/index.ts";
import { generate } from "../src/targets/index.ts";
import type { PackageMetadata } from "../src/targets/package-metadata.ts";
import { pythonTarget } from "../src/targets/python/index.ts";
import { rustTarget } from "../src/targets/rust/index.ts";
import type { Target } from "../src/targets/types.ts";
import { typescriptTarget } from "../src/targets/typescript/index.ts";
import { TARGET_DOCUMENTS } from "./helpers.ts";

const petstore = TARGET_DOCUMENTS[0][1];
const metadata: PackageMetadata = {
  repository: "https://example.org/acme/pets",
  directory: "sdks/ts",
  homepage: "https://pets.example.org",
  bugs: "https://example.org/acme/pets/issues",
  authors: ["Acme SDK team <sdk@example.org>", "Jo Doe"],
  keywords: ["pets", "acme"],
  categories: ["api-bindings"],
};

function file(target: Target, path: string): string {
  const ir = generateIR(petstore, { languages: [target.language] });
  const found = generate(target, ir, { source: "petstore-3.0.yaml" }).find((f) => f.path === path);
  if (found === undefined) throw new Error(`${target.name} wrote no ${path}`);
  return found.content;
}

describe("package metadata", () => {
  it("lands in the npm manifests (SDK and CLI) in npm's normal form", () => {
    for (const target of [typescriptTarget({ metadata }), cliTarget({ metadata })]) {
      const pkg = JSON.parse(file(target, "package.json")) as Record<string, unknown>;
      expect(pkg).toMatchObject({
        keywords: ["pets", "acme"],
        homepage: "https://pets.example.org",
        bugs: { url: "https://example.org/acme/pets/issues" },
        repository: { type: "git", url: "git+https://example.org/acme/pets.git", directory: "sdks/ts" },
        author: "Acme SDK team <sdk@example.org>",
        contributors: ["Jo Doe"],
      });
    }
  });

  it("lands in pyproject.toml: authors, keywords, [project.urls]", () => {
    const text = file(pythonTarget({ metadata }), "pyproject.toml");
    expect(text).toContain(
      'authors = [\n  { name = "Acme SDK team", email = "sdk@example.org" },\n  { name = "Jo Doe" },\n]\n',
    );
    expect(text).toContain('keywords = ["pets", "acme"]\n');
    expect(text).toContain(
      '[project.urls]\nHomepage = "https://pets.example.org"\nRepository = "https://example.org/acme/pets"\nIssues = "https://example.org/acme/pets/issues"\n',
    );
  });

  it("lands in Cargo.toml, within crates.io's limits", () => {
    const text = file(rustTarget({ metadata }), "Cargo.toml");
    expect(text).toContain(
      'homepage = "https://pets.example.org"\nrepository = "https://example.org/acme/pets"\nkeywords = ["pets", "acme"]\ncategories = ["api-bindings"]\n',
    );
    expect(() => file(rustTarget({ metadata: { keywords: ["a", "b", "c", "d", "e", "f"] } }), "Cargo.toml")).toThrow(
      /at most 5 keywords/,
    );
    expect(() => file(rustTarget({ metadata: { keywords: ["two words"] } }), "Cargo.toml")).toThrow(
      /not a crates.io keyword/,
    );
  });

  it("is left out entirely when not given", () => {
    const pkg = JSON.parse(file(typescriptTarget(), "package.json")) as Record<string, unknown>;
    for (const key of ["keywords", "homepage", "bugs", "repository", "author", "contributors"])
      expect(pkg[key], key).toBeUndefined();
    expect(file(pythonTarget(), "pyproject.toml")).not.toMatch(/authors|keywords|project\.urls/);
    expect(file(rustTarget(), "Cargo.toml")).not.toMatch(/homepage|repository|keywords|categories/);
  });

  it('writes only package.json around src/ with package: "manifest", repository options merged in', () => {
    const target = typescriptTarget({
      version: "2.1.0",
      package: "manifest",
      packageJson: { scripts: { test: "vitest run" }, devDependencies: { vitest: "5.1.1" } },
    });
    const ir = generateIR(petstore, { languages: ["typescript"] });
    const paths = generate(target, ir, { source: "petstore-3.0.yaml" })
      .map((f) => f.path)
      .filter((p) => !p.startsWith("src/"));
    expect(paths.sort()).toEqual(["README.md", "package.json"]);
    const pkg = JSON.parse(file(target, "package.json")) as Record<string, Record<string, string>>;
    expect(pkg.version).toBe("2.1.0");
    expect(pkg.scripts).toMatchObject({ test: "vitest run", prepack: "node scripts/build.mjs" });
    expect(pkg.devDependencies).toEqual({ typescript: "^5.9.3", vitest: "5.1.1" });
  });
});
