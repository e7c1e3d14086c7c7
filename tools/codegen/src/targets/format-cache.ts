// What the formatters made of each generated file, kept between runs: a file the formatter saw
// before (the same text, the same formatter, version and settings) takes its formatted text from
// here, and a run whose files were all seen starts no formatter process at all. Biome and ruff
// format each file on its own (no setting depends on the other files), so a file's result
// depends only on its key. After an edit of the contract most generated files are unchanged;
// an unchanged contract (every warm run) formats nothing. Lives with the start-up caches
// (node_modules/.cache/tka-codegen/fmt), which TKA_CODEGEN_NO_CACHE=1 turns off with this one.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { cacheDir, cachesEnabled } from "../startup.ts";

const dir = join(cacheDir, "fmt");
let writable = true;

/** A formatter's results, keyed by `formatter` (its name, version and settings) and the input text. */
export class FormatCache {
  private readonly prefix: string;

  constructor(formatter: string) {
    this.prefix = `${formatter}\0`;
  }

  private file(input: string): string {
    return join(dir, `${createHash("sha1").update(this.prefix).update(input).digest("hex")}.txt`);
  }

  /** The formatted text of `input`, when this formatter formatted it before. */
  get(input: string): string | undefined {
    if (!cachesEnabled) return undefined;
    try {
      return readFileSync(this.file(input), "utf8");
    } catch {
      return undefined;
    }
  }

  /** Keeps a result (a cache that cannot be written is simply not used). */
  set(input: string, output: string): void {
    if (!cachesEnabled || !writable) return;
    const file = this.file(input);
    try {
      mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.${threadId}.tmp`;
      writeFileSync(tmp, output);
      renameSync(tmp, file);
    } catch {
      writable = false;
    }
  }
}
