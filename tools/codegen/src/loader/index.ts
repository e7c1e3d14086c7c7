import { GeneratorError } from "../errors.ts";
import { DocumentSet, detectVersion, isObject } from "./document.ts";
import { SchemaNormalizer } from "./schema.ts";
import type { OpenApiVersion } from "./types.ts";

export { DocumentSet, isObject, type Json, type JsonObject } from "./document.ts";
export { SchemaNormalizer, UNSUPPORTED_KEYWORDS } from "./schema.ts";
export { describeEventStream, type NEventStream, type NStreamEvent } from "./stream.ts";
export type * from "./types.ts";

/** A parsed document with its `$ref` resolver and schema normaliser. */
export interface LoadedDocument {
  version: OpenApiVersion;
  /** The exact `openapi` field. */
  openapi: string;
  docs: DocumentSet;
  schemas: SchemaNormalizer;
}

/**
 * Read an OpenAPI 3.0/3.1/3.2 document (YAML or JSON) from `path`. Relative `$ref`s resolve
 * against its folder. `text` may be given to skip reading the root file.
 */
export function loadDocument(path: string, text?: string): LoadedDocument {
  const docs = new DocumentSet(path, text);
  const { version, openapi } = detectVersion(docs.root);
  const root = docs.root;
  if (!isObject(root)) throw new GeneratorError("", "", "the document is not an object");
  const components = root.components;
  if (isObject(components) && isObject(components.schemas)) {
    for (const name of Object.keys(components.schemas).sort()) {
      docs.namedAt({ file: "", pointer: `/components/schemas/${name.replaceAll("~", "~0").replaceAll("/", "~1")}` });
    }
  }
  return { version, openapi, docs, schemas: new SchemaNormalizer(docs, version) };
}
