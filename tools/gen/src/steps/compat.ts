import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { LANGUAGES } from "@tka/release/src/compat/compare.ts";
import { readVersions } from "@tka/release/src/versions.ts";
import { cached, InputHash, keep } from "../cache.ts";
import { openapiOutDir } from "../paths.ts";
import type { Step } from "../step.ts";

/**
 * The breaking-change report: the staged contract against the last release
 * (tools/release/released/), per SDK language. It never fails `pnpm gen`; `pnpm release
 * --dry-run` fails when a breaking change comes without a major version bump. Worked out in a
 * worker thread, in the background while the code generators run (compat-worker.ts).
 */
export const compatStep: Step = {
  name: "compatibility with the last release",
  outputs: [],
  background: true,
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
      lines = await inWorker(contract, next);
      keep("compat", key, lines);
    }
    for (const line of lines) log(line);
  },
};

function inWorker(contract: string, next: Record<string, string>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./compat-worker.ts", import.meta.url), { workerData: { contract, next } });
    let lines: string[] | undefined;
    worker.on("message", (message: string[]) => {
      lines = message;
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (lines !== undefined) resolve(lines);
      else reject(new Error(`the compatibility report's worker ended (exit code ${code}) without a report`));
    });
  });
}
