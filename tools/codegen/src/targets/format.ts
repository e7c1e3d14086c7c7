// Formats generated TypeScript with Biome (the repository's formatter), so generated files read
// like hand-written ones and diffs stay reviewable. One Biome run formats every file.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TargetFile } from "./types.ts";

const require = createRequire(import.meta.url);

const config = {
  formatter: { enabled: true, indentStyle: "space", indentWidth: 2, lineWidth: 120 },
  javascript: { formatter: { quoteStyle: "double", trailingCommas: "all", semicolons: "always" } },
};

export function formatTypeScript(files: TargetFile[]): TargetFile[] {
  const ts = files.filter((f) => f.path.endsWith(".ts"));
  if (ts.length === 0) return files;
  const dir = mkdtempSync(join(tmpdir(), "tka-format-"));
  try {
    writeFileSync(join(dir, "biome.json"), JSON.stringify(config));
    for (const f of ts) {
      mkdirSync(dirname(join(dir, "src", f.path)), { recursive: true });
      writeFileSync(join(dir, "src", f.path), f.content);
    }
    const biome = join(dirname(require.resolve("@biomejs/biome/package.json")), "bin", "biome");
    execFileSync(process.execPath, [biome, "format", "--write", "--no-errors-on-unmatched", "src"], {
      cwd: dir,
      stdio: "pipe",
    });
    return files.map((f) =>
      f.path.endsWith(".ts") ? { ...f, content: readFileSync(join(dir, "src", f.path), "utf8") } : f,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
