import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateIR } from "../src/index.ts";
import { CORPUS, PROJECT_SPEC, ROOT } from "./helpers.ts";

/** The golden IR of each corpus document and of this project's spec (all languages named). */
const DOCS: Array<{ name: string; path: string }> = [
  ...readdirSync(CORPUS)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => ({ name: f.replace(/\.(ya?ml|json)$/, ""), path: join(CORPUS, f) })),
  { name: "tka-openapi.3.2", path: PROJECT_SPEC },
];

const GOLDEN = join(ROOT, "test", "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

function stableJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A short line diff: the first differing hunks with 3 lines of context. */
function lineDiff(expected: string, actual: string, maxHunks = 5): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  const out: string[] = [];
  let i = 0;
  let j = 0;
  let hunks = 0;
  while ((i < a.length || j < b.length) && hunks < maxHunks) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    // find the next resync point within a window
    let found: [number, number] | null = null;
    for (let d = 1; d < 400 && !found; d++) {
      for (let k = 0; k <= d; k++) {
        const x = i + k;
        const y = j + (d - k);
        if (x < a.length && y < b.length && a[x] === b[y] && a[x + 1] === b[y + 1]) {
          found = [x, y];
          break;
        }
      }
    }
    const [x, y] = found ?? [a.length, b.length];
    out.push(`@@ golden line ${i + 1}, actual line ${j + 1} @@`);
    for (let c = Math.max(0, i - 3); c < i; c++) out.push(`  ${a[c]}`);
    for (let c = i; c < x; c++) out.push(`- ${a[c]}`);
    for (let c = j; c < y; c++) out.push(`+ ${b[c]}`);
    i = x;
    j = y;
    hunks++;
  }
  return out.join("\n");
}

describe("golden IR", () => {
  for (const doc of DOCS) {
    it(`${basename(doc.path)} matches test/golden/${doc.name}.ir.json`, () => {
      const actual = stableJson(generateIR(doc.path));
      const file = join(GOLDEN, `${doc.name}.ir.json`);
      if (UPDATE) {
        writeFileSync(file, actual);
        return;
      }
      if (!existsSync(file)) throw new Error(`missing ${file}; run UPDATE_GOLDEN=1 pnpm test`);
      const expected = readFileSync(file, "utf8");
      if (expected !== actual) {
        expect.fail(
          `IR of ${doc.name} differs from the golden file (UPDATE_GOLDEN=1 pnpm test to accept):\n${lineDiff(expected, actual)}`,
        );
      }
    });
  }

  it("is deterministic and pure JSON", () => {
    const a = generateIR(PROJECT_SPEC);
    const b = generateIR(PROJECT_SPEC, { text: readFileSync(PROJECT_SPEC, "utf8") });
    expect(stableJson(a)).toBe(stableJson(b));
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it("the line diff is readable", () => {
    expect(lineDiff("a\nb\nc\nd", "a\nB\nc\nd")).toBe("@@ golden line 2, actual line 2 @@\n  a\n- b\n+ B");
  });
});
