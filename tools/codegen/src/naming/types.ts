export type Language = "typescript" | "python" | "rust";

export const LANGUAGES: readonly Language[] = ["typescript", "python", "rust"];

/** Per-language names attached to an IR node by the naming layer. */
export type NameSlots<T> = Partial<Record<Language, T>>;
