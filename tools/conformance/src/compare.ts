// Compares a decoded answer with what the mock sent, with spector's own match engine (its
// matchers accept equivalent forms, e.g. any RFC 3339 text of the same instant).
import { matchValues } from "@typespec/spec-api";
import type { Body, ResolverConfig } from "./derive.ts";

export { generateIR } from "@tka/codegen/src/api.ts";

/** Null when the decoded value matches; else the mismatch. */
export function matchValuesSafe(actual: unknown, expected: unknown, body: Body, config: ResolverConfig): string | null {
  if (body.kind === "binary") {
    const got =
      actual && typeof actual === "object" && "$binary" in actual ? (actual as { $binary: string }).$binary : actual;
    return got === body.value ? null : "the bytes differ";
  }
  if (body.kind === "text") return actual === body.value ? null : `got ${JSON.stringify(actual)?.slice(0, 200)}`;
  const r = matchValues(actual, expected, "$", config) as { pass: boolean; message?: string };
  return r.pass ? null : (r.message ?? "differs").slice(0, 400);
}
