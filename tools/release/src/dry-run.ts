// `pnpm release --dry-run`: everything a release does short of publishing. It checks that every
// package carries its version from versions.json, its LICENSE and CHANGELOG, that the contract's
// changes since the last release fit the versions, then builds, packs and verifies each package
// (the npm packages through their prepack script, as a publish builds them)
// the way its registry will see it: the TypeScript SDK and the CLI with npm pack + publint +
// @arethetypeswrong/cli (the CLI also installed from its tarball and run), the Python SDK with
// python -m build + twine check --strict, the Rust crate with cargo package (verified: the packaged
// crate is built). A warning from any of
// them fails the run. Every check runs even when another failed; artifacts go to a temporary
// folder (or --out).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { checkChangelog } from "./changelog.ts";
import { LANGUAGES } from "./compat/compare.ts";
import { formatReport } from "./compat/report.ts";
import { exec, MissingToolError, run } from "./exec.ts";
import { metadataProblems } from "./metadata.ts";
import { compatibility } from "./released.ts";
import { checkSourceMaps } from "./sourcemaps.ts";
import { type PackageKey, type PackageVersion, readMetadata, readVersions, repoRoot } from "./versions.ts";

export interface DryRunOptions {
  root?: string;
  /** Where the artifacts go (default: a temporary folder, removed at the end). */
  out?: string;
  /** Skip `pnpm gen --check` (the test command runs it as its own step). */
  genCheck?: boolean;
  /** Pack the TypeScript packages as built (turbo's build tasks built them); default: build first. */
  build?: boolean;
  log?: (line: string) => void;
}

interface Task {
  name: string;
  run(): Promise<string[]>;
}

export async function dryRun(options: DryRunOptions = {}): Promise<boolean> {
  const root = options.root ?? repoRoot;
  const log = options.log ?? ((line: string) => console.log(line));
  const out = options.out ?? mkdtempSync(join(tmpdir(), "tka-release-"));
  mkdirSync(out, { recursive: true });
  const versions = readVersions(root);
  const node = process.execPath;
  // The checkers are this package's devDependencies.
  const tool = (pkg: string, bin: string) => join(import.meta.dirname, "..", "node_modules", pkg, bin);

  const tasks: Task[] = [];
  if (options.genCheck !== false) {
    tasks.push({
      name: "generated files match the contract (pnpm gen --check)",
      async run() {
        await run(node, [join(root, "tools/gen/src/cli.ts"), "--check"], { cwd: root });
        return [];
      },
    });
  }
  tasks.push(
    {
      name: "versions (versions.json) in every package",
      async run() {
        const problems = versionProblems(root, versions);
        if (problems.length > 0) throw new Error(problems.join("\n"));
        return [
          Object.entries(versions)
            .map(([k, v]) => `${k} ${v.name}@${v.version}`)
            .join(", "),
        ];
      },
    },
    {
      name: "project metadata (versions.json) in every package",
      async run() {
        const { problems, unset } = metadataProblems(root, versions, readMetadata(root));
        if (problems.length > 0) throw new Error(problems.join("\n"));
        return unset.length === 0 ? [] : [`not set in versions.json, so in no package: ${unset.join(", ")}`];
      },
    },
    {
      name: "LICENSE and CHANGELOG.md in every package",
      async run() {
        const problems = fileProblems(root, versions);
        if (problems.length > 0) throw new Error(problems.join("\n"));
        return [];
      },
    },
    {
      name: "contract changes since the last release fit the versions",
      async run() {
        const next = Object.fromEntries(LANGUAGES.map((l) => [l, versions[l].version])) as Record<
          (typeof LANGUAGES)[number],
          string
        >;
        const { release, report, checks } = compatibility(join(root, "generated/openapi/openapi.3.2.yaml"), next);
        const lines = [`since the release of ${release.date} (${release.commit}):`, ...formatReport(report, checks)];
        const problems = checks.filter((c) => c.problem !== undefined);
        if (problems.length > 0)
          throw new Error([...lines, ...problems.map((c) => `${c.lang}: ${c.problem}`)].join("\n"));
        return lines;
      },
    },
    {
      name: `TypeScript SDK (${versions.typescript.name}): build, npm pack, publint, arethetypeswrong`,
      run: () => npmPackage(root, versions.typescript, out, { types: true }),
    },
    {
      name: `CLI (${versions.cli.name}): build, npm pack, publint, install from the tarball and run`,
      run: async () => {
        const lines = await npmPackage(root, versions.cli, out, { types: false });
        lines.push(await smokeInstall(out, versions.cli));
        return lines;
      },
    },
    {
      name: `Python SDK (${versions.python.name}): python -m build, twine check --strict`,
      run: () => pythonPackage(root, versions.python, out),
    },
    {
      name: `Rust SDK (${versions.rust.name}): cargo package, verified`,
      run: () => rustPackage(root, versions.rust, out),
    },
  );

  async function npmPackage(root: string, pkg: PackageVersion, out: string, o: { types: boolean }): Promise<string[]> {
    const dir = join(root, pkg.path);
    // A publish packs what `prepack` builds: without it a pack of a fresh clone ships no dist.
    const scripts = (
      JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { scripts?: Record<string, string> }
    ).scripts;
    if (!/\bbuild\b/.test(scripts?.prepack ?? scripts?.prepublishOnly ?? ""))
      throw new Error(`${pkg.path}/package.json has no prepack (or prepublishOnly) script that builds`);
    // Built by its prepack, as a publish does; with --no-build as turbo built it (scripts off).
    if (options.build === false && !existsSync(join(dir, "dist")))
      throw new Error(`${pkg.path}/dist is missing: build it first (pnpm -F ${pkg.name} build)`);
    const packed = await run("pnpm", ["pack", "--pack-destination", out], {
      cwd: dir,
      ...(options.build === false ? { env: { ...process.env, npm_config_ignore_scripts: "true" } } : {}),
    });
    if (!existsSync(join(dir, "dist"))) throw new Error(`${pkg.path}: pnpm pack built no dist (its prepack)`);
    const tarball = packed.stdout
      .trim()
      .split("\n")
      .filter((l) => l.endsWith(".tgz"))
      .pop();
    if (tarball === undefined || !existsSync(tarball)) throw new Error(`pnpm pack named no tarball:\n${packed.stdout}`);
    const files = (await run("tar", ["tzf", tarball], { cwd: out })).stdout.trim().split("\n");
    for (const required of ["package/package.json", "package/README.md", "package/LICENSE"]) {
      if (!files.includes(required)) throw new Error(`${basename(tarball)} lacks ${required.slice("package/".length)}`);
    }
    const publint = await run(node, [tool("publint", "src/cli.js"), "run", tarball, "--strict"], { cwd: out });
    if (!/All good!/.test(publint.stdout)) throw new Error(`publint:\n${publint.stdout}${publint.stderr}`);
    const lines = [`${basename(tarball)}: ${kb(statSync(tarball).size)}, ${files.length} files; publint: all good`];
    lines.push(await sourceMaps(tarball));
    if (o.types) {
      const attw = await exec(node, [tool("@arethetypeswrong/cli", "dist/index.js"), tarball, "--format", "ascii"], {
        cwd: out,
      });
      if (attw.code !== 0 || !/No problems found/.test(attw.stdout))
        throw new Error(`arethetypeswrong:\n${attw.stdout}${attw.stderr}`);
      lines.push("arethetypeswrong: no problems (node10, node16 CJS and ESM, bundler)");
    }
    return lines;
  }

  /** Unpacks the tarball and checks that its source maps resolve (sourcemaps.ts). */
  async function sourceMaps(tarball: string): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), "tka-release-maps-"));
    try {
      await run("tar", ["xzf", tarball, "-C", dir], { cwd: dir });
      const report = checkSourceMaps(join(dir, "package"));
      if (report.problems.length > 0)
        throw new Error(
          `${basename(tarball)}: ${report.problems.length} source map references do not resolve:\n${report.problems.slice(0, 10).join("\n")}`,
        );
      return report.maps === 0
        ? "source maps: none shipped"
        : `source maps: ${report.maps}, every source resolves (${report.shipped} shipped, ${report.inlined} inlined)`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async function smokeInstall(out: string, pkg: PackageVersion): Promise<string> {
    const tarball = join(out, `${pkg.name}-${pkg.version}.tgz`);
    const prefix = mkdtempSync(join(tmpdir(), "tka-release-install-"));
    try {
      // No runtime dependencies: the install needs no registry.
      await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, tarball], {
        cwd: prefix,
      });
      const bin = join(prefix, "node_modules", ".bin", "tka");
      const version = (await run(bin, ["--version"], { cwd: prefix })).stdout.trim();
      if (!version.startsWith(`tka ${pkg.version} `))
        throw new Error(`the installed tka says "${version}", not ${pkg.version}`);
      return `installed from the tarball: \`tka --version\` says "${version}"`;
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  }

  async function pythonPackage(root: string, pkg: PackageVersion, out: string): Promise<string[]> {
    const python = join(root, ".venv", "bin", "python");
    if (!existsSync(python))
      throw new MissingToolError("the Python virtualenv (.venv) is missing: run tools/scripts/python-env.sh");
    // Built from a copy: nothing the build leaves behind lands in the repository.
    const copy = mkdtempSync(join(tmpdir(), "tka-release-python-"));
    try {
      cpSync(join(root, pkg.path), copy, { recursive: true });
      const built = await run(python, ["-m", "build", "--no-isolation", "--outdir", out, copy], { cwd: copy });
      const warnings = `${built.stdout}\n${built.stderr}`.split("\n").filter((l) => /warn/i.test(l));
      if (warnings.length > 0) throw new Error(`python -m build warned:\n${warnings.join("\n")}`);
      const stem = pkg.name.replace(/-/g, "_");
      const artifacts = [`${stem}-${pkg.version}-py3-none-any.whl`, `${stem}-${pkg.version}.tar.gz`].map((f) =>
        join(out, f),
      );
      for (const a of artifacts) if (!existsSync(a)) throw new Error(`python -m build made no ${basename(a)}`);
      const twine = await run(join(root, ".venv", "bin", "twine"), ["check", "--strict", ...artifacts], { cwd: out });
      if (/WARNING|ERROR/.test(twine.stdout + twine.stderr))
        throw new Error(`twine check:\n${twine.stdout}${twine.stderr}`);
      const wheel = (await run(python, ["-m", "zipfile", "-l", artifacts[0] as string], { cwd: out })).stdout;
      for (const needed of ["licenses/LICENSE", "py.typed"]) {
        if (!wheel.includes(needed)) throw new Error(`${basename(artifacts[0] as string)} lacks ${needed}`);
      }
      return artifacts.map((a) => `${basename(a)}: ${kb(statSync(a).size)}`).concat("twine check --strict: passed");
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }

  async function rustPackage(root: string, pkg: PackageVersion, out: string): Promise<string[]> {
    const copy = mkdtempSync(join(tmpdir(), "tka-release-rust-"));
    try {
      cpSync(join(root, pkg.path), copy, { recursive: true });
      // Verified as a registry would: the packaged crate is built on its own (a file missing from
      // the package fails here). With the e2e crate's lock file (the same dependencies, nothing
      // resolved anew) and the Rust build directory the other checks share (they compile once).
      const lock = join(root, "tests/e2e/rust/Cargo.lock");
      if (existsSync(lock)) cpSync(lock, join(copy, "Cargo.lock"));
      const target = join(root, "templates/rust/target");
      const env = { ...process.env, CARGO_TARGET_DIR: target, CARGO_TERM_COLOR: "never" };
      const packed = await run("cargo", ["package", "--allow-dirty"], { cwd: copy, env });
      const warnings = packed.stderr.split("\n").filter((l) => /^warning:/.test(l));
      if (warnings.length > 0) throw new Error(`cargo package warned:\n${warnings.join("\n")}`);
      const crate = join(target, "package", `${pkg.name}-${pkg.version}.crate`);
      if (!existsSync(crate)) throw new Error(`cargo package made no ${basename(crate)}`);
      cpSync(crate, join(out, basename(crate)));
      const listed = (await run("cargo", ["package", "--allow-dirty", "--list"], { cwd: copy, env })).stdout.split(
        "\n",
      );
      if (!listed.includes("LICENSE")) throw new Error(`${basename(crate)} lacks LICENSE`);
      return [`${basename(crate)}: ${kb(statSync(crate).size)}, ${listed.filter(Boolean).length} files`];
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }

  const started = performance.now();
  const failed: string[] = [];
  for (const task of tasks) {
    const t0 = performance.now();
    try {
      const lines = await task.run();
      log(`release: ok      ${task.name} (${seconds(performance.now() - t0)})`);
      for (const line of lines) log(`  ${line}`);
    } catch (error) {
      failed.push(task.name);
      const message = error instanceof Error ? error.message : String(error);
      log(`release: FAILED  ${task.name} (${seconds(performance.now() - t0)})`);
      for (const line of message.split("\n")) log(`  ${line}`);
    }
  }
  log(
    `release --dry-run: ${tasks.length - failed.length} of ${tasks.length} checks passed in ${seconds(performance.now() - started)}` +
      (options.out === undefined ? "" : `; artifacts in ${out}`),
  );
  if (options.out === undefined) rmSync(out, { recursive: true, force: true });
  return failed.length === 0;
}

/** Where a package's files do not carry the version versions.json gives it. */
export function versionProblems(root: string, versions: Record<PackageKey, PackageVersion>): string[] {
  const problems: string[] = [];
  const expect = (key: PackageKey, file: string, pattern: (v: string) => RegExp, what: string) => {
    const path = join(root, versions[key].path, file);
    const text = existsSync(path) ? readFileSync(path, "utf8") : "";
    if (!pattern(escapeRegExp(versions[key].version)).test(text)) {
      problems.push(`${versions[key].path}/${file}: ${what} is not ${versions[key].version} (versions.json)`);
    }
  };
  for (const key of ["typescript", "cli"] as const) {
    expect(key, "package.json", (v) => new RegExp(`^\\s*"version": "${v}"`, "m"), "the version");
  }
  expect("typescript", "src/client.ts", (v) => new RegExp(`sdkVersion: "${v}"`), "the User-Agent version");
  expect("python", "pyproject.toml", (v) => new RegExp(`^version = "${v}"`, "m"), "the version");
  expect("python", "tka/__init__.py", (v) => new RegExp(`^__version__ = "${v}"`, "m"), "__version__");
  expect("rust", "Cargo.toml", (v) => new RegExp(`^version = "${v}"`, "m"), "the version");
  for (const key of ["typescript", "python", "rust", "cli"] as const) {
    const manifest = { typescript: "package.json", cli: "package.json", python: "pyproject.toml", rust: "Cargo.toml" }[
      key
    ];
    const text = readFileSync(join(root, versions[key].path, manifest), "utf8");
    if (!text.includes(`"${versions[key].name}"`)) {
      problems.push(`${versions[key].path}/${manifest}: the name is not ${versions[key].name} (versions.json)`);
    }
  }
  return problems;
}

/** Missing or stale LICENSE copies, and changelogs that are missing or off the format. */
export function fileProblems(root: string, versions: Record<PackageKey, PackageVersion>): string[] {
  const problems: string[] = [];
  const license = readFileSync(join(root, "LICENSE"), "utf8");
  for (const pkg of Object.values(versions)) {
    const path = join(root, pkg.path, "LICENSE");
    if (!existsSync(path)) problems.push(`${pkg.path}/LICENSE is missing (pnpm gen copies it)`);
    else if (readFileSync(path, "utf8") !== license) problems.push(`${pkg.path}/LICENSE differs from the root LICENSE`);
    const changelog = join(root, pkg.path, "CHANGELOG.md");
    if (!existsSync(changelog)) problems.push(`${pkg.path}/CHANGELOG.md is missing`);
    else
      for (const p of checkChangelog(readFileSync(changelog, "utf8"), pkg.version))
        problems.push(`${pkg.path}/CHANGELOG.md: ${p}`);
  }
  return problems;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
