import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { GeneratorError, splitPointer } from "../errors.ts";
import { cacheDir } from "../startup.ts";
import type { Location, NamedSchema, OpenApiVersion } from "./types.ts";

// Loaded on first use: a run whose document is JSON or cached never pays for the YAML parser's
// start-up (about 40 ms of the CLI's CPU).
const require = createRequire(import.meta.url);
const parseYaml = (
  text: string,
  options: import("yaml").ParseOptions & import("yaml").DocumentOptions & import("yaml").ToJSOptions,
): unknown => (require("yaml") as typeof import("yaml")).parse(text, options);

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Where parsed YAML is cached as JSON, keyed by the SHA-256 of the text. YAML parsing is by far
 * the slowest step (~80 ms for this project's spec against ~1 ms for JSON); the cache makes
 * repeated generation from an unchanged document fast. Disable with TKA_CODEGEN_NO_CACHE=1;
 * it lives with the start-up caches (`parsed/`; TKA_CODEGEN_CACHE_DIR moves them all).
 */
const CACHE_DIR = join(cacheDir, "parsed/");

/** Parse YAML or JSON text (JSON is YAML 1.2). */
export function parseText(text: string, file: string): Json {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{")) {
    try {
      return JSON.parse(text) as Json;
    } catch {
      // not strict JSON: let the YAML parser read it (and report errors)
    }
  }
  // Small documents parse in a few milliseconds: only large ones are worth a cache entry.
  const useCache = text.length > 32_768 && process.env.TKA_CODEGEN_NO_CACHE !== "1";
  const hash = useCache ? createHash("sha256").update(text).digest("hex") : "";
  const cacheFile = `${CACHE_DIR}${hash}.json`;
  if (useCache) {
    try {
      return JSON.parse(readFileSync(cacheFile, "utf8")) as Json;
    } catch {
      // cache miss
    }
  }
  let value: Json;
  try {
    value = parseYaml(text, { uniqueKeys: true, maxAliasCount: 10000 }) as Json;
  } catch (e) {
    throw new GeneratorError(file, "", `cannot parse the document: ${(e as Error).message.split("\n")[0]}`);
  }
  if (useCache) keepParsed(cacheFile, JSON.stringify(value));
  return value;
}

/**
 * Records that the YAML `text` parses to the JSON `json`, for a caller that has both forms of one
 * document (`pnpm gen`: the TypeSpec emitter writes the contract as YAML and JSON from the same
 * object), so that parsing `text` later reads the JSON instead of parsing YAML.
 */
export function rememberParsed(text: string, json: string): void {
  if (text.length <= 32_768 || process.env.TKA_CODEGEN_NO_CACHE === "1") return;
  keepParsed(`${CACHE_DIR}${createHash("sha256").update(text).digest("hex")}.json`, json);
}

function keepParsed(cacheFile: string, json: string): void {
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, json);
    renameSync(tmp, cacheFile);
  } catch {
    // a read-only checkout just does not cache
  }
}

/** A `$ref` resolved to the node it points at. */
export interface Resolved {
  value: Json;
  at: Location;
}

/**
 * The set of files a document is made of, with `$ref` resolution.
 * Files are read lazily; a file path is always relative to the root document's folder.
 */
export class DocumentSet {
  readonly rootDir: string;
  readonly rootFile: string;
  /** The root document's own path relative to `rootDir`, so a $ref back into it maps to "". */
  private readonly rootRel: string;
  readonly files = new Map<string, Json>();
  /** Named schemas discovered so far, by key (root components first). */
  readonly named = new Map<string, NamedSchema>();

  constructor(rootPath: string, rootText?: string) {
    const abs = resolve(rootPath);
    this.rootDir = dirname(abs);
    this.rootFile = "";
    this.rootRel = abs
      .slice(this.rootDir.length + 1)
      .split(sep)
      .join("/");
    const text = rootText ?? readText(abs, "");
    this.files.set("", parseText(text, rootPath.split(sep).pop() ?? rootPath));
  }

  get root(): Json {
    return this.files.get("") as Json;
  }

  fileData(file: string, from: Location): Json {
    const cached = this.files.get(file);
    if (cached !== undefined) return cached;
    const abs = resolve(this.rootDir, file);
    const data = parseText(readText(abs, from.file, from.pointer, file), file);
    this.files.set(file, data);
    return data;
  }

  /** Split a `$ref` string into a target location, relative to `from`. */
  target(ref: string, from: Location): Location {
    if (/^[a-z][a-z0-9+.-]*:/i.test(ref)) {
      throw new GeneratorError(
        from.file,
        from.pointer,
        `external URL $ref "${ref}" is not supported; download the document and use a relative file $ref`,
      );
    }
    const hash = ref.indexOf("#");
    const filePart = hash < 0 ? ref : ref.slice(0, hash);
    const fragment = hash < 0 ? "" : decodeURIComponent(ref.slice(hash + 1));
    if (fragment !== "" && !fragment.startsWith("/")) {
      throw new GeneratorError(
        from.file,
        from.pointer,
        `$ref "${ref}" uses a plain-name fragment (anchor); only JSON pointer fragments are supported`,
      );
    }
    let file = from.file;
    if (filePart !== "") {
      const abs = resolve(this.rootDir, dirname(from.file === "" ? "." : from.file), filePart);
      file = relative(this.rootDir, abs).split(sep).join("/");
      if (file === this.rootRel) file = "";
    }
    return { file, pointer: fragment };
  }

  /** The node at a location, or a GeneratorError naming `from`. */
  at(loc: Location, from: Location): Json {
    let node: Json = this.fileData(loc.file, from);
    for (const token of splitPointer(loc.pointer)) {
      if (Array.isArray(node)) node = node[Number(token)] as Json;
      else if (isObject(node)) node = node[token] as Json;
      else node = undefined as unknown as Json;
      if (node === undefined) {
        throw new GeneratorError(from.file, from.pointer, `$ref target ${loc.file}#${loc.pointer} does not exist`);
      }
    }
    return node;
  }

  /** Follow `$ref` chains of a non-schema object (parameter, response, request body, header, path item). */
  deref(node: Json, at: Location): Resolved {
    const seen = new Set<string>();
    let cur: Resolved = { value: node, at };
    while (isObject(cur.value) && typeof cur.value.$ref === "string") {
      const refAt: Location = { file: cur.at.file, pointer: `${cur.at.pointer}/$ref` };
      const loc = this.target(cur.value.$ref, refAt);
      const key = `${loc.file}#${loc.pointer}`;
      if (seen.has(key)) throw new GeneratorError(refAt.file, refAt.pointer, `$ref cycle through ${key}`);
      seen.add(key);
      cur = { value: this.at(loc, refAt), at: loc };
    }
    return cur;
  }

  /** Whether a schema location is "named" (becomes a model of its own) and under which name. */
  namedAt(loc: Location): NamedSchema | null {
    const tokens = splitPointer(loc.pointer);
    const key = `${loc.file}#${loc.pointer}`;
    const existing = this.named.get(key);
    if (existing) return existing;
    let name: string | null = null;
    if (tokens.length === 3 && tokens[0] === "components" && tokens[1] === "schemas") name = tokens[2] as string;
    else if (loc.file !== "" && tokens.length <= 1) {
      name = tokens[0] ?? (loc.file.split("/").pop() as string).replace(/\.(ya?ml|json)$/i, "");
    } else if (loc.file !== "" && tokens.length === 2 && (tokens[0] === "definitions" || tokens[0] === "$defs")) {
      name = tokens[1] as string;
    }
    if (name === null) return null;
    const named: NamedSchema = { key, name, at: loc, component: loc.file === "" };
    this.named.set(key, named);
    return named;
  }
}

function readText(abs: string, fromFile: string, fromPointer = "", shown = abs): string {
  try {
    return readFileSync(abs, "utf8");
  } catch {
    throw new GeneratorError(fromFile, fromPointer, `cannot read ${shown}`);
  }
}

export function detectVersion(root: Json): { version: OpenApiVersion; openapi: string } {
  if (!isObject(root)) throw new GeneratorError("", "", "the document is not an object");
  if (root.swagger !== undefined) {
    throw new GeneratorError("", "/swagger", "Swagger 2.0 documents are not supported; convert to OpenAPI 3.x first");
  }
  const v = root.openapi;
  if (typeof v !== "string") throw new GeneratorError("", "/openapi", 'missing "openapi" version field');
  const m = /^3\.([012])\.\d+(-.+)?$/.exec(v);
  if (!m)
    throw new GeneratorError("", "/openapi", `OpenAPI version "${v}" is not supported (3.0.x, 3.1.x and 3.2.x are)`);
  return { version: `3.${m[1]}` as OpenApiVersion, openapi: v };
}
