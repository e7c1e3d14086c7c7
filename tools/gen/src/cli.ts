#!/usr/bin/env node
// `pnpm gen [--check]`: regenerates every derived file from the contract, or (--check) fails when
// the committed files differ from what the contract, the templates and the generator produce.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { fastStart } from "@tka/codegen/src/startup.ts";
import { cpuMs, peakMB } from "@tka/codegen/src/usage.ts";

const { values } = parseArgs({
  options: {
    check: { type: "boolean", default: false },
    "no-cache": { type: "boolean", default: false },
    lint: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});

if (values.help) {
  console.log(
    "usage: pnpm gen [--check] [--lint] [--no-cache]\n" +
      "  --check     fail if any generated file differs from what `pnpm gen` would write\n" +
      "  --lint      lint the contract with Redocly too (otherwise `pnpm run lint` does)\n" +
      "  --no-cache  compile (and lint) the contract even when nothing they read changed",
  );
  process.exit(0);
}

// The generator's start-up caches (type-stripped sources, V8 code cache) for everything below,
// the TypeSpec compiler included.
fastStart();
if (values["no-cache"]) (await import("./cache.ts")).recomputeAll();
const { repoRoot } = await import("./paths.ts");
// The contract first: a compile it needs starts now in a worker, beside the loading below.
try {
  (await import("./steps/contract.ts")).startContract(repoRoot);
} catch {
  // reported by the contract step, which tries again
}
const { steps: all } = await import("./steps/index.ts");
// --lint: Redocly right after the contract, in the background while the generators work.
const steps = values.lint
  ? [all[0], (await import("./steps/lint.ts")).lintStep, ...all.slice(1)].flatMap((s) => (s ? [s] : []))
  : all;
const { applyDiff, describeDiff, diffTrees, isClean, stageManifests } = await import("./tree.ts");

const staging = await mkdtemp(join(tmpdir(), "tka-gen-"));
try {
  const context = (log: (line: string) => void) => ({
    root: repoRoot,
    staging,
    log,
    async write(path: string, content: string | Uint8Array) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), content);
    },
  });
  // Background steps print their lines when they end, so no step's output is interleaved.
  const background: Promise<() => void>[] = [];
  for (const step of steps) {
    const t0 = performance.now();
    if (step.background) {
      console.log(`gen: ${step.name} (in the background)`);
      const lines: string[] = [];
      const done = step.run(context((line) => lines.push(line))).then(() => {
        const took = performance.now() - t0;
        return () => {
          for (const line of lines) console.log(line);
          console.log(`gen: ${step.name} done in ${ms(took)} (in the background)`);
        };
      });
      done.catch(() => {}); // awaited below; a failing step before that must not leave it unhandled
      background.push(done);
      continue;
    }
    console.log(`gen: ${step.name}`);
    await step.run(context((line) => console.log(line)));
    console.log(`gen: ${step.name} done in ${ms(performance.now() - t0)}`);
  }
  for (const done of background) (await done)();

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
  // From the process's start, with its CPU (Redocly's included) and peak memory.
  console.log(`gen: total ${ms(performance.now())}, CPU ${ms(cpuMs())}, peak ${peakMB()} MB`);
} catch (error) {
  console.error(`gen: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await rm(staging, { recursive: true, force: true });
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}
