// Compiles each scenario's main.tsp to OpenAPI 3.1 JSON with the pinned TypeSpec set, all in this
// one process (one compiler start-up for every scenario). A document is cached under .work/openapi
// by the hash of the scenario's TypeSpec sources and the compiler version.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile, NodeHost } from "@typespec/compiler";
import { workRoot } from "./paths.ts";
import type { ScenarioDir } from "./scenarios.ts";

export type CompileResult = { ok: true; document: string } | { ok: false; reason: string };

export async function compileScenario(dir: ScenarioDir): Promise<CompileResult> {
  const key = hashSources(dir.path);
  const out = join(workRoot, "openapi", dir.id.replaceAll("/", "_"));
  const stamp = join(out, ".key");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === key) return read(out);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  let program: Awaited<ReturnType<typeof compile>>;
  try {
    program = await compile(NodeHost, join(dir.path, "main.tsp"), {
      emit: ["@typespec/openapi3"],
      outputDir: out,
      options: {
        "@typespec/openapi3": {
          "emitter-output-dir": out,
          "openapi-versions": ["3.1.0"],
          "file-type": "json",
          "output-file": "openapi.{service-name-if-multiple}.{version}.json",
        },
      },
    });
  } catch (error) {
    // The emitter itself crashed (a TypeSpec bug): that scenario cannot reach OpenAPI.
    const reason = `the OpenAPI emitter crashed: ${String((error as { info?: { error?: unknown } }).info?.error ?? error).split("\n")[0]}`;
    writeFileSync(join(out, "error.txt"), reason);
    writeFileSync(stamp, key);
    return read(out);
  }
  const errors = program.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const reason = errors.map((d) => `${d.code}: ${d.message}`).join("; ");
    writeFileSync(join(out, "error.txt"), reason);
  }
  writeFileSync(stamp, key);
  return read(out);
}

function read(out: string): CompileResult {
  if (existsSync(join(out, "error.txt"))) return { ok: false, reason: readFileSync(join(out, "error.txt"), "utf8") };
  const docs = readdirSync(out, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".json"))
    .sort();
  if (docs.length === 0) return { ok: false, reason: "the OpenAPI emitter wrote no document" };
  // Versioned services write one document per version: the mocks answer the newest one, which
  // sorts last (v1 < v2; "2022-12-01-preview" < "2023-...").
  return { ok: true, document: join(out, docs[docs.length - 1] as string) };
}

function hashSources(dir: string): string {
  const hash = createHash("sha256").update(`compiler 1.16.0\n`);
  for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    if (f.endsWith(".tsp")) hash.update(f).update(readFileSync(join(dir, f)));
  }
  return hash.digest("hex");
}
