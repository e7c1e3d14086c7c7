#!/usr/bin/env node
// `pnpm codegen --input <openapi file> --target <name> --out <dir>`: generates one target from
// any OpenAPI 3.0 / 3.1 / 3.2 document. An unsupported construct stops it with the JSON pointer
// of the schema and the reason; nothing is written then. The output folder keeps a manifest of
// the files generated there (.generated-files): a rerun deletes only files it generated before.
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { GeneratorError } from "./errors.ts";
import { generateIR } from "./index.ts";
import { writeOutput } from "./manifest.ts";
import { generate, targets } from "./targets/index.ts";

const { values } = parseArgs({
  options: {
    input: { type: "string" },
    target: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
  strict: true,
});

if (values.help || !values.input || !values.target || !values.out) {
  console.log(
    `usage: pnpm codegen --input <openapi.yaml|json> --target <${Object.keys(targets).join("|")}> --out <dir>`,
  );
  process.exit(values.help ? 0 : 2);
}
const make = targets[values.target];
if (make === undefined) {
  console.error(`codegen: unknown target "${values.target}" (known: ${Object.keys(targets).join(", ")})`);
  process.exit(2);
}

const started = performance.now();
try {
  const target = make();
  const ir = generateIR(resolve(values.input), { languages: [target.language] });
  const t1 = performance.now();
  const files = generate(target, ir, { source: relative(process.cwd(), resolve(values.input)) });
  const t2 = performance.now();
  const out = resolve(values.out);
  const written = writeOutput(out, files);
  console.log(
    `codegen: ${target.name}: ${files.length} files in ${relative(process.cwd(), out) || "."} ` +
      `(${written.added.length} added, ${written.changed.length} changed, ${written.removed.length} removed; ` +
      `IR ${Math.round(t1 - started)} ms, render ${Math.round(t2 - t1)} ms, total ${Math.round(performance.now() - started)} ms)`,
  );
} catch (error) {
  if (error instanceof GeneratorError) {
    console.error(`codegen: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
