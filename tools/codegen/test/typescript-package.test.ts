// The typescript target's output is a complete npm package: its own build script compiles ESM and
// CommonJS with declarations, both entry points load, `npm pack` ships dist/, src/ (what the
// source maps point at), README and LICENSE, and the package has no runtime dependency. (TypeScript resolves from this package's
// node_modules, as `npm install` would put it in the output's.)
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateIR } from "../src/index.ts";
import { generate } from "../src/targets/index.ts";
import { typescriptTarget } from "../src/targets/typescript/index.ts";
import { CORPUS } from "./helpers.ts";

const out = join(import.meta.dirname, "../.gates/constructs-3.1-typescript-package");

describe("the typescript target's package", () => {
  it("builds ESM + CJS with types through its own script and packs dist, README and LICENSE", async () => {
    const files = generate(
      typescriptTarget(),
      generateIR(join(CORPUS, "constructs-3.1.yaml"), { languages: ["typescript"] }),
      { source: "constructs-3.1.yaml" },
    );
    rmSync(out, { recursive: true, force: true });
    for (const file of files) {
      mkdirSync(dirname(join(out, file.path)), { recursive: true });
      writeFileSync(join(out, file.path), file.content);
    }
    const pkg = JSON.parse(readFileSync(join(out, "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.devDependencies).toEqual({ typescript: "^5.9.3" });
    expect(pkg.exports).toEqual({
      ".": {
        import: { types: "./dist/esm/index.d.ts", default: "./dist/esm/index.js" },
        require: { types: "./dist/cjs/index.d.ts", default: "./dist/cjs/index.js" },
      },
    });

    execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: out, stdio: "pipe" });
    const esm = (await import(join(out, "dist/esm/index.js"))) as Record<string, unknown>;
    const cjs = createRequire(import.meta.url)(join(out, "dist/cjs/index.js")) as Record<string, unknown>;
    for (const m of [esm, cjs]) {
      expect(m.Constructs).toBeTypeOf("function");
      expect(m.NotFoundError).toBeTypeOf("function");
    }

    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: out, encoding: "utf8" }),
    ) as Array<{ files: Array<{ path: string }> }>;
    const paths = (packed[0]?.files ?? []).map((f) => f.path);
    for (const path of [
      "package.json",
      "README.md",
      "LICENSE",
      "dist/esm/index.js",
      "dist/esm/index.d.ts",
      "dist/cjs/index.js",
      "dist/cjs/index.d.ts",
      "dist/cjs/package.json",
    ]) {
      expect(paths).toContain(path);
    }
    // src/ ships so that the source and declaration maps lead somewhere (as openai-node's do).
    const maps = paths.filter((p) => p.endsWith(".map"));
    expect(maps).toContain("dist/esm/index.js.map");
    expect(maps).toContain("dist/cjs/index.d.ts.map");
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(out, map), "utf8")) as { sources: string[] };
      for (const source of sources) expect(paths, `${map} -> ${source}`).toContain(join(dirname(map), source));
    }
  }, 180_000);
});
