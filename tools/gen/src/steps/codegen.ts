import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { generate, generateIR, type Target, targets } from "@tka/codegen/src/api.ts";
import { LANGUAGES } from "@tka/codegen/src/index.ts";
import { openapiOutDir } from "../paths.ts";
import type { Step } from "../step.ts";

export interface CodegenStepOptions {
  /** Options of the target (for example the CLI's package and SDK names). */
  target?: Record<string, unknown>;
  /** Repository files copied as they are into the output folder (the LICENSE of a package). */
  copy?: readonly string[];
}

/**
 * The document's IR, named for every language, built once for all the codegen steps (each target
 * reads only its own language's names; no target changes the IR: test/codegen-ir.test.ts).
 */
let built: { input: string; ir: ReturnType<typeof generateIR> } | undefined;
function namedIR(input: string): ReturnType<typeof generateIR> {
  if (built?.input !== input) built = { input, ir: generateIR(input, { languages: LANGUAGES }) };
  return built.ir;
}

/** A code generator step: one target of tools/codegen over the staged OpenAPI 3.2 document. */
export function codegenStep(target: string, out: string, options: CodegenStepOptions = {}): Step {
  return {
    name: `codegen ${target} -> ${out}`,
    outputs: [out],
    async run({ root, staging, write, log }) {
      const make = targets[target];
      if (make === undefined) throw new Error(`unknown codegen target ${target}`);
      const t: Target = make(options.target);
      const input = join(staging, openapiOutDir, "openapi.3.2.yaml");
      const ir = namedIR(input);
      const files = generate(t, ir, { source: `${openapiOutDir}/openapi.3.2.yaml` });
      for (const file of files) await write(join(out, file.path), file.content);
      for (const path of options.copy ?? []) await write(join(out, path), await readFile(join(root, path)));
      log(`  ${files.length + (options.copy?.length ?? 0)} files`);
    },
  };
}
