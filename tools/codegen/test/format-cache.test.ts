// The formatters' result cache (src/targets/format-cache.ts): a file formatted before comes from
// the cache with the same bytes, only the files not seen before reach a formatter, and a changed
// file is never served an older result.
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { TargetFile } from "../src/targets/types.ts";

const cache = mkdtempSync(join(tmpdir(), "tka-format-cache-"));
let format: typeof import("../src/targets/format.ts");

beforeAll(async () => {
  // Before startup.ts is first imported in this file's module graph: its folder is read once.
  process.env.TKA_CODEGEN_CACHE_DIR = cache;
  format = await import("../src/targets/format.ts");
});

const entries = () => readdirSync(join(cache, "fmt")).filter((f) => f.endsWith(".txt")).length;

describe("the formatters' cache", () => {
  it("formats a TypeScript file once; a changed file is formatted anew", () => {
    const a: TargetFile = { path: "a.ts", content: "export const a = {x:1,  y:'two'}\n" };
    const first = format.formatTypeScript([a]);
    expect(first[0]?.content).toBe('export const a = { x: 1, y: "two" };\n');
    expect(entries()).toBe(1);
    // The same text again (under another path): from the cache, the same bytes.
    const b: TargetFile = { path: "b/b.ts", content: "export function b(){return 2}\n" };
    const again = format.formatTypeScript([{ ...a, path: "other.ts" }, b, { path: "x.json", content: "{}" }]);
    expect(again.map((f) => f.content)).toEqual([
      'export const a = { x: 1, y: "two" };\n',
      "export function b() {\n  return 2;\n}\n",
      "{}",
    ]);
    expect(entries()).toBe(2);
    // One character changed: another key, Biome's answer.
    const changed = format.formatTypeScript([{ path: "a.ts", content: "export const a = {x:1,  y:'three'}\n" }]);
    expect(changed[0]?.content).toBe('export const a = { x: 1, y: "three" };\n');
    expect(entries()).toBe(3);
  }, 60_000);

  it("formats Python modules and README blocks once each (WebAssembly build)", () => {
    const files: TargetFile[] = [
      { path: "m.py", content: "import sys, os\nx=[1,2]\n" },
      { path: "README.md", content: "# R\n\n```python\nclient=Client( a=1 )\n```\n" },
    ];
    const before = entries();
    const first = format.formatPython(files, "wasm");
    expect(first.map((f) => f.content)).toEqual([
      "import os\nimport sys\n\nx = [1, 2]\n",
      "# R\n\n```python\nclient = Client(a=1)\n```\n",
    ]);
    expect(entries()).toBe(before + 2);
    expect(format.formatPython(files, "wasm")).toEqual(first);
    expect(entries()).toBe(before + 2);
  }, 60_000);
});
