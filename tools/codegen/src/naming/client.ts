// The client class's name, derived once from the document's title and used by every SDK, so the
// same API has the same client in TypeScript, Python and Rust ("TKA API" -> Tka, "GitHub's
// official OpenAPI spec + Octokit extension" -> GitHub, "Swagger Petstore" -> SwaggerPetstore).
import { splitWords } from "./words.ts";

/** Words a title carries that say nothing about which API it is. */
const FILLER = new Set([
  "a",
  "an",
  "api",
  "apis",
  "definition",
  "document",
  "official",
  "of",
  "openapi",
  "rest",
  "restful",
  "spec",
  "specification",
  "the",
  "version",
]);

/** Where a title's name part ends: a qualifier after these starts. */
const QUALIFIER = /\s(?:\+|-|–|—|with|for|using|via)\s|[:(|]/i;

/** The fallback when a title has no usable word (empty, or letters outside ASCII only). */
export const DEFAULT_CLIENT_NAME = "Api";

/**
 * The PascalCase client name of a title: the part before a qualifier (`+ ...`, `with ...`,
 * `: ...`), without possessives, version tokens (`v3`, `2.1`) and filler words (API, OpenAPI,
 * spec, ...), each word capitalised with acronyms as words (`TKA` -> `Tka`, `REST` -> `Rest`),
 * at most four words. Accents are dropped; a title with no word left gives `Api`.
 */
export function clientStem(title: string): string {
  const head = title.split(QUALIFIER)[0] ?? title;
  // Filler and versions are dropped as the title writes them (`OpenAPI` is one word there).
  const tokens = head
    .replace(/['’]s\b/gi, "")
    .split(/\s+/)
    .filter((t) => !FILLER.has(t.toLowerCase().replace(/[^a-z]/g, "")))
    .filter((t) => !/^v?\d+([._]\d+)*$/i.test(t));
  const words = tokens.flatMap((t) => splitWords(t)).filter((w) => !FILLER.has(w.toLowerCase()));
  const chosen = (words.length > 0 ? words : splitWords(title).filter((w) => !/^\d/.test(w))).slice(0, 4);
  const name = chosen.map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join("");
  return /^[A-Z][A-Za-z0-9]*$/.test(name) ? name : DEFAULT_CLIENT_NAME;
}
