import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LANGUAGES } from "@tka/release/src/compat/compare.ts";
import { formatReport } from "@tka/release/src/compat/report.ts";
import { compatibility } from "@tka/release/src/released.ts";
import { readVersions } from "@tka/release/src/versions.ts";
import { cached, InputHash, keep } from "../cache.ts";
import { openapiOutDir } from "../paths.ts";
import type { Step } from "../step.ts";

/**
 * The breaking-change report: the staged contract against the last release
 * (tools/release/released/), per SDK language. It never fails `pnpm gen`; `pnpm release
 * --dry-run` fails when a breaking change comes without a major version bump.
 */
export const compatStep: Step = {
  name: "compatibility with the last release",
  outputs: [],
  async run({ root, staging, log }) {
    const versions = readVersions();
    const next = Object.fromEntries(LANGUAGES.map((l) => [l, versions[l].version])) as Record<
      (typeof LANGUAGES)[number],
      string
    >;
    const contract = join(staging, openapiOutDir, "openapi.3.2.yaml");
    // The report depends on the contract, the release record, the next versions and the code
    // that builds and compares the IRs: the same inputs print the same report (cache.ts).
    const key = new InputHash()
      .add("contract", readFileSync(contract))
      .add("next", JSON.stringify(next))
      .addFolder(root, "tools/release/released")
      .addFolder(root, "tools/release/src")
      .addFolder(root, "tools/codegen/src")
      .digest();
    let lines = cached<string[]>("compat", key);
    if (lines === undefined) {
      const { release, checks, report } = compatibility(contract, next);
      lines = [`  since the release of ${release.date} (${release.commit}), per SDK:`, ...formatReport(report, checks)];
      keep("compat", key, lines);
    }
    for (const line of lines) log(line);
  },
};
