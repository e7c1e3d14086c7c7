#!/usr/bin/env node
// `pnpm codegen --input <openapi file> --target <name> --out <dir>`: generates one target from
// any OpenAPI 3.0 / 3.1 / 3.2 document. An unsupported construct stops it with the JSON pointer
// of the schema and the reason; nothing is written then.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { GeneratorError } from "./errors.ts";
import { generateIR } from "./index.ts";
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
  rmSync(out, { recursive: true, force: true });
  for (const file of files) {
    mkdirSync(dirname(join(out, file.path)), { recursive: true });
    writeFileSync(join(out, file.path), file.content);
  }
  console.log(
    `codegen: ${target.name}: ${files.length} files in ${relative(process.cwd(), out) || "."} ` +
      `(IR ${Math.round(t1 - started)} ms, render ${Math.round(t2 - t1)} ms, total ${Math.round(performance.now() - started)} ms)`,
  );
} catch (error) {
  if (error instanceof GeneratorError) {
    console.error(`codegen: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
