// Loads and compiles the handlebars templates of a run. Compiling a template (parsing it and
// generating its JavaScript) cost a target 50-140 ms of CPU per process, a large part of a run;
// the compiled form depends only on the template's text, the options and handlebars' version, so
// it is cached as a CommonJS module (node_modules/.cache/tka-codegen/hbs), which V8's code cache
// covers too. A run that finds every template cached loads only handlebars' small runtime.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { cacheDir, cachesEnabled } from "../startup.ts";
import type { Render } from "./types.ts";

const require = createRequire(import.meta.url);

/** Compile options of every template: output is code, never HTML; a missing field is an error. */
const OPTIONS = { noEscape: true, strict: true } as const;

type Handlebars = typeof import("handlebars");
type Template = (view: object) => string;

let full: Handlebars | undefined;
let runtime: Handlebars | undefined;
let writable = true;

/** A renderer of the templates under `root` (paths relative to it), each compiled once. */
export function templateRenderer(root: string): Render {
  const compiled = new Map<string, Template>();
  return (template, view) => {
    let fn = compiled.get(template);
    if (fn === undefined) {
      fn = compile(readFileSync(join(root, template), "utf8"));
      compiled.set(template, fn);
    }
    return fn(view);
  };
}

/**
 * Compiles every template under `root` into the cache (scripts/warm-caches.ts, at install);
 * returns how many there are.
 */
export function precompileAll(root: string): number {
  const templates = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((p) => p.endsWith(".hbs"));
  for (const template of templates) compile(readFileSync(join(root, template), "utf8"));
  return templates.length;
}

function compile(source: string): Template {
  if (!cachesEnabled) {
    full ??= (require("handlebars") as Handlebars).create();
    return full.compile(source, OPTIONS);
  }
  const version = (require("handlebars/package.json") as { version: string }).version;
  const key = createHash("sha1")
    .update(`${version}\0${JSON.stringify(OPTIONS)}\0${source}`)
    .digest("hex");
  const file = join(cacheDir, "hbs", `${key}.cjs`);
  runtime ??= (require("handlebars/runtime") as Handlebars).create();
  let spec: unknown;
  try {
    spec = require(file);
  } catch {
    full ??= (require("handlebars") as Handlebars).create();
    const code = full.precompile(source, OPTIONS) as string;
    spec = new Function(`return ${code}`)();
    if (writable) {
      try {
        mkdirSync(join(cacheDir, "hbs"), { recursive: true });
        const tmp = `${file}.${process.pid}.${threadId}.tmp`;
        writeFileSync(tmp, `module.exports = ${code};\n`);
        renameSync(tmp, file);
      } catch {
        writable = false;
      }
    }
  }
  return runtime.template(spec as TemplateSpecification) as Template;
}
