#!/usr/bin/env bash
# The Rust end-to-end scenario (tests/e2e/rust): the generated crate against the real server.
# Shares the Rust build directory with the runtime harness, so dependencies compile once.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
crate="$TKA_ROOT/tests/e2e/rust"
export CARGO_TARGET_DIR="$TKA_ROOT/templates/rust/target"
cd "$crate"
command -v cargo >/dev/null 2>&1 || {
  echo "test-e2e-rust.sh: cargo >= 1.85 is missing: run tools/scripts/system-deps.sh rust as root (Debian/Ubuntu), or install https://rustup.rs" >&2
  exit 1
}
cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
mkdir -p .reports
cargo test --locked 2>&1 | tee .reports/cargo-test.log
