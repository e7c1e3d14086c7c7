/**
 * @tka/codegen front half: load an OpenAPI document, build the IR, name it per language.
 *
 *   const ir = generateIR('openapi.yaml');            // loader -> IR -> naming (all languages)
 */
import { RefusalsError, uniqueRefusals } from "./errors.ts";
import { type BuildOptions, buildIR } from "./ir/index.ts";
import type { ApiIR } from "./ir/types.ts";
import { loadDocument } from "./loader/index.ts";
import { applyNaming, LANGUAGES, type Language, type NamingOptions } from "./naming/index.ts";

export { GeneratorError, type Refusal, RefusalsError } from "./errors.ts";
export { buildIR } from "./ir/index.ts";
export type * from "./ir/types.ts";
export { loadDocument } from "./loader/index.ts";
export { applyNaming, LANGUAGES } from "./naming/index.ts";

export interface GenerateIROptions extends BuildOptions, NamingOptions {
  languages?: readonly Language[];
  /** Document text, to skip reading `path` (relative $refs still resolve against `path`). */
  text?: string;
  /**
   * Leave out what cannot be generated (listed on the IR's `skipped`) instead of throwing a
   * `RefusalsError` naming every refusal. Default false.
   */
  skipUnsupported?: boolean;
}

/**
 * Load, build and name the IR of a document. Every refused construct is collected: without
 * `skipUnsupported` they are thrown together (a `RefusalsError`); with it they are left out.
 */
export function generateIR(path: string, options: GenerateIROptions = {}): ApiIR {
  const doc = loadDocument(path, options.text);
  const ir = buildIR(doc, options);
  if (!options.skipUnsupported && ir.skipped.length > 0) throw new RefusalsError(uniqueRefusals(ir.skipped));
  return applyNaming(ir, options.languages ?? LANGUAGES, options);
}
