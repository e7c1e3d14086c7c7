import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MANIFEST, parseManifest, writeOutput } from "../src/manifest.ts";

describe("writeOutput (pnpm codegen --out)", () => {
  it("writes what changed and deletes only the files it generated before", () => {
    const out = mkdtempSync(join(tmpdir(), "codegen-out-"));
    const first = writeOutput(out, [
      { path: "a.ts", content: "a\n" },
      { path: "sub/b.ts", content: "b\n" },
    ]);
    expect(first).toEqual({ added: ["a.ts", "sub/b.ts", MANIFEST], changed: [], removed: [] });
    writeFileSync(join(out, "Cargo.lock"), "left by cargo package\n");
    writeFileSync(join(out, "hand.test.ts"), "hand-written\n");

    const second = writeOutput(out, [{ path: "a.ts", content: "a2\n" }]);
    expect(second).toEqual({ added: [], changed: ["a.ts", MANIFEST], removed: ["sub/b.ts"] });
    expect(existsSync(join(out, "sub/b.ts"))).toBe(false);
    expect(readFileSync(join(out, "Cargo.lock"), "utf8")).toBe("left by cargo package\n");
    expect(readFileSync(join(out, "hand.test.ts"), "utf8")).toBe("hand-written\n");
    expect(parseManifest(readFileSync(join(out, MANIFEST), "utf8"))).toEqual([MANIFEST, "a.ts"]);
    expect(writeOutput(out, [{ path: "a.ts", content: "a2\n" }])).toEqual({ added: [], changed: [], removed: [] });
  });

  it("never follows a manifest entry out of its folder", () => {
    const root = mkdtempSync(join(tmpdir(), "codegen-out-"));
    const out = join(root, "out");
    writeFileSync(join(root, "precious.txt"), "keep\n");
    writeOutput(out, [{ path: "a.ts", content: "a\n" }]);
    writeFileSync(join(out, MANIFEST), `${MANIFEST}\na.ts\n../precious.txt\n${join(root, "precious.txt")}\n`);
    expect(writeOutput(out, [{ path: "a.ts", content: "a\n" }]).removed).toEqual([]);
    expect(readFileSync(join(root, "precious.txt"), "utf8")).toBe("keep\n");
  });
});
