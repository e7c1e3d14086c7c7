import { readMetadata, readVersions } from "@tka/release/src/versions.ts";
import type { Step } from "../step.ts";
import { codegenStep } from "./codegen.ts";
import { compatStep } from "./compat.ts";
import { contractStep } from "./contract.ts";

const versions = readVersions();
/** The project metadata of versions.json, with each package's folder (npm's repository.directory). */
const metadata = readMetadata();
const meta = (key: keyof typeof versions) => ({ ...metadata, directory: versions[key].path });
/** Every published package carries the repository's license. */
const copy = ["LICENSE"];

/**
 * Everything `pnpm gen` runs, in order. The contract comes first; every code generator reads the
 * staged OpenAPI documents it produced. Adding a generator is one line here. Package versions come
 * from versions.json (a target that does not take a `version` option yet ignores it).
 */
export const steps: readonly Step[] = [
  contractStep,
  // The Redocly lint of the contract is `pnpm run lint`'s (and `pnpm gen --lint`'s: cli.ts).
  // What the contract's changes since the last release mean for each SDK (prints; writes
  // nothing): in a worker thread, beside the code generators.
  compatStep,
  // Code generators (tools/codegen), one line each.
  codegenStep("hono", "packages/server/src/generated"),
  // packages/sdk-ts also holds hand-written files (tsconfigs, test/, bench/): the manifest of
  // generated files leaves them alone. Its package.json is generated (version and metadata from
  // versions.json), with this repository's scripts and development dependencies merged in.
  // The client was `TKA` before the naming layer named clients alike in every SDK (`Tka`): the
  // old name stays exported, deprecated, so code written against 2.x keeps compiling.
  codegenStep("typescript", "packages/sdk-ts", {
    target: {
      version: versions.typescript.version,
      clientAliases: ["TKA"],
      package: "manifest",
      metadata: meta("typescript"),
      packageJson: {
        scripts: {
          test: "vitest run --config test/vitest.config.ts --reporter=default --reporter=json --outputFile.json=.reports/vitest.json",
          typecheck: "tsc --noEmit -p tsconfig.json",
          bench: "node bench/overhead.ts",
          build:
            'rm -rf dist && tsc -p tsconfig.build.json && tsc -p tsconfig.build.cjs.json && echo \'{"type":"commonjs"}\' > dist/cjs/package.json',
          prepack: "pnpm run build",
        },
        devDependencies: {
          "@tka/server": "workspace:*",
          "@types/node": "22.20.5",
          esbuild: "0.28.2",
          typescript: "5.9.3",
          vitest: "5.1.1",
        },
      },
    },
    copy,
  }),
  codegenStep("python", "generated/python", {
    target: { version: versions.python.version, metadata: meta("python") },
    copy,
  }),
  codegenStep("rust", "generated/rust", { target: { version: versions.rust.version, metadata: meta("rust") }, copy }),
  // The `tka` command line, on the TypeScript SDK; its tests (test/) are hand-written.
  codegenStep("cli", "packages/cli", {
    target: {
      binName: "tka",
      packageName: versions.cli.name,
      version: versions.cli.version,
      license: "MIT",
      metadata: meta("cli"),
      // The embedded SDK introduces itself as the CLI (User-Agent `tka-cli/<version>`).
      sdk: { packageName: versions.cli.name, version: versions.cli.version },
      packageJson: {
        scripts: {
          test: "vitest run --config test/vitest.config.ts --reporter=default --reporter=json --outputFile.json=.reports/vitest.json",
        },
        devDependencies: {
          "@tka/server": "workspace:*",
          "@types/node": "22.20.5",
          typescript: "5.9.3",
          vitest: "5.1.1",
        },
      },
    },
    copy,
  }),
];
