import type { ApiIR, Language } from "../ir/types.ts";

/** One file a target writes, relative to its output directory. */
export interface TargetFile {
  path: string;
  content: string;
}

/** Renders a handlebars template (path relative to templates/) with a view. */
export type Render = (template: string, view: object) => string;

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
  render(ir: ApiIR, render: Render): TargetFile[];
}
