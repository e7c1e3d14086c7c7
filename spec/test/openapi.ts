// Loads the generated OpenAPI documents for the contract tests.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const dir = join(dirname(fileURLToPath(import.meta.url)), "../../generated/openapi");

export function loadDocument(version: "3.1" | "3.2"): JsonObject {
  return parse(readFileSync(join(dir, `openapi.${version}.yaml`), "utf8")) as JsonObject;
}

export const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

export interface OperationRef {
  path: string;
  method: string;
  operation: JsonObject;
}

export function operations(doc: JsonObject): OperationRef[] {
  const out: OperationRef[] = [];
  for (const [path, item] of Object.entries(doc.paths as JsonObject)) {
    for (const method of methods) {
      const operation = (item as JsonObject)[method];
      if (operation) out.push({ path, method, operation: operation as JsonObject });
    }
  }
  return out;
}

/** Resolves a local `$ref` (one level) against the document. */
export function deref(doc: JsonObject, value: Json | undefined): Json | undefined {
  if (value && typeof value === "object" && !Array.isArray(value) && typeof value.$ref === "string") {
    let node: Json | undefined = doc;
    for (const part of value.$ref.slice(2).split("/")) {
      node = (node as JsonObject | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    }
    return deref(doc, node);
  }
  return value;
}

/** The operation's parameters with `$ref`s resolved. */
export function parameters(doc: JsonObject, operation: JsonObject): JsonObject[] {
  return ((operation.parameters as Json[] | undefined) ?? []).map((p) => deref(doc, p) as JsonObject);
}
