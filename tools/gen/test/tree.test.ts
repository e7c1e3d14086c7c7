import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { withHeader } from "../src/header.ts";
import {
  applyDiff,
  describeDiff,
  diffTrees,
  isClean,
  MANIFEST,
  parseManifest,
  renderManifest,
  stageManifests,
} from "../src/tree.ts";

async function put(root: string, path: string, content: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

/** A tree as the last run left it (with its manifest), and a staging of the same output. */
async function fixture(): Promise<{ staging: string; root: string }> {
  const base = await mkdtemp(join(tmpdir(), "gen-tree-"));
  const staging = join(base, "staging");
  const root = join(base, "root");
  for (const dir of [staging, root]) {
    await put(dir, "out/a.yaml", "a\n");
    await put(dir, "out/sub/b.ts", "b\n");
  }
  await stageManifests(staging, ["out"]);
  await put(root, `out/${MANIFEST}`, await readFile(join(staging, "out", MANIFEST), "utf8"));
  await put(root, "out/README.md", "hand-written\n");
  await put(root, "elsewhere/c.txt", "not owned\n");
  return { staging, root };
}

describe("diffTrees", () => {
  it("reports a clean tree when the staged output matches; unlisted files are not looked at", async () => {
    const { staging, root } = await fixture();
    await put(root, "out/Cargo.lock", "made by cargo package\n");
    await put(root, "out/node_modules/.bin/tool", "#!/bin/sh\n");
    expect(isClean(await diffTrees(staging, root, ["out"]))).toBe(true);
  });

  it("detects a hand edit, a missing file and a file generated before but no longer", async () => {
    const { staging, root } = await fixture();
    await put(root, "out/a.yaml", "a edited\n");
    await put(staging, "out/new.yaml", "n\n");
    await put(root, "out/old.yaml", "o\n");
    await put(root, `out/${MANIFEST}`, renderManifest(["a.yaml", "sub/b.ts", "old.yaml", MANIFEST]));
    await stageManifests(staging, ["out"]);
    const diff = await diffTrees(staging, root, ["out"]);
    expect(diff).toEqual({
      added: ["out/new.yaml"],
      changed: ["out/.generated-files", "out/a.yaml"],
      removed: ["out/old.yaml"],
    });
  });

  it("applyDiff deletes only files the previous manifest lists; hand-written and unowned files survive", async () => {
    const { staging, root } = await fixture();
    await put(root, "out/old.yaml", "o\n");
    await put(root, "out/Cargo.lock", "made by cargo package\n");
    await put(root, `out/${MANIFEST}`, renderManifest(["a.yaml", "sub/b.ts", "old.yaml", MANIFEST]));
    await applyDiff(staging, root, await diffTrees(staging, root, ["out"]));
    expect(isClean(await diffTrees(staging, root, ["out"]))).toBe(true);
    await expect(readFile(join(root, "out/old.yaml"))).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(root, "out/Cargo.lock"), "utf8")).toBe("made by cargo package\n");
    expect(await readFile(join(root, "out/README.md"), "utf8")).toBe("hand-written\n");
    expect(await readFile(join(root, "elsewhere/c.txt"), "utf8")).toBe("not owned\n");
  });

  it("a folder without a manifest loses nothing; a manifest entry climbing out of its folder is ignored", async () => {
    const { staging, root } = await fixture();
    await put(root, "out/hand.ts", "h\n");
    await put(root, `out/${MANIFEST}`, renderManifest(["../elsewhere/c.txt", "/etc/passwd", "a.yaml"]));
    const diff = await diffTrees(staging, root, ["out"]);
    expect(diff.removed).toEqual([]);
    await put(root, `out/${MANIFEST}`, "");
    await applyDiff(staging, root, await diffTrees(staging, root, ["out"]));
    expect(await readFile(join(root, "out/hand.ts"), "utf8")).toBe("h\n");
    expect(await readFile(join(root, "elsewhere/c.txt"), "utf8")).toBe("not owned\n");
  });
});

describe("manifest", () => {
  it("lists the staged files sorted, itself included, and parses back", async () => {
    const { staging } = await fixture();
    const text = await readFile(join(staging, "out", MANIFEST), "utf8");
    expect(text.split("\n")[0]).toMatch(/^# Files generated into this folder/);
    expect(parseManifest(text)).toEqual([MANIFEST, "a.yaml", "sub/b.ts"]);
  });
});

describe("describeDiff", () => {
  it("names each file up to the limit, then counts the rest", () => {
    const many = Array.from({ length: 12 }, (_, i) => `out/f${String(i).padStart(2, "0")}.ts`);
    const lines = describeDiff({ added: many, changed: ["out/a.ts"], removed: [] }, 3);
    expect(lines).toEqual([
      "  added   out/f00.ts",
      "  added   out/f01.ts",
      "  added   out/f02.ts",
      "  added   ... and 9 more",
      "  changed out/a.ts",
    ]);
  });
});

describe("withHeader", () => {
  it("adds the do-not-edit line once, in the file type's comment syntax", () => {
    const yaml = withHeader("x.yaml", "spec/*.tsp", "a: 1\n");
    expect(yaml).toBe("# Code generated by `pnpm gen` from spec/*.tsp. DO NOT EDIT.\na: 1\n");
    expect(withHeader("x.yaml", "spec/*.tsp", yaml)).toBe(yaml);
    expect(withHeader("x.rs", "s", "")).toMatch(/^\/\/ Code generated/);
    expect(withHeader("x.json", "s", "{}")).toBe("{}");
  });
});
