import type { ApiIR, Language } from "../ir/types.ts";

/** One file a target writes, relative to its output directory. */
export interface TargetFile {
  path: string;
  content: string;
}

/** Renders a handlebars template (path relative to templates/) with a view. */
export type Render = (template: string, view: object) => string;

/** What a refused part of the output is. */
export type Subject = { operation: string } | { model: string };

/**
 * Lets a target refuse one operation (or model) and go on with the rest: `attempt` runs `fn`
 * and, when it throws a GeneratorError, records the refusal against `subject` and returns null.
 * `generate` then leaves the refused parts out of the IR and renders again, so the files a run
 * writes never hold a half-rendered part.
 */
export interface RenderContext {
  attempt<T>(subject: Subject, fn: () => T): T | null;
}

/**
 * A generator target. It turns the named IR into files through handlebars templates; its
 * hand-written runtime (a folder under templates/) is copied verbatim beside them.
 */
export interface Target {
  name: string;
  /** The language whose names (IR `names.<language>`) the target uses. */
  language: Language;
  /** The runtime folder under templates/, copied verbatim; omit for none. */
  runtimeDir?: string;
  /** Where the runtime lands in the output directory. */
  runtimeOut?: string;
  /** More runtime folders copied verbatim (a target built on another copies that one's too). */
  extraRuntimes?: ReadonlyArray<{ dir: string; out: string }>;
  /** Output folders holding another target's files (its goldens cover them, this target's skip them). */
  embeds?: readonly string[];
  render(ir: ApiIR, render: Render, context: RenderContext): TargetFile[];
}
