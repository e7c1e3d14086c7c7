import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { rememberParsed } from "@tka/codegen/src/loader/document.ts";
import { cached, InputHash, keep } from "../cache.ts";
import { withHeader } from "../header.ts";
import { openapiOutDir, specDir } from "../paths.ts";
import type { Step } from "../step.ts";
import { typeEventStreams } from "./sse-items.ts";

/**
 * Diagnostics that are expected and harmless. Every other warning fails the build, so the
 * contract stays warning-free.
 */
const allowedWarnings = new Map<string, string>([
  // OpenAPI 3.1 cannot type an SSE stream (no itemSchema); typeEventStreams fills it in after.
  ["@typespec/openapi3/streams-not-supported", "the 3.1 document gets the item schema from 3.2"],
]);

/** The OpenAPI versions emitted, and the file name each lands in. */
const documents = [
  { version: "3.1.0", file: "openapi.3.1.yaml" },
  { version: "3.2.0", file: "openapi.3.2.yaml" },
] as const;

interface Compiled {
  documents: { path: string; text: string }[];
  typed: string[];
}

/**
 * What the compile reads: spec/ (the contract and its tspconfig.yaml), the lockfile (the
 * versions of the compiler, its libraries and the YAML parser) and this tool's own code.
 */
function inputsKey(root: string): string {
  return new InputHash()
    .add("node", process.version)
    .addFolder(root, "spec")
    .add("pnpm-lock.yaml", readFileSync(join(root, "pnpm-lock.yaml")))
    .addFolder(root, "tools/gen/src")
    .add("document.ts", readFileSync(join(root, "tools/codegen/src/loader/document.ts")))
    .digest();
}

let started: { key: string; hit?: Compiled; compiled?: Promise<Compiled & { local: boolean }> } | undefined;

/**
 * Looks the contract up in the cache and, when it must be compiled, starts compiling it in a
 * worker thread (contract-worker.ts) at once: `pnpm gen` calls this first, so the compiler loads
 * and runs on one core while the main thread loads the code generators on the other.
 */
export function startContract(root: string): void {
  if (started !== undefined) return;
  const key = inputsKey(root);
  const hit = cached<Compiled>("contract", key);
  started = hit !== undefined ? { key, hit } : { key, compiled: compileInWorker() };
  started.compiled?.catch(() => {}); // awaited by the step; a failure must not go unhandled before
}

/**
 * Compiles spec/ with TypeSpec into the staged generated/openapi/ documents. When nothing the
 * compile reads changed since a successful run, that run's documents are staged (cache.ts).
 */
export const contractStep: Step = {
  name: "contract (TypeSpec -> OpenAPI 3.1 + 3.2)",
  outputs: [openapiOutDir],
  async run({ root, write, log }) {
    startContract(root);
    const { key, hit, compiled } = started as NonNullable<typeof started>;
    const result: Compiled & { local?: boolean } = hit ?? (await (compiled as Promise<Compiled & { local: boolean }>));
    for (const { path, text } of result.documents) {
      await write(path, text);
      log(`  ${path}`);
    }
    for (const stream of result.typed) log(`  3.1: typed the events of ${stream}`);
    if (hit !== undefined) log("  (spec/, the lockfile and tools/gen unchanged: the last compile's documents)");
    else if (result.local === true) keep("contract", key, { documents: result.documents, typed: result.typed });
  },
};

function compileInWorker(): Promise<Compiled & { local: boolean }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./contract-worker.ts", import.meta.url));
    let answer: { result?: Compiled & { local: boolean }; error?: string } | undefined;
    worker.on("message", (message: typeof answer) => {
      answer = message;
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (answer?.result !== undefined) resolve(answer.result);
      else
        reject(new Error(answer?.error ?? `the TypeSpec compile's worker ended (exit code ${code}) without a result`));
    });
  });
}

export async function compileContract(): Promise<Compiled & { local: boolean }> {
  // Loaded only to compile (most of a cached run's time would be loading the compiler).
  const { compile, formatDiagnostic, NodeHost, resolveCompilerOptions } = await import("@typespec/compiler");
  // The emitted files are kept in memory: nothing is written to (and read back from) a folder.
  const outputDir = join(tmpdir(), "tka-tsp-in-memory");
  const emitted = new Map<string, string>();
  const host = {
    ...NodeHost,
    mkdirp: async (path: string) => path,
    writeFile: async (path: string, content: string) => {
      emitted.set(path, content);
    },
  };
  const entrypoint = join(specDir, "main.tsp");
  const [options, configDiagnostics] = await resolveCompilerOptions(host, {
    entrypoint,
    cwd: specDir,
    overrides: { outputDir },
  });
  // Each document as JSON too (the same object serialised again, a few ms): the steps after this
  // one read the JSON instead of parsing the YAML (about 0.1 s per document). spec/tspconfig.yaml
  // (what `tsp compile` writes) stays YAML only.
  const openapi3 = (options.options?.["@typespec/openapi3"] ?? {}) as Record<string, unknown>;
  options.options = {
    ...options.options,
    "@typespec/openapi3": { ...openapi3, "file-type": ["yaml", "json"], "output-file": "openapi.{file-type}" },
  };
  const program = await compile(host, entrypoint, options);
  const problems = [...configDiagnostics, ...program.diagnostics].filter(
    (d) => d.severity === "error" || !allowedWarnings.has(d.code),
  );
  if (problems.length > 0) {
    const text = problems.map((d) => formatDiagnostic(d, { pretty: false })).join("\n");
    throw new Error(`TypeSpec reported ${problems.length} problem(s):\n${text}`);
  }
  const file = (version: string, ext: string) => {
    const text = emitted.get(join(outputDir, version, `openapi.${ext}`));
    if (text === undefined) throw new Error(`TypeSpec emitted no ${version}/openapi.${ext} (${[...emitted.keys()]})`);
    return text;
  };
  const yaml = new Map(documents.map(({ version }) => [version, file(version, "yaml")]));
  const json = { v31: file("3.1.0", "json"), v32: file("3.2.0", "json") };
  // The 3.1 document's SSE streams take the 3.2 document's item schema (see sse-items.ts).
  const streams = typeEventStreams(yaml.get("3.1.0") as string, yaml.get("3.2.0") as string, json);
  yaml.set("3.1.0", streams.text);
  const out = documents.map(({ version, file }) => {
    const path = join(openapiOutDir, file);
    const text = withHeader(path, "spec/*.tsp", yaml.get(version) as string);
    // The code generators read the staged 3.2 document: its parse is the emitter's JSON.
    if (version === "3.2.0") rememberParsed(text, json.v32);
    return { path, text };
  });
  // Kept only when every TypeSpec source read is spec/'s or a dependency's (the cache's key).
  const local = [...program.sourceFiles.keys()].every(
    (file) => file.startsWith(`${specDir}/`) || file.includes("/node_modules/"),
  );
  return { documents: out, typed: streams.typed, local };
}
