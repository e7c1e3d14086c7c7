/**
 * @tka/codegen front half: load an OpenAPI document, build the IR, name it per language.
 *
 *   const ir = generateIR('openapi.yaml');            // loader -> IR -> naming (all languages)
 */
import { type BuildOptions, buildIR } from "./ir/index.ts";
import type { ApiIR } from "./ir/types.ts";
import { loadDocument } from "./loader/index.ts";
import { applyNaming, LANGUAGES, type Language, type NamingOptions } from "./naming/index.ts";

export { GeneratorError } from "./errors.ts";
export { buildIR } from "./ir/index.ts";
export type * from "./ir/types.ts";
export { loadDocument } from "./loader/index.ts";
export { applyNaming, LANGUAGES } from "./naming/index.ts";

export interface GenerateIROptions extends BuildOptions, NamingOptions {
  languages?: readonly Language[];
  /** Document text, to skip reading `path` (relative $refs still resolve against `path`). */
  text?: string;
}

export function generateIR(path: string, options: GenerateIROptions = {}): ApiIR {
  const doc = loadDocument(path, options.text);
  const ir = buildIR(doc, options);
  return applyNaming(ir, options.languages ?? LANGUAGES, options);
}
