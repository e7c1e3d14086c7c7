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
  codegenStep("typescript", "packages/sdk-ts", [
    "package.json",
    "tsconfig.json",
    "tsconfig.build.json",
    "tsconfig.build.cjs.json",
    "turbo.json",
    "test/",
    "bench/",
  ]),
  codegenStep("python", "generated/python"),
  codegenStep("rust", "generated/rust"),
];
