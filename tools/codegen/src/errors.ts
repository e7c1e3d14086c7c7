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
