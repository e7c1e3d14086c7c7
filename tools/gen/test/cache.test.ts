import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputHash } from "../src/cache.ts";

describe("InputHash (the key of a cached step result)", () => {
  const folder = () => {
    const root = mkdtempSync(join(tmpdir(), "tka-gen-cache-"));
    mkdirSync(join(root, "spec/lib"), { recursive: true });
    mkdirSync(join(root, "spec/node_modules/x"), { recursive: true });
    writeFileSync(join(root, "spec/main.tsp"), "model A {}");
    writeFileSync(join(root, "spec/lib/b.tsp"), "model B {}");
    return root;
  };
  const key = (root: string) => new InputHash().add("node", "v22").addFolder(root, "spec").digest();

  it("changes with any file's content, name or a new file; not with node_modules", () => {
    const root = folder();
    const before = key(root);
    expect(key(root)).toBe(before);
    writeFileSync(join(root, "spec/node_modules/x/index.js"), "ignored");
    expect(key(root)).toBe(before);
    writeFileSync(join(root, "spec/lib/b.tsp"), "model B { x: string }");
    const edited = key(root);
    expect(edited).not.toBe(before);
    writeFileSync(join(root, "spec/lib/c.tsp"), "");
    expect(key(root)).not.toBe(edited);
  });

  it("keeps labels and contents apart (no two inputs run together)", () => {
    expect(new InputHash().add("a", "bc").digest()).not.toBe(new InputHash().add("ab", "c").digest());
    expect(new InputHash().add("a", "b").add("c", "").digest()).not.toBe(new InputHash().add("a", "bc").digest());
  });
});
