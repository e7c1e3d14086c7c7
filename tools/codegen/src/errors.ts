/**
 * The one error type the generator throws for a problem in the input document.
 *
 * `pointer` is an RFC 6901 JSON pointer into `file` (relative to the root document's
 * folder; `""` for the root document itself), so a user can find the offending node.
 */
export class GeneratorError extends Error {
  readonly file: string;
  readonly pointer: string;
  readonly reason: string;

  constructor(file: string, pointer: string, reason: string) {
    super(`${file === "" ? "" : file}#${pointer}: ${reason}`);
    this.name = "GeneratorError";
    this.file = file;
    this.pointer = pointer;
    this.reason = reason;
  }
}

/** One construct the generator refused: where it is and why. */
export interface Refusal {
  file: string;
  pointer: string;
  reason: string;
}

/** `<file>#<pointer>: <reason>`, the form every refusal is printed in. */
export function formatRefusal(r: Refusal): string {
  return `${r.file}#${r.pointer}: ${r.reason}`;
}

/**
 * Every refusal of one run at once (the operations and models they make the generator skip are
 * on the IR's `skipped`). It is a GeneratorError whose file, pointer and reason are the first
 * refusal's, so code that handles one refusal keeps working; `refusals` lists them all.
 */
export class RefusalsError extends GeneratorError {
  readonly refusals: readonly Refusal[];

  constructor(refusals: readonly Refusal[]) {
    const first = refusals[0] as Refusal;
    super(first.file, first.pointer, first.reason);
    this.name = "RefusalsError";
    this.refusals = refusals;
    if (refusals.length > 1) {
      this.message = `${refusals.length} constructs are not supported:\n${refusals.map((r) => `  ${formatRefusal(r)}`).join("\n")}`;
    }
  }
}

/** The distinct refusals (first occurrence order) of a list of skips. */
export function uniqueRefusals(items: ReadonlyArray<{ because: Refusal }>): Refusal[] {
  const seen = new Set<string>();
  const out: Refusal[] = [];
  for (const { because } of items) {
    const key = formatRefusal(because);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(because);
  }
  return out;
}

/** Escape one reference token for a JSON pointer. */
export function escapeToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

export function unescapeToken(token: string): string {
  return token.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** Append reference tokens to a JSON pointer. */
export function ptr(base: string, ...tokens: Array<string | number>): string {
  let out = base;
  for (const t of tokens) out += `/${escapeToken(String(t))}`;
  return out;
}

export function splitPointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`not a JSON pointer: ${pointer}`);
  return pointer.slice(1).split("/").map(unescapeToken);
}
