// Generates the TypeScript, Python and Rust SDKs of one document in one process, the way a user
// generating all three would: the document is loaded and its IR built and named once, then each
// target renders and formats its files, which are written under <out>/{typescript,python,rust}.
// Used by bench/github.ts (which times it and reads its peak memory); also runnable by hand:
//   node bench/generate-all.ts <openapi.yaml|json> <out dir>
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { generateIR } from "../src/index.ts";
import { generate, type Target, targets } from "../src/targets/index.ts";

const [input, outDir] = process.argv.slice(2);
if (input === undefined || outDir === undefined) {
  console.error("usage: node bench/generate-all.ts <openapi document> <out dir>");
  process.exit(2);
}
const started = performance.now();
const ir = generateIR(resolve(input), { languages: ["typescript", "python", "rust"] });
const phases: Record<string, number> = { ir: Math.round(performance.now() - started) };
for (const name of ["typescript", "python", "rust"]) {
  const t = performance.now();
  const files = generate((targets[name] as () => Target)(), ir, { source: input });
  const out = join(outDir, name);
  rmSync(out, { recursive: true, force: true });
  for (const file of files) {
    mkdirSync(dirname(join(out, file.path)), { recursive: true });
    writeFileSync(join(out, file.path), file.content);
  }
  phases[name] = Math.round(performance.now() - t);
}
phases.total = Math.round(performance.now() - started);
console.log(JSON.stringify(phases));
