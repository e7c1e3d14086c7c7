//! Test harness for the hand-written SDK runtime: it mounts `runtime/src/` as the crate's `runtime`
//! module, exactly as the generator copies it into a generated crate (`src/runtime/`), so the
//! runtime is compiled, linted and tested as it will ship.
#![warn(missing_docs)]

#[path = "../runtime/src/mod.rs"]
pub mod runtime;
