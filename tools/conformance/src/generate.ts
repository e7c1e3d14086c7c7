// Runs our generator (tools/codegen, in process) on a scenario's OpenAPI document for one target.
// Output goes to .work/gen/<target>/<scenario dir>, cached by the hash of the document and of the
// generator's sources and templates: an unchanged scenario is not regenerated. A refusal
// (GeneratorError: pointer and reason) is kept as the scenario's result for that target.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { GeneratorError, generate, generateIR, targets } from "@tka/codegen/src/api.ts";
import { writeOutput } from "@tka/codegen/src/manifest.ts";
import { repoRoot, workRoot } from "./paths.ts";

export type TargetName = "typescript" | "python" | "rust" | "hono";

/** Names every generated SDK uses, so test programs can be written without reading the output. */
export const sdkNames = {
  typescript: { clientName: "Client", packageName: "conf-sdk" },
  python: { packageName: "conf_sdk", clientName: "Client", distributionName: "conf-sdk" },
  // Not "Client": the rust target's client struct would collide with the runtime's `Client`
  // (E0255; a generator bug, reported).
  rust: { clientName: "ConfClient" },
  hono: {},
} as const;

let generatorHash: string | undefined;
function hashOfGenerator(): string {
  if (generatorHash) return generatorHash;
  const hash = createHash("sha256");
  for (const root of ["tools/codegen/src", "templates"]) {
    const abs = join(repoRoot, root);
    for (const f of readdirSync(abs, { recursive: true, encoding: "utf8" }).sort()) {
      if (/(^|\/)(node_modules|target|\.reports|__pycache__|\.mypy_cache|\.ruff_cache)(\/|$)/.test(f)) continue;
      const p = join(abs, f);
      try {
        hash.update(f).update(readFileSync(p));
      } catch {
        // a directory
      }
    }
  }
  generatorHash = hash.digest("hex");
  return generatorHash;
}

/** An operation the generator refused, taken out of the document so the rest still generates. */
export interface Refusal {
  method: string;
  path: string;
  reason: string;
}
export type GenerateResult =
  | { ok: true; dir: string; document: string; refused: Refusal[] }
  | { ok: false; reason: string };

/**
 * `crate` names the Rust crate (each scenario's crate is one member of a shared workspace).
 * A refusal that points into one operation removes that operation (and one that points into a
 * component schema removes the schema and every operation using it), then generation is retried:
 * each refused operation is reported with the generator's own reason; the scenarios it serves
 * count as refused, the others of the same document still run.
 */
export function generateTarget(target: TargetName, id: string, document: string, crate?: string): GenerateResult {
  const base = join(workRoot, "gen", target, id.replaceAll("/", "_"));
  const stamp = `${base}.key`;
  const resultFile = `${base}.result.json`;
  const key = createHash("sha256")
    .update(hashOfGenerator())
    .update(readFileSync(document))
    .update(crate ?? "")
    .update(JSON.stringify(sdkNames[target]))
    .digest("hex");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === key && existsSync(resultFile)) {
    return JSON.parse(readFileSync(resultFile, "utf8")) as GenerateResult;
  }
  mkdirSync(join(workRoot, "gen", target), { recursive: true });
  const result = generateWithRefusals(target, base, document, crate);
  writeFileSync(resultFile, JSON.stringify(result));
  writeFileSync(stamp, key);
  return result;
}

type Doc = { paths?: Record<string, Record<string, unknown>>; components?: { schemas?: Record<string, unknown> } };
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function generateWithRefusals(target: TargetName, out: string, document: string, crate?: string): GenerateResult {
  const doc = JSON.parse(readFileSync(document, "utf8")) as Doc;
  const refused: Refusal[] = [];
  let current = document;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const made = targets[target]?.({ ...sdkNames[target], ...(crate ? { crateName: crate } : {}) });
      if (!made) throw new Error(`unknown target ${target}`);
      const ir = generateIR(current, { languages: [made.language] });
      const files = generate(made, ir, { source: relative(repoRoot, document) });
      writeOutput(out, files);
      return { ok: true, dir: out, document: current, refused };
    } catch (error) {
      if (!(error instanceof GeneratorError)) {
        return { ok: false, reason: `generator crashed: ${error instanceof Error ? error.message : String(error)}` };
      }
      const removed = prune(doc, error.message);
      if (removed.length === 0) return { ok: false, reason: error.message };
      for (const r of removed) refused.push({ ...r, reason: error.message });
      current = `${out}.pruned.json`;
      writeFileSync(current, JSON.stringify(doc));
    }
  }
  return { ok: false, reason: "more than 100 refusals" };
}

/** Removes what a refusal's pointer names; returns the operations removed. */
function prune(doc: Doc, message: string): { method: string; path: string }[] {
  const pointer = /#(\/\S*?):\s/.exec(message)?.[1];
  if (!pointer) return [];
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (parts[0] === "paths" && parts[1] && doc.paths?.[parts[1]]) {
    const path = parts[1];
    const item = doc.paths[path] as Record<string, unknown>;
    const methods = parts[2] && METHODS.includes(parts[2]) ? [parts[2]] : METHODS.filter((m) => m in item);
    for (const m of methods) delete item[m];
    if (!METHODS.some((m) => m in item)) delete doc.paths[path];
    return methods.map((method) => ({ method, path }));
  }
  if (parts[0] === "components" && parts[1] === "schemas" && parts[2] && doc.components?.schemas?.[parts[2]]) {
    // The schema, every schema that uses it (transitively), and every operation using any of them.
    const gone = new Set([parts[2]]);
    const schemas = doc.components.schemas;
    for (let grew = true; grew; ) {
      grew = false;
      for (const [name, schema] of Object.entries(schemas)) {
        if (!gone.has(name) && uses(schema, gone)) {
          gone.add(name);
          grew = true;
        }
      }
    }
    for (const name of gone) delete schemas[name];
    const removed: { method: string; path: string }[] = [];
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const m of METHODS) {
        if (m in item && uses(item[m], gone)) {
          delete item[m];
          removed.push({ method: m, path });
        }
      }
    }
    return removed.length > 0 ? removed : [{ method: "*", path: `#/components/schemas/${parts[2]}` }];
  }
  return [];
}

function uses(value: unknown, names: Set<string>): boolean {
  const text = JSON.stringify(value);
  for (const n of names) if (text.includes(`"#/components/schemas/${n}"`)) return true;
  return false;
}
