import {
  DEFAULT_RUNTIME_NAMES,
  METHOD_PARAMS,
  PY_GLOBAL_TYPES,
  PY_KEYWORDS,
  PY_MODEL_MEMBERS,
  PY_SOFT_KEYWORDS,
  RESOURCE_MEMBERS,
  RUST_GLOBAL_TYPES,
  RUST_KEYWORDS,
  RUST_NON_RAW,
  TS_GLOBAL_TYPES,
  TS_KEYWORDS,
  UNKNOWN_MEMBER,
} from "./reserved.ts";
import type { Language } from "./types.ts";
import { camelCase, kebabCase, pascalCase, snakeCase, splitWords, upperSnakeCase } from "./words.ts";

/** What kind of identifier is being named; each has its own case, prefix and escaping. */
export type NameKind = "type" | "field" | "param" | "method" | "member" | "variant" | "module" | "property";

/** Word put in front of a name that would start with a digit or be empty. */
const PREFIX: Record<NameKind, string> = {
  type: "Model",
  field: "field",
  param: "param",
  method: "call",
  member: "V",
  variant: "V",
  module: "model",
  property: "group",
};

export interface LanguageRules {
  language: Language;
  /** Case conversion plus digit/empty handling; no reserved-word handling. */
  convert(kind: NameKind, raw: string): string;
  /** Escape a converted name that is reserved for this kind. */
  escape(kind: NameKind, name: string): string;
  isReserved(kind: NameKind, name: string): boolean;
  /** The n-th (n >= 2) disambiguated form of a name. */
  suffix(kind: NameKind, name: string, n: number): string;
}

export interface NamingOptions {
  /** Extra runtime names per language that model types must avoid (added to the defaults). */
  runtimeNames?: Partial<Record<Language, string[]>>;
}

function caseFor(language: Language, kind: NameKind): (s: string) => string {
  if (kind === "type" || kind === "variant") return pascalCase;
  if (language === "typescript") {
    if (kind === "module") return kebabCase;
    if (kind === "member") return pascalCase;
    return camelCase;
  }
  if (kind === "member") return language === "python" ? upperSnakeCase : pascalCase;
  return snakeCase;
}

function numberWords(raw: string): string {
  // Keep a sign visible: "-1" -> "minus 1", "+1" -> "plus 1"; "1.5" -> "1 5".
  return raw.replace(/^-(?=\d)/, "minus ").replace(/^\+(?=\d)/, "plus ");
}

export function makeRules(language: Language, options: NamingOptions = {}): LanguageRules {
  const runtime = new Set([...DEFAULT_RUNTIME_NAMES[language], ...(options.runtimeNames?.[language] ?? [])]);
  const keywords = new Set(
    language === "typescript"
      ? TS_KEYWORDS
      : language === "python"
        ? [...PY_KEYWORDS, ...PY_SOFT_KEYWORDS]
        : RUST_KEYWORDS,
  );
  // Python model fields may be soft keywords (`event.type`), but not `_` (a private attribute).
  const fieldKeywords = language === "python" ? new Set([...PY_KEYWORDS, "_"]) : keywords;
  const globals = new Set(
    language === "typescript" ? TS_GLOBAL_TYPES : language === "python" ? PY_GLOBAL_TYPES : RUST_GLOBAL_TYPES,
  );
  const modelMembers = new Set(language === "python" ? PY_MODEL_MEMBERS : []);
  const resourceMembers = new Set(RESOURCE_MEMBERS[language]);
  const methodParams = new Set(METHOD_PARAMS[language]);
  const unknown = UNKNOWN_MEMBER[language];
  const sep = language === "typescript" ? "" : "_";

  const isReserved = (kind: NameKind, name: string): boolean => {
    switch (kind) {
      case "type":
        return keywords.has(name) || globals.has(name) || runtime.has(name);
      case "field":
        // TS property names may be keywords (`obj.in`, `{ class: 1 }` are valid).
        return language === "typescript" ? false : fieldKeywords.has(name) || modelMembers.has(name);
      case "param":
        return keywords.has(name) || methodParams.has(name);
      case "method":
        return (language === "typescript" ? false : keywords.has(name)) || resourceMembers.has(name);
      case "member":
      case "variant":
        return name === unknown || keywords.has(name);
      case "module":
        return language === "python" ? keywords.has(name) : language === "rust" ? keywords.has(name) : false;
      case "property":
        return language === "typescript" ? false : keywords.has(name);
    }
  };

  const escapeName = (kind: NameKind, name: string): string => {
    if (!isReserved(kind, name)) return name;
    if (kind === "type") return `${name}Model`;
    if (kind === "member" || kind === "variant") return language === "python" ? `${name}_` : `${name}Value`;
    if (
      language === "rust" &&
      (kind === "field" || kind === "param" || kind === "method") &&
      keywords.has(name) &&
      !RUST_NON_RAW.includes(name)
    ) {
      return `r#${name}`;
    }
    if (language === "typescript" && kind === "param" && methodParams.has(name)) return `${name}Param`;
    if (language !== "typescript" && kind === "param" && methodParams.has(name)) return `${name}_param`;
    return `${name}_`;
  };

  const convert = (kind: NameKind, raw: string): string => {
    const conv = caseFor(language, kind);
    let name = conv(numberWords(raw));
    if (name === "" || /^[0-9]/.test(name)) {
      const prefix = raw === "" && (kind === "member" || kind === "variant") ? "empty" : PREFIX[kind];
      name = conv(`${prefix} ${splitWords(numberWords(raw)).join(" ")}`);
    }
    return name;
  };

  const suffix = (kind: NameKind, bare: string, n: number): string => {
    if (kind === "type" || kind === "variant" || (kind === "member" && language !== "python")) return `${bare}${n}`;
    if (kind === "module" && language === "typescript") return `${bare}-${n}`;
    return `${bare}${sep}${n}`;
  };

  return { language, convert, escape: escapeName, isReserved, suffix };
}

/**
 * Give each item of one scope a unique name. Items whose converted name equals their raw
 * name (already idiomatic) win ties; then declaration order. `taken` are names already used
 * in the scope (e.g. other namespaces sharing it).
 */
export function assignNames(
  rules: LanguageRules,
  kind: NameKind,
  raws: readonly string[],
  taken: Iterable<string> = [],
): string[] {
  const used = new Set(taken);
  const usedLower = new Set([...used].map((u) => u.toLowerCase()));
  const clash = (name: string): boolean => used.has(name) || (kind === "module" && usedLower.has(name.toLowerCase()));
  const bases = raws.map((raw) => rules.convert(kind, raw));
  const candidates = bases.map((b) => rules.escape(kind, b));
  const order = raws
    .map((_, i) => i)
    .sort((a, b) => Number(candidates[b] === raws[b]) - Number(candidates[a] === raws[a]) || a - b);
  const out: string[] = new Array(raws.length);
  for (const i of order) {
    // Suffix the escaped form (SelfValue -> SelfValue2) except raw identifiers (r#type -> type_2).
    const cand = candidates[i] as string;
    const base = cand.startsWith("r#") ? (bases[i] as string) : cand.replace(/(.)_+$/, "$1");
    let name = cand;
    for (let n = 2; clash(name); n++) name = rules.escape(kind, rules.suffix(kind, base, n));
    used.add(name);
    usedLower.add(name.toLowerCase());
    out[i] = name;
  }
  return out;
}
