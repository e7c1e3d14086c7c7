#!/usr/bin/env node
// `pnpm release --dry-run [--out <dir>] [--no-gen-check]`: builds, packs and verifies every
// package and checks the versions against the changes since the last release; publishing is not
// automated. `pnpm release --record`: after publishing, records this contract and these versions
// as the last release (tools/release/released/), which the breaking-change report compares with.
import { execFileSync } from "node:child_process";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { dryRun } from "./dry-run.ts";
import { releasedDir } from "./released.ts";
import { readVersions, repoRoot } from "./versions.ts";

const usage = `usage: pnpm release --dry-run [--out <dir>] [--no-gen-check] [--no-build]
       pnpm release --record

  --dry-run       build, pack and verify the TypeScript and Python SDKs, the Rust crate and the CLI;
                  check versions.json against the packages and the changes since the last release
  --out <dir>     keep the artifacts there (default: a temporary folder, removed)
  --no-gen-check  skip \`pnpm gen --check\` (the test command runs it as its own step)
  --no-build      pack the TypeScript packages as built (the test command's turbo builds them)
  --record        after publishing: record the current contract and versions as the last release`;

const { values } = parseArgs({
  options: {
    "dry-run": { type: "boolean" },
    out: { type: "string" },
    "gen-check": { type: "boolean", default: true },
    build: { type: "boolean", default: true },
    record: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
  allowNegative: true,
  strict: true,
});

if (values.help || (!values["dry-run"] && !values.record)) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}

if (values.record) {
  const versions = readVersions();
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
  copyFileSync(join(repoRoot, "generated/openapi/openapi.3.2.yaml"), join(releasedDir, "openapi.3.2.yaml"));
  const record = {
    date: new Date().toISOString().slice(0, 10),
    commit,
    versions: Object.fromEntries(Object.entries(versions).map(([k, v]) => [k, v.version])),
  };
  writeFileSync(join(releasedDir, "release.json"), `${JSON.stringify(record, null, 2)}\n`);
  console.log(
    `release: recorded ${commit} as the last release (${Object.entries(record.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")})`,
  );
  process.exit(0);
}

const ok = await dryRun({
  ...(values.out === undefined ? {} : { out: values.out }),
  genCheck: values["gen-check"] !== false,
  build: values.build !== false,
});
process.exitCode = ok ? 0 : 1;
