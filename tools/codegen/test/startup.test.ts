// The CLI's start-up caches (src/startup.ts, src/targets/templates.ts): what a cached run
// produces is what an uncached run produces, a changed source or template is never served
// stale, and the timing line covers the whole process.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_SPEC } from "./helpers.ts";

const cli = join(import.meta.dirname, "../src/cli.ts");
const startup = join(import.meta.dirname, "../src/startup.ts");
const templates = join(import.meta.dirname, "../src/targets/templates.ts");

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = readFileSync(join(d, e.name), "utf8");
    }
  };
  walk(dir, "");
  return out;
}

function node(args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, ...env } });
}

describe("the codegen CLI's caches", () => {
  it("a cached run writes what an uncached one writes; the timing line covers the process", () => {
    const work = mkdtempSync(join(tmpdir(), "tka-startup-"));
    const cache = join(work, "cache");
    const run = (out: string, env: NodeJS.ProcessEnv) =>
      node([cli, "--input", PROJECT_SPEC, "--target", "hono", "--out", join(work, out)], env);
    run("first", { TKA_CODEGEN_CACHE_DIR: cache });
    // Everything the first run could cache is cached: stripped sources, code cache, templates.
    expect(readdirSync(join(cache, "ts")).length).toBeGreaterThan(20);
    expect(readdirSync(join(cache, "hbs")).length).toBeGreaterThan(3);
    expect(readdirSync(join(cache, "v8")).length).toBeGreaterThan(0);
    const line = run("cached", { TKA_CODEGEN_CACHE_DIR: cache });
    run("uncached", { TKA_CODEGEN_NO_CACHE: "1", TKA_CODEGEN_CACHE_DIR: join(work, "unused") });
    expect(readdirSync(work)).not.toContain("unused");
    expect(files(join(work, "cached"))).toEqual(files(join(work, "uncached")));
    expect(files(join(work, "first"))).toEqual(files(join(work, "uncached")));

    const m = /start-up (\d+) ms, IR (\d+) ms, render (\d+) ms, total (\d+) ms, CPU (\d+) ms, peak (\d+) MB/.exec(line);
    expect(m).not.toBeNull();
    const [startUp, ir, render, total, cpu, peak] = (m as RegExpExecArray).slice(1).map(Number) as number[];
    expect(total).toBeGreaterThanOrEqual((startUp as number) + (ir as number) + (render as number));
    expect(cpu).toBeGreaterThan(0);
    expect(peak).toBeGreaterThan(20);
  }, 120_000);

  it("never serves a changed TypeScript module from the cache", () => {
    const work = mkdtempSync(join(tmpdir(), "tka-startup-"));
    writeFileSync(join(work, "package.json"), '{ "type": "module" }\n');
    writeFileSync(
      join(work, "main.ts"),
      `import { fastStart } from ${JSON.stringify(startup)};\nfastStart();\nconst { value } = await import("./value.ts");\nconsole.log(value);\n`,
    );
    const env = { TKA_CODEGEN_CACHE_DIR: join(work, "cache") };
    const value = (text: string) => {
      writeFileSync(join(work, "value.ts"), `export const value: string = ${JSON.stringify(text)};\n`);
      return node([join(work, "main.ts")], env).trim();
    };
    expect(value("one")).toBe("one");
    expect(value("two")).toBe("two");
    expect(value("one")).toBe("one");
    // Both versions cached, each as Node strips it (types blanked, positions kept).
    const stripped = readdirSync(join(work, "cache/ts")).map((f) => readFileSync(join(work, "cache/ts", f), "utf8"));
    expect(stripped).toContainEqual(expect.stringContaining('export const value         = "two";'));
  }, 60_000);

  it("compiles a changed template anew; cached and uncached templates render alike, strictly", () => {
    const work = mkdtempSync(join(tmpdir(), "tka-templates-"));
    mkdirSync(join(work, "t"));
    const script = join(work, "render.ts");
    writeFileSync(
      script,
      `import { templateRenderer } from ${JSON.stringify(templates)};\n` +
        `const render = templateRenderer(${JSON.stringify(join(work, "t"))});\n` +
        `const out = [render("a.hbs", { name: "<b>&", items: [1, 2] })];\n` +
        `try { render("a.hbs", { items: [] }); } catch (e) { out.push(String((e as Error).message)); }\n` +
        "console.log(JSON.stringify(out));\n",
    );
    const env = { TKA_CODEGEN_CACHE_DIR: join(work, "cache") };
    const render = (template: string, extra: NodeJS.ProcessEnv = {}) => {
      writeFileSync(join(work, "t/a.hbs"), template);
      return JSON.parse(node([script], { ...env, ...extra })) as string[];
    };
    const first = render("{{name}}:{{#each items}}[{{this}}]{{/each}}");
    // Not HTML-escaped; a missing field is an error (strict).
    expect(first[0]).toBe("<b>&:[1][2]");
    expect(first[1]).toMatch(/"name" not defined/);
    expect(render("{{name}}:{{#each items}}[{{this}}]{{/each}}")).toEqual(first);
    expect(render("{{name}}:{{#each items}}[{{this}}]{{/each}}", { TKA_CODEGEN_NO_CACHE: "1" })).toEqual(first);
    expect(render("{{name}}!")[0]).toBe("<b>&!");
    expect(readdirSync(join(work, "cache/hbs"))).toHaveLength(2);
  }, 60_000);
});
