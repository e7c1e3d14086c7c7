import { cliTarget } from "./cli/index.ts";
import { honoTarget } from "./hono/index.ts";
import { pythonTarget } from "./python/index.ts";
import { rustTarget } from "./rust/index.ts";
import type { Target } from "./types.ts";
import { typescriptTarget } from "./typescript/index.ts";

export { generate, templatesRoot } from "./generate.ts";
export type { Target, TargetFile } from "./types.ts";

/** Every target by name (the CLI's --target), each made from its options (the target's own type). */
// biome-ignore lint/suspicious/noExplicitAny: each target declares its own options type.
export const targets: Record<string, (options?: any) => Target> = {
  cli: (options) => cliTarget(options),
  hono: () => honoTarget(),
  python: (options) => pythonTarget(options),
  rust: (options) => rustTarget(options),
  typescript: (options) => typescriptTarget(options),
};
