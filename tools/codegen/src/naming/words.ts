/**
 * Splitting identifiers into words and re-joining them in each case style.
 *
 * Words break at any character that is not a letter or digit, at a lower->upper change
 * (`fooBar`), before the last capital of an acronym (`APIError` -> API, Error) and before
 * digits followed by lower-case letters (`Model1stPlace` -> Model, 1st, Place). Other digits stay
 * with the word before them (`int64`, `V2Beta` -> V2, Beta).
 * An input with no lower-case letters (`SEQUENCE_CREATED`) is lower-cased first so it does
 * not read as acronyms.
 */
export function splitWords(input: string): string[] {
  const chunks = input
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^A-Za-z0-9]+/)
    .filter((c) => c !== "");
  const allUpper = !/[a-z]/.test(input);
  const words: string[] = [];
  for (const chunk of chunks) {
    const c = allUpper ? chunk.toLowerCase() : chunk;
    const parts = c.match(/[A-Z]+(?![a-z])(?:[0-9]+(?![a-z]))?|[A-Z]?[a-z]+(?:[0-9]+(?![a-z]))?|[0-9]+[a-z]*/g) ?? [c];
    words.push(...parts);
  }
  return words;
}

const cap = (w: string): string => (w === "" ? w : w.charAt(0).toUpperCase() + w.slice(1));

/** `foo_bar` -> FooBar; acronyms keep their capitals (APIError). */
export function pascalCase(input: string): string {
  return splitWords(input).map(cap).join("");
}

/** `foo_bar` -> fooBar; a leading acronym is lower-cased (APIError -> apiError). */
export function camelCase(input: string): string {
  const words = splitWords(input);
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : cap(w))).join("");
}

export function snakeCase(input: string): string {
  return splitWords(input)
    .map((w) => w.toLowerCase())
    .join("_");
}

export function upperSnakeCase(input: string): string {
  return splitWords(input)
    .map((w) => w.toUpperCase())
    .join("_");
}

export function kebabCase(input: string): string {
  return splitWords(input)
    .map((w) => w.toLowerCase())
    .join("-");
}

/** Join name parts into one PascalCase name: ["BeatAddedEvent", "data"] -> BeatAddedEventData. */
export function pascalJoin(parts: readonly string[]): string {
  return parts.map(pascalCase).join("");
}
