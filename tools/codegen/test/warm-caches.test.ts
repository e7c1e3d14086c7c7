// scripts/warm-caches.ts (this package's postinstall): fills only the start-up caches that
// depend on no document, and a run on top of them writes what an uncached run writes.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_SPEC } from "./helpers.ts";

const cli = join(import.meta.dirname, "../src/cli.ts");
const warm = join(import.meta.dirname, "../scripts/warm-caches.ts");

function node(args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, ...env } });
}

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const path of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const full = join(dir, path);
    if (!readdirSafe(full)) out[path] = readFileSync(full, "utf8");
  }
  return out;
}

function readdirSafe(path: string): boolean {
  try {
    readdirSync(path);
    return true;
  } catch {
    return false;
  }
}

describe("warm-caches (postinstall)", () => {
  it("caches every module and template, nothing of a document; a run on top writes the same files", () => {
    const work = mkdtempSync(join(tmpdir(), "tka-warm-"));
    const cache = join(work, "cache");
    expect(node([warm], { TKA_CODEGEN_CACHE_DIR: cache })).toContain("start-up caches filled (5 targets,");
    expect(readdirSync(join(cache, "ts")).length).toBeGreaterThan(40);
    const templates = readdirSync(join(import.meta.dirname, "../../../templates"), { recursive: true });
    expect(readdirSync(join(cache, "hbs")).length).toBe(templates.filter((p) => String(p).endsWith(".hbs")).length);
    expect(existsSync(join(cache, "parsed"))).toBe(false);
    expect(existsSync(join(cache, "fmt"))).toBe(false);
    for (const target of ["typescript", "python"]) {
      const run = (out: string, env: NodeJS.ProcessEnv) =>
        node([cli, "--input", PROJECT_SPEC, "--target", target, "--out", join(work, out, target)], env);
      run("installed", { TKA_CODEGEN_CACHE_DIR: cache });
      run("uncached", { TKA_CODEGEN_NO_CACHE: "1" });
      expect(files(join(work, "installed", target))).toEqual(files(join(work, "uncached", target)));
    }
  }, 180_000);

  it("never fails an install: a cache it cannot write is left to the first run", () => {
    // A file where the cache folder would be: nothing can be written under it.
    const work = mkdtempSync(join(tmpdir(), "tka-warm-"));
    const blocked = join(work, "file");
    execFileSync("touch", [blocked]);
    expect(() => node([warm], { TKA_CODEGEN_CACHE_DIR: join(blocked, "cache") })).not.toThrow();
  }, 60_000);
});
