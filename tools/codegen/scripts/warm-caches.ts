#!/usr/bin/env node
// Run by `pnpm install` (this package's postinstall), as pip compiles a package's .pyc files when
// it installs them: fills the generator's start-up caches that depend on no document, so that
// the first `node src/cli.ts` after a clone and install does not pay for them (src/startup.ts):
// the type-stripped text and V8's code cache of every module the CLI loads (all targets), and
// every template compiled (src/targets/templates.ts). Caches of a document (its parse, the
// formatters' results) are left to the runs that read it. Never fails an install: a cache that
// cannot be filled is simply filled by the first run instead.
import { fastStart } from "../src/startup.ts";

try {
  fastStart();
  await import("../src/errors.ts");
  await import("../src/index.ts");
  await import("../src/manifest.ts");
  await import("../src/usage.ts");
  await import("../src/targets/generate.ts");
  const { targets, templatesRoot } = await import("../src/targets/index.ts");
  // Each target's own entry, as the CLI imports it (targets/<name>/index.ts).
  for (const name of Object.keys(targets)) await import(`../src/targets/${name}/index.ts`).catch(() => {});
  const { precompileAll } = await import("../src/targets/templates.ts");
  const templates = precompileAll(templatesRoot);
  console.log(`codegen: start-up caches filled (${Object.keys(targets).length} targets, ${templates} templates)`);
} catch (error) {
  console.log(`codegen: start-up caches not filled (${error instanceof Error ? error.message : String(error)})`);
}
