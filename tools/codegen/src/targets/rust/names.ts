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

/** Methods every value has through blanket traits: a setter must not shadow them. */
const BLANKET = [
  "borrow",
  "borrow_mut",
  "clone",
  "clone_into",
  "fmt",
  "from",
  "into",
  "to_owned",
  "try_from",
  "try_into",
  "type_id",
];
/** The builder methods of the runtime's request types (pending.rs, pagination.rs, sse.rs), private ones too. */
const OWN = ["bind_params", "new", "options", "params", "params_mut"];

/**
 * The method names of the runtime type an operation's method returns, which its parameters'
 * setters must not take (a duplicate inherent method does not compile; one shadowing a trait
 * method breaks it): such a setter gets `_param` (`timeout_param`). Checked against the runtime's
 * sources by test/rust-setters.test.ts.
 */
export const RUNTIME_METHODS = {
  request: new Set([
    ...BLANKET,
    ...OWN,
    "header",
    "idempotency_key",
    "if_match",
    "into_future",
    "max_retries",
    "send",
    "timeout",
    "with_response",
  ]),
  paginator: new Set([
    ...BLANKET,
    ...OWN,
    "counted",
    "cursor_param",
    "first",
    "into_future",
    "items",
    "max_retries",
    "next_page",
    "page",
    "page_fields",
    "page_style",
    "pages",
    "spec_at",
    "timeout",
  ]),
  // An EventStream is a `Stream`: the methods of `StreamExt` and `TryStreamExt` too.
  stream: new Set([
    ...BLANKET,
    ...OWN,
    "close",
    "configure",
    "initial_reconnect_delay",
    "last_event_id",
    "last_event_id_start",
    "max_reconnect_delay",
    "max_reconnects",
    "poll_next",
    "size_hint",
    ..."all any boxed boxed_local buffer_unordered buffered by_ref catch_unwind chain chunks collect concat count cycle enumerate filter filter_map flat_map flat_map_unordered flatten flatten_unordered fold for_each for_each_concurrent forward fuse inspect into_future left_stream map next peekable poll_next_unpin ready_chunks right_stream scan select_next_some skip skip_while split take take_until take_while then unzip zip".split(
      " ",
    ),
    ..."and_then err_into into_async_read inspect_err inspect_ok into_stream map_err map_ok or_else try_buffer_unordered try_buffered try_chunks try_collect try_concat try_filter try_filter_map try_flatten try_flatten_unordered try_fold try_for_each try_for_each_concurrent try_next try_poll_next try_poll_next_unpin try_ready_chunks try_skip_while try_take_while".split(
      " ",
    ),
  ]),
};
