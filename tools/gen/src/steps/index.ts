import type { Step } from "../step.ts";
import { codegenStep } from "./codegen.ts";
import { contractStep } from "./contract.ts";
import { lintStep } from "./lint.ts";

/**
 * Everything `pnpm gen` runs, in order. The contract comes first; every code generator reads the
 * staged OpenAPI documents it produced. Adding a generator is one line here.
 */
export const steps: readonly Step[] = [
  contractStep,
  lintStep,
  // Code generators (tools/codegen), one line each.
  codegenStep("hono", "packages/server/src/generated"),
  // packages/sdk-ts also holds hand-written files (package.json, tsconfigs, test/, bench/): the
  // manifest of generated files leaves them alone.
  codegenStep("typescript", "packages/sdk-ts"),
  codegenStep("python", "generated/python"),
  codegenStep("rust", "generated/rust"),
];
