/** What a step of `pnpm gen` gets to work with. */
export interface StepContext {
  /** The repository root (read inputs from here). */
  root: string;
  /** The staging directory: a step writes its output here, never into the tree. */
  staging: string;
  /** Writes one staged file at a path relative to the repository root. */
  write(path: string, content: string | Uint8Array): Promise<void>;
  /** Prints one line of progress. */
  log(line: string): void;
}

/**
 * One step of `pnpm gen`. A step owns its output directories: after all steps ran, the files it
 * staged there are written (or, with --check, compared), and files the folder's manifest lists
 * that it no longer stages are deleted (see tree.ts). Other files in the folder are left alone.
 */
export interface Step {
  name: string;
  /** Directories (relative to the repository root) this step generates into. */
  outputs: readonly string[];
  /**
   * Runs beside the steps after it (a check in another process, whose output no later step
   * reads): `pnpm gen` starts it in order, prints its lines when it ends, and waits for it before
   * writing anything.
   */
  background?: boolean;
  run(context: StepContext): Promise<void>;
}
