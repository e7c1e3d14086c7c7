import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RefusalsError, uniqueRefusals } from "../src/errors.ts";
import { buildIR } from "../src/ir/index.ts";
import type { ApiIR, Model } from "../src/ir/types.ts";
import { loadDocument } from "../src/loader/index.ts";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const CORPUS = join(ROOT, "corpus");
export const PROJECT_SPEC = fileURLToPath(new URL("../../../generated/openapi/openapi.3.2.yaml", import.meta.url));

/** The documents every target generates in the compile gates and golden tests: the corpus and this project's spec. */
export const TARGET_DOCUMENTS = [
  ["petstore-3.0", join(CORPUS, "petstore-3.0.yaml")],
  ["kitchen-sink-3.1", join(CORPUS, "kitchen-sink-3.1.yaml")],
  ["collisions-3.1", join(CORPUS, "collisions-3.1.yaml")],
  ["sse-3.2", join(CORPUS, "sse-3.2.yaml")],
  ["constructs-3.1", join(CORPUS, "constructs-3.1.yaml")],
  ["tka-3.2", PROJECT_SPEC],
] as const;

/**
 * Real-world public descriptions (corpus/real-world, from npm `@readme/oas-examples`): generated
 * and compiled by the compile gates with every target, not kept as goldens.
 */
export const REAL_WORLD_DOCUMENTS: ReadonlyArray<readonly [string, string]> = readdirSync(join(CORPUS, "real-world"))
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => [`real-world-${f.replace(/\.json$/, "")}`, join(CORPUS, "real-world", f)] as const);

/** Write files (path -> YAML text) into a fresh temp folder; returns the folder. */
export function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tka-codegen-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A minimal 3.1 document around some component schemas (YAML text). */
export function docWithSchemas(schemas: string, version = "3.1.0", paths = "paths: {}"): string {
  return `openapi: ${version}\ninfo: {title: t, version: '1'}\n${paths}\ncomponents:\n  schemas:\n${schemas
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n")}\n`;
}

/** The IR of a document; its refusals are thrown together, as `generateIR` does. */
export function irOf(text: string, files: Record<string, string> = {}): ApiIR {
  const dir = writeTree({ "openapi.yaml": text, ...files });
  const ir = buildIR(loadDocument(join(dir, "openapi.yaml")));
  if (ir.skipped.length > 0) throw new RefusalsError(uniqueRefusals(ir.skipped));
  return ir;
}

export function model(ir: ApiIR, name: string): Model {
  const m = ir.models.find((x) => x.name === name);
  if (!m) throw new Error(`no model ${name}; have ${ir.models.map((x) => x.name).join(", ")}`);
  return m;
}
