// Issue 14's generator benchmark: every target as the CLI process a user runs
// (`node src/cli.ts --input <doc> --target <t> --out <dir>`) on this project's contract, against
// openapi-generator's corresponding generator (its CLI JAR from Maven Central) on the same
// document in the same run; then `pnpm gen --check` as a whole: the contract unchanged, after an
// edit of the contract (with and without the Redocly lint), and with no cache at all. Each figure is one process (tree)
// measured by GNU time: wall seconds, CPU seconds (user + system, children included: the
// formatters ours starts, every JVM thread of the peer) and peak resident memory; the medians of
// several runs, taken in rounds (ours and the peer alternate, so both see the same load). CPU is
// what compares across machines and loads; wall is what a user waits for.
//
// Ours three times: "warm" (the caches in node_modules/.cache/tka-codegen filled by an earlier
// run on the same document: every later run of a user), "first run after install" (only what
// `pnpm install` leaves there: scripts/warm-caches.ts, the start-up caches that depend on no
// document; this document's parse and formatting are not cached) and "cold" (TKA_CODEGEN_NO_CACHE=1:
// no cache read or written at all). The Python target also with ruff's WebAssembly
// build (TKA_RUFF=off: a machine without the repository's .venv), first run after install.
//
// Not a test: a documented benchmark. Needs java and mvn (the JAR is fetched once into ~/.m2).
//   node bench/targets.ts [--runs N] [--peer-runs N] [--skip-peers] [--skip-gen] [--targets a,b]
// (in tools/codegen)
// Results: bench/results/targets.json, and the Markdown table on stdout (copied into README.md).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Measured, measure, OPENAPI_GENERATOR, openapiGeneratorJar } from "./lib.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    "peer-runs": { type: "string", default: "3" },
    "skip-peers": { type: "boolean", default: false },
    "skip-gen": { type: "boolean", default: false },
    targets: { type: "string" },
  },
});
const RUNS = Number(values.runs);
const PEER_RUNS = Number(values["peer-runs"]);

const root = join(import.meta.dirname, "..");
const repo = join(root, "../..");
const work = join(root, "node_modules/.cache/tka-codegen-bench/targets");
const doc = join(repo, "generated/openapi/openapi.3.1.yaml");
const cli = join(root, "src/cli.ts");

/** Each target and openapi-generator's generator for the same job (null: it has none). */
const TARGETS: Array<{ target: string; peer: string | null; note?: string }> = [
  { target: "typescript", peer: "typescript-fetch" },
  { target: "python", peer: "python" },
  { target: "rust", peer: "rust" },
  { target: "hono", peer: "nodejs-express-server", note: "nearest: a Node server stub" },
  { target: "cli", peer: null, note: "openapi-generator has no command-line target" },
];

mkdirSync(work, { recursive: true });
const loadavg = () => execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).split(" ").slice(0, 3).join(" ");
const loadBefore = loadavg();

/** Each series' medians (wall, CPU and peak memory each on its own); one failed run is its result. */
function medians(series: Record<string, Measured[]>): Record<string, Measured> {
  const mid = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const out: Record<string, Measured> = {};
  for (const [name, runs] of Object.entries(series)) {
    out[name] = runs.find((m) => !m.ok) ?? {
      wall: mid(runs.map((m) => m.wall)),
      cpu: mid(runs.map((m) => m.cpu)),
      peakMB: mid(runs.map((m) => m.peakMB)),
      ok: true,
    };
  }
  return out;
}

/**
 * Runs the measurements in rounds, one of each per round (a series with fewer runs drops out
 * early), so ours and the peer see the same load on a shared machine.
 */
function interleaved(plan: Record<string, { runs: number; one: () => Measured }>): Record<string, Measured> {
  const series: Record<string, Measured[]> = Object.fromEntries(Object.keys(plan).map((k) => [k, []]));
  const rounds = Math.max(...Object.values(plan).map((p) => p.runs));
  for (let round = 0; round < rounds; round++) {
    for (const [name, { runs, one }] of Object.entries(plan)) if (round < runs) series[name]?.push(one());
  }
  return medians(series);
}

/** A run with only the caches `pnpm install` fills (prepared apart, not measured). */
function afterInstall(target: string, env: NodeJS.ProcessEnv = {}): Measured {
  const dir = join(work, "install-cache");
  rmSync(dir, { recursive: true, force: true });
  execFileSync(process.execPath, [join(root, "scripts/warm-caches.ts")], {
    env: { ...process.env, TKA_CODEGEN_CACHE_DIR: dir },
  });
  return ours(target, { ...env, TKA_CODEGEN_CACHE_DIR: dir });
}

function ours(target: string, env: NodeJS.ProcessEnv): Measured {
  const out = join(work, `tka-${target}`);
  rmSync(out, { recursive: true, force: true });
  return measure(process.execPath, [cli, "--input", doc, "--target", target, "--out", out], repo, env);
}

function peer(generator: string): Measured {
  const out = join(work, `openapi-generator-${generator}`);
  rmSync(out, { recursive: true, force: true });
  return measure(
    "java",
    ["-jar", openapiGeneratorJar(), "generate", "-i", doc, "-g", generator, "-o", out, "--skip-validate-spec"],
    repo,
  );
}

const chosen = values.targets?.split(",") ?? TARGETS.map((t) => t.target);
const rows: Record<string, Record<string, Measured | undefined>> = {};
for (const { target, peer: generator } of TARGETS.filter((t) => chosen.includes(t.target))) {
  ours(target, {}); // fills the caches (and checks that it runs)
  const plan: Record<string, { runs: number; one: () => Measured }> = {
    warm: { runs: RUNS, one: () => ours(target, {}) },
    install: { runs: RUNS, one: () => afterInstall(target) },
    cold: { runs: RUNS, one: () => ours(target, { TKA_CODEGEN_NO_CACHE: "1" }) },
  };
  // Without the .venv's native ruff, formatting through the WebAssembly build (a warm run formats nothing).
  if (target === "python") plan.wasm = { runs: RUNS, one: () => afterInstall(target, { TKA_RUFF: "off" }) };
  if (generator !== null && !values["skip-peers"]) plan.peer = { runs: PEER_RUNS, one: () => peer(generator) };
  rows[target] = interleaved(plan);
}

const gen: Record<string, Measured> = {};
if (!values["skip-gen"]) {
  const pnpmGen = (env: NodeJS.ProcessEnv, ...flags: string[]) =>
    measure(process.execPath, [join(repo, "tools/gen/src/cli.ts"), "--check", ...flags], repo, env);
  // After an edit of the contract: a doc comment changed (a new word each run, so no cache has
  // it), which changes both documents and a models file of every target. --check then reports
  // those files (exit 1, expected) and writes nothing; the file is restored afterwards.
  const edited = join(repo, "spec/health.tsp");
  const original = readFileSync(edited, "utf8");
  const marker = "/** How well something works. */";
  if (!original.includes(marker)) throw new Error(`spec/health.tsp no longer has ${marker}`);
  let edits = 0;
  const afterEdit = (...flags: string[]) => {
    writeFileSync(
      edited,
      original.replace(marker, `/** How well something works (edit ${process.pid}.${++edits}). */`),
    );
    try {
      return measure(process.execPath, [join(repo, "tools/gen/src/cli.ts"), "--check", ...flags], repo, {}, [1]);
    } finally {
      writeFileSync(edited, original);
    }
  };
  process.on("SIGINT", () => {
    writeFileSync(edited, original);
    process.exit(130);
  });
  pnpmGen({});
  Object.assign(
    gen,
    interleaved({
      warm: { runs: RUNS, one: () => pnpmGen({}) },
      edit: { runs: RUNS, one: () => afterEdit() },
      editLint: { runs: Math.min(RUNS, 3), one: () => afterEdit("--lint") },
      cold: { runs: Math.min(RUNS, 3), one: () => pnpmGen({ TKA_CODEGEN_NO_CACHE: "1" }) },
    }),
  );
}

const report = {
  measuredAt: new Date().toISOString(),
  machine: `${process.platform} ${process.arch}, ${execFileSync("nproc", { encoding: "utf8" }).trim()} cores, load average ${loadBefore} before, ${loadavg()} after`,
  document: "generated/openapi/openapi.3.1.yaml",
  peer: `openapi-generator-cli ${OPENAPI_GENERATOR}`,
  runs: { ours: RUNS, peer: PEER_RUNS },
  targets: rows,
  pnpmGen: gen,
};
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(join(root, "bench/results/targets.json"), `${JSON.stringify(report, null, 2)}\n`);

const fig = (m: Measured | undefined) =>
  m === undefined ? "–" : m.ok ? `${m.wall.toFixed(2)} s / ${m.cpu.toFixed(2)} s / ${m.peakMB} MB` : "fails";
const ratio = (peerM: Measured | undefined, m: Measured | undefined) =>
  peerM?.ok && m?.ok ? `${(peerM.wall / m.wall).toFixed(0)}x / ${(peerM.cpu / m.cpu).toFixed(0)}x` : "–";
console.log(`\n${report.measuredAt}, ${report.machine}; ${report.peer}; medians of ${RUNS} (peer ${PEER_RUNS}) runs`);
console.log("wall / CPU (user+sys) / peak memory of one CLI process; ratio = peer / ours (wall / CPU)\n");
console.log(
  "| target | ours, warm | ours, first run after install | ours, cold (no caches) | openapi-generator (generator) | peer / ours warm | peer / ours after install | peer / ours cold |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const { target, peer: generator, note } of TARGETS.filter((t) => chosen.includes(t.target))) {
  const r = rows[target] as Record<string, Measured | undefined>;
  const peerCell =
    generator === null
      ? `– (${note})`
      : r.peer?.ok === false
        ? `fails (${generator}): ${r.peer.note ?? ""}`
        : `${fig(r.peer)} (${generator}${note ? `; ${note}` : ""})`;
  console.log(
    `| ${target} | ${fig(r.warm)} | ${fig(r.install)} | ${fig(r.cold)} | ${peerCell} | ${ratio(r.peer, r.warm)} | ${ratio(r.peer, r.install)} | ${ratio(r.peer, r.cold)} |`,
  );
  if (r.wasm !== undefined)
    console.log(`| ${target}, ruff WebAssembly (no .venv) | | ${fig(r.wasm)} | | | | ${ratio(r.peer, r.wasm)} | |`);
}
if (gen.warm !== undefined) {
  console.log(
    "\n| pnpm gen --check | contract unchanged | after a contract edit | after an edit, with --lint (Redocly) | cold (no caches at all) |",
  );
  console.log("| --- | --- | --- | --- | --- |");
  console.log(`| wall / CPU / peak | ${fig(gen.warm)} | ${fig(gen.edit)} | ${fig(gen.editLint)} | ${fig(gen.cold)} |`);
}
