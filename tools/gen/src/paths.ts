import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (tools/gen/src -> ../../..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export const specDir = resolve(repoRoot, "spec");

/** Where the OpenAPI documents land, relative to the repository root. */
export const openapiOutDir = "generated/openapi";
