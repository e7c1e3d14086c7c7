import { join } from "node:path";
import { generate, generateIR, type Target, targets } from "@tka/codegen/src/api.ts";
import { openapiOutDir } from "../paths.ts";
import type { Step } from "../step.ts";

/** A code generator step: one target of tools/codegen over the staged OpenAPI 3.2 document. */
export function codegenStep(target: string, out: string, keep: readonly string[] = []): Step {
  return {
    name: `codegen ${target} -> ${out}`,
    outputs: [out],
    keep: keep.map((k) => `${out}/${k}`),
    async run({ staging, write, log }) {
      const make = targets[target] as (() => Target) | undefined;
      if (make === undefined) throw new Error(`unknown codegen target ${target}`);
      const t = make();
      const input = join(staging, openapiOutDir, "openapi.3.2.yaml");
      const ir = generateIR(input, { languages: [t.language] });
      const files = generate(t, ir, { source: `${openapiOutDir}/openapi.3.2.yaml` });
      for (const file of files) await write(join(out, file.path), file.content);
      log(`  ${files.length} files`);
    },
  };
}
