#!/usr/bin/env node
// `pnpm gen [--check]`: regenerates every derived file from the contract, or (--check) fails when
// the committed files differ from what the contract, the templates and the generator produce.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "./paths.ts";
import { steps } from "./steps/index.ts";
import { applyDiff, describeDiff, diffTrees, isClean, stageManifests } from "./tree.ts";

const { values } = parseArgs({
  options: { check: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
  strict: true,
});

if (values.help) {
  console.log(
    "usage: pnpm gen [--check]\n  --check  fail if any generated file differs from what `pnpm gen` would write",
  );
  process.exit(0);
}

const started = performance.now();
const staging = await mkdtemp(join(tmpdir(), "tka-gen-"));
try {
  for (const step of steps) {
    const t0 = performance.now();
    console.log(`gen: ${step.name}`);
    await step.run({
      root: repoRoot,
      staging,
      log: (line) => console.log(line),
      async write(path, content) {
        await mkdir(dirname(join(staging, path)), { recursive: true });
        await writeFile(join(staging, path), content);
      },
    });
    console.log(`gen: ${step.name} done in ${ms(performance.now() - t0)}`);
  }

  const owned = steps.flatMap((s) => s.outputs);
  await stageManifests(staging, owned);
  const diff = await diffTrees(staging, repoRoot, owned);
  if (values.check) {
    if (!isClean(diff)) {
      console.error("gen --check: generated files differ from the contract. Run `pnpm gen` and commit.");
      for (const p of diff.added) console.error(`  missing   ${p}`);
      for (const p of diff.changed) console.error(`  differs   ${p}`);
      for (const p of diff.removed) console.error(`  stale     ${p} (generated before, no longer)`);
      process.exitCode = 1;
    } else {
      console.log(`gen --check: ${owned.join(", ")} up to date`);
    }
  } else {
    await applyDiff(staging, repoRoot, diff);
    if (isClean(diff)) console.log("gen: no changes");
    else {
      console.log(`gen: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed`);
      for (const line of describeDiff(diff)) console.log(line);
    }
  }
  console.log(`gen: total ${ms(performance.now() - started)}`);
} catch (error) {
  console.error(`gen: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await rm(staging, { recursive: true, force: true });
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}
