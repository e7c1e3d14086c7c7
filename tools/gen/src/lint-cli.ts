#!/usr/bin/env node
// `pnpm lint:contract` (and the root `pnpm run lint`): lints the committed OpenAPI documents
// (generated/openapi) with Redocly and the rules of redocly.yaml; any error or warning fails.
// A lint of the contract, so it runs with the other lints rather than in every `pnpm gen`
// (about 1 s of CPU whenever the documents changed; `pnpm gen --lint` runs it there too).
import { join } from "node:path";
import { openapiOutDir, repoRoot } from "./paths.ts";
import { files, lintDocuments } from "./steps/lint.ts";

try {
  console.log("lint:contract: Redocly");
  await lintDocuments(
    repoRoot,
    files.map((file) => join(repoRoot, openapiOutDir, file)),
    (line) => console.log(line),
  );
} catch (error) {
  console.error(`lint:contract: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
