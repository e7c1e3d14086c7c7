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
 * One step of `pnpm gen`. A step owns its output directories: after all steps ran, each owned
 * directory in the tree is made to match the staged one exactly (or, with --check, compared).
 */
export interface Step {
  name: string;
  /** Directories (relative to the repository root) this step generates, wholly. */
  outputs: readonly string[];
  /** Hand-written files inside `outputs` that must be left alone. */
  keep?: readonly string[];
  run(context: StepContext): Promise<void>;
}
