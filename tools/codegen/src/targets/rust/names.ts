// Names the rust target's methods need beyond the naming layer: raw identifiers without `r#`,
// trait method names clippy objects to, and the error for a parameter the target cannot send.
import { GeneratorError } from "../../errors.ts";
import type { Parameter } from "../../ir/types.ts";

/** Trait methods clippy wants implemented as the trait when a method has their name. */
export const TRAIT_METHODS = new Set([
  "add",
  "as_mut",
  "as_ref",
  "bitand",
  "bitor",
  "bitxor",
  "borrow",
  "borrow_mut",
  "clone",
  "cmp",
  "default",
  "deref",
  "deref_mut",
  "div",
  "drop",
  "eq",
  "from_iter",
  "from_str",
  "hash",
  "index",
  "index_mut",
  "into_iter",
  "mul",
  "neg",
  "next",
  "not",
  "rem",
  "shl",
  "shr",
  "sub",
]);

/** A name without its raw-identifier prefix (`r#type` -> `type`). */
export const bare = (name: string) => name.replace(/^r#/, "");

/** Rejects a parameter the target cannot send. */
export function refuse(p: Parameter, reason: string): never {
  throw new GeneratorError(p.source.file, p.source.pointer, `the rust target ${reason}`);
}
