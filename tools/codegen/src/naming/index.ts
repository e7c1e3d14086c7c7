export { applyNaming } from "./apply.ts";
export { clientStem, DEFAULT_CLIENT_NAME } from "./client.ts";
export { assignNames, type LanguageRules, makeRules, type NameKind, type NamingOptions } from "./rules.ts";
export { LANGUAGES, type Language, type NameSlots } from "./types.ts";
export { camelCase, kebabCase, pascalCase, snakeCase, splitWords, upperSnakeCase } from "./words.ts";
