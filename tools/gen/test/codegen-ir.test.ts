// pnpm gen builds the contract's IR once, named for every language, and renders every target
// from it (steps/codegen.ts): that must give each target the files its own IR gives, and no
// target may change the IR the next one reads (it is frozen here, so a write would throw).
import { join } from "node:path";
import { generate, generateIR, targets } from "@tka/codegen/src/api.ts";
import { LANGUAGES } from "@tka/codegen/src/index.ts";
import { describe, expect, it } from "vitest";

const spec = join(import.meta.dirname, "../../../generated/openapi/openapi.3.2.yaml");

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

describe("one IR for every codegen step", () => {
  it("renders each target as its own IR does, without changing the IR", () => {
    const shared = deepFreeze(generateIR(spec, { languages: LANGUAGES }));
    for (const name of ["hono", "typescript", "python", "rust", "cli"]) {
      const target = (targets[name] as () => ReturnType<(typeof targets)[string]>)();
      const own = generateIR(spec, { languages: [target.language] });
      expect(generate(target, shared, { source: "x" }), name).toEqual(generate(target, own, { source: "x" }));
    }
  }, 120_000);
});
