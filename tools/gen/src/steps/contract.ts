import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile, formatDiagnostic, NodeHost, resolveCompilerOptions } from "@typespec/compiler";
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

/** Compiles spec/ with TypeSpec into the staged generated/openapi/ documents. */
export const contractStep: Step = {
  name: "contract (TypeSpec -> OpenAPI 3.1 + 3.2)",
  outputs: [openapiOutDir],
  async run({ write, log }) {
    const outputDir = await mkdtemp(join(tmpdir(), "tka-tsp-"));
    try {
      const entrypoint = join(specDir, "main.tsp");
      const [options, configDiagnostics] = await resolveCompilerOptions(NodeHost, {
        entrypoint,
        cwd: specDir,
        overrides: { outputDir },
      });
      const program = await compile(NodeHost, entrypoint, options);
      const problems = [...configDiagnostics, ...program.diagnostics].filter(
        (d) => d.severity === "error" || !allowedWarnings.has(d.code),
      );
      if (problems.length > 0) {
        const text = problems.map((d) => formatDiagnostic(d, { pretty: false })).join("\n");
        throw new Error(`TypeSpec reported ${problems.length} problem(s):\n${text}`);
      }
      const emitted = new Map<string, string>();
      for (const { version } of documents) {
        emitted.set(version, await readFile(join(outputDir, version, "openapi.yaml"), "utf8"));
      }
      // The 3.1 document's SSE streams take the 3.2 document's item schema (see sse-items.ts).
      const streams = typeEventStreams(emitted.get("3.1.0") as string, emitted.get("3.2.0") as string);
      emitted.set("3.1.0", streams.text);
      for (const { version, file } of documents) {
        const target = join(openapiOutDir, file);
        await write(target, withHeader(target, "spec/*.tsp", emitted.get(version) as string));
        log(`  ${target}`);
      }
      for (const stream of streams.typed) log(`  3.1: typed the events of ${stream}`);
    } finally {
      await rm(outputDir, { recursive: true, force: true });
    }
  },
};
