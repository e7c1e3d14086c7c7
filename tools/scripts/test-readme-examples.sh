#!/usr/bin/env bash
# Compiles the code examples of the three SDK READMEs (tsc --strict, mypy --strict, cargo check)
# and the Rust crate's rustdoc examples (cargo test --doc): tools/scripts/readme-examples.ts.
# Report: tools/scripts/.reports (JUnit and the cargo test log, counted by summary.ts).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
source "$here/python-env.sh"
command -v cargo >/dev/null 2>&1 || {
  echo "test-readme-examples.sh: cargo >= 1.85 is missing: run tools/scripts/system-deps.sh rust as root (Debian/Ubuntu), or install https://rustup.rs" >&2
}
exec node "$here/readme-examples.ts" "$@"
