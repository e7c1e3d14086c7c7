// Formats generated code with each language's standard formatter, so generated files read like
// hand-written ones and diffs stay reviewable: TypeScript with Biome (the repository's formatter,
// one run for every file), Python with ruff (its WebAssembly build: import sorting, then format).
// Each formatter sees only the files it did not format before (format-cache.ts): a run that
// generates what an earlier run generated starts no formatter.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setFlagsFromString } from "node:v8";
import type { Workspace } from "@astral-sh/ruff-wasm-nodejs";
import { FormatCache } from "./format-cache.ts";
import { nativeRuff, ruffFormatAll } from "./ruff.ts";
import type { TargetFile } from "./types.ts";

const require = createRequire(import.meta.url);

const config = {
  formatter: { enabled: true, indentStyle: "space", indentWidth: 2, lineWidth: 120 },
  javascript: { formatter: { quoteStyle: "double", trailingCommas: "all", semicolons: "always" } },
};

export function formatTypeScript(files: TargetFile[]): TargetFile[] {
  const ts = files.filter((f) => f.path.endsWith(".ts"));
  if (ts.length === 0) return files;
  biomeResults ??= new FormatCache(
    `biome ${(require("@biomejs/biome/package.json") as { version: string }).version} ${process.env.BIOME_BINARY ?? ""} ${JSON.stringify(config)}`,
  );
  const cache = biomeResults;
  const formatted = new Map<string, string>();
  const todo = ts.filter((f) => {
    const hit = cache.get(f.content);
    if (hit !== undefined) formatted.set(f.path, hit);
    return hit === undefined;
  });
  if (todo.length > 0) {
    for (const [i, content] of biomeFormat(todo).entries()) {
      const f = todo[i] as TargetFile;
      cache.set(f.content, content);
      formatted.set(f.path, content);
    }
  }
  return files.map((f) => (f.path.endsWith(".ts") ? { ...f, content: formatted.get(f.path) as string } : f));
}

let biomeResults: FormatCache | undefined;

/** One Biome process over the files (in a temporary folder with the settings above). */
function biomeFormat(ts: TargetFile[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "tka-format-"));
  try {
    writeFileSync(join(dir, "biome.json"), JSON.stringify(config));
    for (const f of ts) {
      mkdirSync(dirname(join(dir, "src", f.path)), { recursive: true });
      writeFileSync(join(dir, "src", f.path), f.content);
    }
    const args = ["format", "--write", "--no-errors-on-unmatched", "src"];
    const binary = biomeBinary();
    try {
      if (binary === undefined) throw new Error("no binary");
      execFileSync(binary, args, { cwd: dir, stdio: "pipe" });
    } catch (error) {
      // Biome ran and failed: that is the answer. It did not start (musl, another platform): the launcher.
      if (binary !== undefined && (error as { status?: number | null }).status != null) throw error;
      execFileSync(process.execPath, [biomeLauncher(), ...args], { cwd: dir, stdio: "pipe" });
    }
    return ts.map((f) => readFileSync(join(dir, "src", f.path), "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Biome's native binary, run directly: its npm launcher is a Node script that starts a second
 * Node and `ldd` to find the same binary (about 60 ms of CPU per run). The launcher stays the
 * fallback where that binary is not installed or does not start (BIOME_BINARY set, musl).
 */
function biomeBinary(): string | undefined {
  if (process.env.BIOME_BINARY !== undefined) return undefined;
  const exe = process.platform === "win32" ? ".exe" : "";
  try {
    return createRequire(biomeLauncher()).resolve(`@biomejs/cli-${process.platform}-${process.arch}/biome${exe}`);
  } catch {
    return undefined;
  }
}

function biomeLauncher(): string {
  return join(dirname(require.resolve("@biomejs/biome/package.json")), "bin", "biome");
}

/** A Python code block of a README (`ruff format` formats those in Markdown too). */
const PYTHON_BLOCK = /^```python\n([\s\S]*?)^```$/gm;

/** ruff settings of the generated Python package (its pyproject.toml says the same). */
const RUFF = { "line-length": 100, "target-version": "py310", lint: { select: ["I"] } };
let ruff: Workspace | undefined;

/**
 * Sorts imports as ruff's `I001` fix does, then formats as `ruff format`: with the native ruff
 * when there is one of the same version (ruff.ts), else with the WebAssembly build (`engine`
 * chooses, for the tests that compare the two).
 */
export function formatPython(files: TargetFile[], engine?: "native" | "wasm"): TargetFile[] {
  // Every target's files pass through here: most have no Python at all.
  const python = (f: TargetFile) =>
    f.path.endsWith(".py") || (f.path.endsWith(".md") && f.content.includes("```python\n"));
  if (!files.some(python)) return files;
  const native = engine === "wasm" ? null : nativeRuff();
  if (engine === "native" && native === null) throw new Error("no native ruff of the WebAssembly build's version");
  // Every module and README block, formatted where the cache does not have it.
  const sources: string[] = [];
  for (const f of files) {
    if (f.path.endsWith(".py")) sources.push(f.content);
    else if (f.path.endsWith(".md")) for (const m of f.content.matchAll(PYTHON_BLOCK)) sources.push(m[1] as string);
  }
  const formatted = cachedFormat(native, sources);
  let next = 0;
  return files.map((f) => {
    if (f.path.endsWith(".py")) {
      const content = formatted[next++];
      if (content == null) throw new Error(`ruff cannot parse the generated ${f.path}`);
      return { ...f, content };
    }
    if (!f.path.endsWith(".md")) return f;
    return {
      ...f,
      // README examples too (`ruff format` formats Python code blocks in Markdown); a block ruff
      // cannot parse is left as written.
      content: f.content.replace(PYTHON_BLOCK, (block: string) => {
        const code = formatted[next++];
        return code == null ? block : `\`\`\`python\n${code}\`\`\``;
      }),
    };
  });
}

const pythonResults = new Map<string, FormatCache>();

/**
 * Each source sorted and formatted (null: ruff cannot parse it): the cached ones from the cache,
 * the others through the native ruff (one run for all) or the WebAssembly build (one by one).
 */
function cachedFormat(native: string | null, sources: string[]): (string | null)[] {
  const engine = native === null ? "wasm" : "native";
  let cache = pythonResults.get(engine);
  if (cache === undefined) {
    const version = (require("@astral-sh/ruff-wasm-nodejs/package.json") as { version: string }).version;
    cache = new FormatCache(`ruff ${version} ${engine} ${JSON.stringify(RUFF)}`);
    pythonResults.set(engine, cache);
  }
  const out: (string | null | undefined)[] = sources.map((s) => cache.get(s));
  const todo = out.flatMap((o, i) => (o === undefined ? [i] : []));
  if (todo.length === 0) return out as (string | null)[];
  const fresh =
    native !== null
      ? ruffFormatAll(
          native,
          todo.map((i) => sources[i] as string),
        )
      : todo.map((i) => {
          try {
            return pythonFormatted(sources[i] as string);
          } catch {
            return null;
          }
        });
  for (const [j, i] of todo.entries()) {
    const result = fresh[j] ?? null;
    out[i] = result;
    if (result !== null) cache.set(sources[i] as string, result);
  }
  return out as (string | null)[];
}

/**
 * Ruff's WebAssembly build, loaded on first use. V8 compiles it with its baseline compiler only:
 * the optimising tier-up of a 10 MB module runs in the background for seconds and holds hundreds
 * of MB (measured: a small package took 3.6 s and 600 MB with it, 0.6 s and 144 MB without; the
 * GitHub description's 11 MB of Python formats as fast either way).
 */
function workspace(): Workspace {
  if (ruff === undefined) {
    setFlagsFromString("--liftoff-only");
    const { Workspace: RuffWorkspace } =
      require("@astral-sh/ruff-wasm-nodejs") as typeof import("@astral-sh/ruff-wasm-nodejs");
    ruff = new RuffWorkspace(RUFF, 1 /* UTF-16 columns, as JavaScript strings index */);
  }
  return ruff;
}

function pythonFormatted(source: string): string {
  ruff = workspace();
  // In a large module only the leading import block is sorted (linting 4 MB of models costs
  // seconds; generated modules that large import at the top only): it ends before the first line
  // that is neither an import, a comment, a docstring nor blank.
  const head = source.length > 100_000 ? importBlockEnd(source) : source.length;
  let text = source.slice(0, head);
  const fixes = (ruff.check(text) as RuffDiagnostic[])
    .flatMap((d) => (d.code === "I001" && d.fix ? d.fix.edits : []))
    .sort((a, b) => b.location.row - a.location.row || b.location.column - a.location.column);
  for (const edit of fixes) {
    const start = offsetOf(text, edit.location);
    const end = offsetOf(text, edit.end_location);
    text = text.slice(0, start) + (edit.content ?? "") + text.slice(end);
  }
  return formatInChunks(ruff, text + source.slice(head));
}

/**
 * `ruff format` of a module, a large one in pieces: it is cut before top-level `class` and `def`
 * statements (with their decorators and the comments above them), each piece formatted alone
 * and the pieces joined by the two blank lines ruff puts before a top-level definition. The
 * result is ruff's formatting of the whole module; the formatter's memory stays that of one
 * piece (one pass over 4 MB of models grows its WebAssembly memory by hundreds of MB).
 */
function formatInChunks(workspace: Workspace, source: string): string {
  if (source.length < 200_000) return workspace.format(source);
  const lines = source.split("\n");
  const cuts: number[] = [];
  let inString = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    // Triple-quoted strings may hold lines that look like statements: never cut inside one.
    const quotes = line.split('"""').length - 1;
    if (!inString && /^(class|def|async def|@)/.test(line)) {
      let start = i;
      while (start > 0 && /^(#|@)/.test(lines[start - 1] as string)) start--;
      if (start > 0 && cuts[cuts.length - 1] !== start && !/^@/.test(lines[start - 1] ?? "")) cuts.push(start);
    }
    if (quotes % 2 === 1) inString = !inString;
  }
  if (cuts.length === 0) return workspace.format(source);
  const pieces: string[] = [];
  let from = 0;
  for (const cut of [...cuts, lines.length]) {
    const piece = lines.slice(from, cut).join("\n").trim();
    if (piece !== "") pieces.push(workspace.format(`${piece}\n`).trimEnd());
    from = cut;
  }
  return `${pieces.join("\n\n\n")}\n`;
}

/** The offset where a module's leading imports (with its docstring and comments) end. */
function importBlockEnd(source: string): number {
  let offset = 0;
  let inDocstring = false;
  let inParens = false;
  while (offset < source.length) {
    const next = source.indexOf("\n", offset);
    const lineEnd = next === -1 ? source.length : next + 1;
    const line = source.slice(offset, lineEnd).trim();
    if (inDocstring) {
      if (line.includes('"""')) inDocstring = false;
    } else if (inParens) {
      if (line.includes(")")) inParens = false;
    } else if (line.startsWith('"""')) {
      inDocstring = !(line.length > 3 && line.endsWith('"""'));
    } else if (/^(from\s+\S+\s+)?import\s/.test(line)) {
      inParens = line.includes("(") && !line.includes(")");
    } else if (line !== "" && !line.startsWith("#")) {
      return offset;
    }
    offset = lineEnd;
  }
  return source.length;
}

interface RuffPosition {
  row: number;
  column: number;
}

interface RuffDiagnostic {
  code: string | null;
  fix: { edits: { content: string | null; location: RuffPosition; end_location: RuffPosition }[] } | null;
}

/** The string offset of a 1-based row and column. */
function offsetOf(text: string, at: RuffPosition): number {
  let offset = 0;
  for (let row = 1; row < at.row; row++) {
    const next = text.indexOf("\n", offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return offset + at.column - 1;
}
