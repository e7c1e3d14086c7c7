import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSourceMaps } from "../src/sourcemaps.ts";

/** An unpacked package: paths relative to its folder, with their text. */
function pkg(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "release-maps-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const js = "export {};\n//# sourceMappingURL=index.js.map\n";
const map = (extra: object) => JSON.stringify({ version: 3, file: "index.js", mappings: "", ...extra });

describe("source maps in a package", () => {
  it("resolve when the sources are shipped (as openai-node does) or inlined", () => {
    const shipped = pkg({
      "dist/esm/index.js": js,
      "dist/esm/index.js.map": map({ sources: ["../../src/index.ts"] }),
      "src/index.ts": "export {};\n",
    });
    expect(checkSourceMaps(shipped)).toEqual({ maps: 1, shipped: 1, inlined: 0, problems: [] });
    const inlined = pkg({
      "dist/index.js": js,
      "dist/index.js.map": map({ sources: ["../src/index.ts"], sourcesContent: ["export {};\n"] }),
    });
    expect(checkSourceMaps(inlined)).toEqual({ maps: 1, shipped: 0, inlined: 1, problems: [] });
  });

  it("name a source that was not shipped, one outside the package, and a map that is missing", () => {
    const report = checkSourceMaps(
      pkg({
        "dist/esm/index.js": js,
        "dist/esm/index.js.map": map({ sources: ["../../src/index.ts", "../../../elsewhere.ts"] }),
        "dist/esm/other.js": "//# sourceMappingURL=other.js.map\n",
        "dist/esm/index.d.ts": "export {};\n//# sourceMappingURL=index.d.ts.map",
      }),
    );
    expect(report.problems).toEqual([
      "dist/esm/index.d.ts: its map index.d.ts.map is not in the package",
      'dist/esm/index.js.map: source "../../src/index.ts" is neither in the package nor inlined',
      'dist/esm/index.js.map: source "../../../elsewhere.ts" is neither in the package nor inlined',
      "dist/esm/other.js: its map other.js.map is not in the package",
    ]);
  });

  it("honour sourceRoot and pass a package without maps", () => {
    const rooted = pkg({
      "dist/index.js.map": map({ sourceRoot: "../src/", sources: ["index.ts"] }),
      "src/index.ts": "export {};\n",
    });
    expect(checkSourceMaps(rooted).problems).toEqual([]);
    expect(checkSourceMaps(pkg({ "dist/index.js": "export {};\n" }))).toEqual({
      maps: 0,
      shipped: 0,
      inlined: 0,
      problems: [],
    });
  });
});
