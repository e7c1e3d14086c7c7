// Generation time of every target, for this project's spec and for the largest corpus document.
// Each phase is timed separately (load + IR + naming once per language set, then each target's
// render + format), as the median of several runs after a warm-up; a target that refuses a
// document records the refusal instead. Not a timed test: it prints and records figures.
// Run: `node bench/generate.ts` in tools/codegen (results in bench/results/generate.json).
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GeneratorError } from "../src/errors.ts";
import { generateIR } from "../src/index.ts";
import { generate, type Target, targets } from "../src/targets/index.ts";

const root = join(import.meta.dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const corpus = readdirSync(join(root, "corpus"))
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .map((f) => join(root, "corpus", f));
const largest = corpus.reduce((a, b) => (statSync(b).size > statSync(a).size ? b : a));
const documents: Array<[string, string]> = [
  ["tka spec (openapi.3.2.yaml)", join(root, "../../generated/openapi/openapi.3.2.yaml")],
  [`largest corpus document (${largest.slice(root.length + 1)})`, largest],
];

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] as number) * 10) / 10;
}

function time(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

const results: Record<string, unknown> = {};
for (const [label, path] of documents) {
  const front: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const ms = time(() => generateIR(path));
    if (i > 0) front.push(ms);
  }
  const perTarget: Record<string, { ms: number; files: number } | { refused: string }> = {};
  let total = median(front);
  for (const name of Object.keys(targets)) {
    const make = targets[name] as () => Target;
    const ir = generateIR(path, { languages: [make().language] });
    const samples: number[] = [];
    let files = 0;
    try {
      for (let i = 0; i <= RUNS; i++) {
        const ms = time(() => {
          files = generate(make(), ir, { source: "bench" }).length;
        });
        if (i > 0) samples.push(ms);
      }
      perTarget[name] = { ms: median(samples), files };
      total += median(samples);
    } catch (error) {
      if (!(error instanceof GeneratorError)) throw error;
      perTarget[name] = { refused: error.message };
    }
  }
  results[label] = {
    load_ir_naming_ms: median(front),
    targets: perTarget,
    all_targets_total_ms: Math.round(total * 10) / 10,
  };
  console.log(`${label}: load + IR + naming ${median(front)} ms`);
  for (const [name, r] of Object.entries(perTarget)) {
    console.log(`  ${name.padEnd(10)} ${"ms" in r ? `${r.ms} ms (${r.files} files)` : `refused: ${r.refused}`}`);
  }
  console.log(`  total      ${Math.round(total * 10) / 10} ms`);
}

writeFileSync(
  join(import.meta.dirname, "results", "generate.json"),
  `${JSON.stringify(
    {
      benchmark: "code generation per target (median of runs after a warm-up; render includes formatting)",
      date: new Date().toISOString(),
      runs: RUNS,
      node: process.version,
      documents: results,
    },
    null,
    2,
  )}\n`,
);
