#!/usr/bin/env node
// `pnpm codegen --input <openapi file> --target <name> --out <dir> [--skip-unsupported]`: generates
// one target from any OpenAPI 3.0 / 3.1 / 3.2 document. Every construct the generator refuses is
// reported at once, each as `<file>#<pointer>: <reason>`, and nothing is written; with
// --skip-unsupported the refused operations and models are left out (each listed on stderr and
// in the output's README) and everything else is generated. Warnings (mistakes in the document
// that were worked around) go to stderr either way. The output folder keeps a manifest of the
// files generated there (.generated-files): a rerun deletes only files it generated before.
//
// The timing line covers the whole process (from Node's start, with its CPU time and peak memory),
// so what it says is what a user waits for. Start-up is most of a run: see startup.ts.
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { ApiIR } from "./ir/types.ts";
import { fastStart } from "./startup.ts";
import type { Target } from "./targets/types.ts";
import { cpuMs, peakMB } from "./usage.ts";

// Before anything else is imported: the modules below load through the start-up caches.
fastStart();
const { formatRefusal, GeneratorError, RefusalsError, uniqueRefusals } = await import("./errors.ts");
const { generateIR } = await import("./index.ts");
const { writeOutput } = await import("./manifest.ts");
const { generate } = await import("./targets/generate.ts");

const { values } = parseArgs({
  options: {
    input: { type: "string" },
    target: { type: "string" },
    out: { type: "string" },
    "skip-unsupported": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
  strict: true,
});

if (values.help || !values.input || !values.target || !values.out) {
  const { targets } = await import("./targets/index.ts");
  console.log(
    `usage: pnpm codegen --input <openapi.yaml|json> --target <${Object.keys(targets).join("|")}> --out <dir> [--skip-unsupported]`,
  );
  process.exit(values.help ? 0 : 2);
}
const make = await targetFactory(values.target);
if (make === undefined) {
  const { targets } = await import("./targets/index.ts");
  console.error(`codegen: unknown target "${values.target}" (known: ${Object.keys(targets).join(", ")})`);
  process.exit(2);
}
const skipUnsupported = values["skip-unsupported"] === true;

try {
  const target = make();
  // Refusals are collected in every case, so a run without the option reports all of them.
  const t0 = performance.now();
  const ir = generateIR(resolve(values.input), { languages: [target.language], skipUnsupported: true });
  for (const w of ir.warnings) console.error(`codegen: warning: ${w.file}#${w.pointer}: ${w.message}`);
  const t1 = performance.now();
  let skipped: ApiIR["skipped"] = [];
  const files = generate(target, ir, {
    source: relative(process.cwd(), resolve(values.input)),
    skipUnsupported,
    onSkipped: (items) => {
      skipped = items;
    },
  });
  const t2 = performance.now();
  const out = resolve(values.out);
  const written = writeOutput(out, files);
  for (const s of skipped) console.error(`codegen: skipped ${s.kind} ${s.label}: ${formatRefusal(s.because)}`);
  console.log(
    `codegen: ${target.name}: ${files.length} files in ${relative(process.cwd(), out) || "."} ` +
      (skipped.length > 0 ? `(${skipped.length} skipped, listed in the README) ` : "") +
      `(${written.added.length} added, ${written.changed.length} changed, ${written.removed.length} removed; ` +
      `start-up ${Math.round(t0)} ms, IR ${Math.round(t1 - t0)} ms, render ${Math.round(t2 - t1)} ms, ` +
      `total ${Math.round(performance.now())} ms, CPU ${Math.round(cpuMs())} ms, peak ${peakMB()} MB)`,
  );
} catch (error) {
  if (error instanceof RefusalsError) {
    const n = error.refusals.length;
    console.error(`codegen: ${n} construct${n === 1 ? " is" : "s are"} not supported; nothing was written:`);
    for (const r of uniqueRefusals(error.refusals.map((because) => ({ because })))) {
      console.error(`codegen: ${formatRefusal(r)}`);
    }
    console.error("codegen: --skip-unsupported generates everything else and lists what it left out.");
    process.exit(1);
  }
  if (error instanceof GeneratorError) {
    console.error(`codegen: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

/**
 * The target's factory, loading only its own modules (targets/<name>/index.ts exporting
 * `<name>Target`): the others' are a third of the sources a cold run strips. A target laid out
 * otherwise is found in the registry (targets/index.ts, which loads them all).
 */
async function targetFactory(name: string): Promise<(() => Target) | undefined> {
  if (/^[a-z][a-z0-9]*$/.test(name)) {
    try {
      const module = (await import(`./targets/${name}/index.ts`)) as Record<string, unknown>;
      const factory = module[`${name}Target`];
      if (typeof factory === "function") return () => (factory as () => Target)();
    } catch {
      // not laid out that way: the registry decides
    }
  }
  const { targets } = await import("./targets/index.ts");
  const make = targets[name];
  return make === undefined ? undefined : () => make();
}
