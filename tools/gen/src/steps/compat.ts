import { join } from "node:path";
import { LANGUAGES } from "@tka/release/src/compat/compare.ts";
import { formatReport } from "@tka/release/src/compat/report.ts";
import { compatibility } from "@tka/release/src/released.ts";
import { readVersions } from "@tka/release/src/versions.ts";
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
  async run({ staging, log }) {
    const versions = readVersions();
    const next = Object.fromEntries(LANGUAGES.map((l) => [l, versions[l].version])) as Record<
      (typeof LANGUAGES)[number],
      string
    >;
    const { release, checks, report } = compatibility(join(staging, openapiOutDir, "openapi.3.2.yaml"), next);
    log(`  since the release of ${release.date} (${release.commit}), per SDK:`);
    for (const line of formatReport(report, checks)) log(line);
  },
};
