import { honoTarget } from "./hono/index.ts";
import { pythonTarget } from "./python/index.ts";
import { rustTarget } from "./rust/index.ts";
import type { Target } from "./types.ts";
import { typescriptTarget } from "./typescript/index.ts";

export { generate, templatesRoot } from "./generate.ts";
export type { Target, TargetFile } from "./types.ts";

/** Every target by name (the CLI's --target). */
export const targets: Record<string, () => Target> = {
  hono: () => honoTarget(),
  python: () => pythonTarget(),
  rust: () => rustTarget(),
  typescript: () => typescriptTarget(),
};
