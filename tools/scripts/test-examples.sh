#!/usr/bin/env bash
# Runs the examples (examples/typescript, python, rust) against one real server: starts
# packages/server on a free port with a temporary data directory and a known API key, runs each
# program with TKA_BASE_URL and TKA_API_KEY set (as the README tells users to), checks that it
# exits 0 and printed what each of its four parts shows (the edits, undo/redo, two live events,
# the conflict handled), lints the Python and Rust ones (ruff, mypy --strict; fmt, clippy), and
# stops the server. Report: examples/.reports/examples.xml (JUnit, counted by summary.ts).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
source "$here/python-env.sh"
examples="$TKA_ROOT/examples"
reports="$examples/.reports"
work="$(mktemp -d)"
key="example-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
server_pid=""
JUNIT_PREFIX=test-examples
source "$here/lib/junit.sh"
mkdir -p "$reports"
rm -f -- "$reports/examples.xml"

finish() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  junit_write "$reports/examples.xml" test-examples.sh
  rm -rf -- "$work"
  echo "test-examples: $((${#junit_cases[@]} - junit_failed)) passed, $junit_failed failed"
  [ "$junit_failed" -eq 0 ]
}
trap 'finish; exit $?' EXIT

# The TypeScript example imports the SDK as a user would (its built package).
[ -f "$TKA_ROOT/packages/sdk-ts/dist/esm/index.js" ] || pnpm -s -F tka-sdk build

PORT=0 HOST=127.0.0.1 DATA_DIR="$work/data" API_KEYS="default=$key" LOG_FORMAT=json LOG_LEVEL=warn \
  node "$TKA_ROOT/packages/server/src/main.ts" >"$work/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 600); do
  url="$(sed -n 's/.*"msg":"listening","url":"\([^"]*\)".*/\1/p' "$work/server.log" | head -n 1)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  junit_record "the server starts" fail "no listening line within 60 s: $(tail -n 5 "$work/server.log")"
  exit 1
fi
junit_record "the server starts" ok
export TKA_BASE_URL="$url" TKA_API_KEY="$key"

# check <language> <output file>: the program printed each part's outcome.
check() {
  local out="$2" missing=()
  grep -q '^created seq_.*: word ABC$' "$out" || missing+=("created")
  grep -q '^edited: word DABC, 4 beats' "$out" || missing+=("edited")
  grep -q '^undid "' "$out" && grep -q '^redid "' "$out" || missing+=("undo/redo")
  [ "$(grep -c '^event ' "$out")" -eq 2 ] || missing+=("two live events")
  grep -q '^conflict: VERSION_MISMATCH (request req_' "$out" || missing+=("conflict")
  grep -q '^done: "Mine"' "$out" || missing+=("done")
  if [ "${#missing[@]}" -eq 0 ]; then junit_record "$1 example runs" ok; else junit_record "$1 example runs" fail "missing: ${missing[*]}; $(tail -n 3 "$out")"; fi
}

# run <language> <dir> <command...>: runs the example (2 minutes at most), then checks its output.
run() {
  local name="$1" dir="$2"
  shift 2
  if (cd "$dir" && timeout 600 "$@") >"$work/$name.out" 2>&1; then
    check "$name" "$work/$name.out"
  else
    junit_record "$name example runs" fail "exit $?: $(tail -n 5 "$work/$name.out")"
  fi
  sed "s/^/  $name | /" "$work/$name.out"
}

run typescript "$examples/typescript" node quickstart.ts

if (cd "$examples/python" && ruff check --no-cache . && ruff format --no-cache --check . &&
  PYTHONPATH="$TKA_ROOT/generated/python" mypy --strict --no-incremental --cache-dir=/dev/null .) >"$work/py-lint.out" 2>&1; then
  junit_record "python example passes ruff and mypy --strict" ok
else
  junit_record "python example passes ruff and mypy --strict" fail "$(tail -n 5 "$work/py-lint.out")"
fi
PYTHONPATH="$TKA_ROOT/generated/python" PYTHONDONTWRITEBYTECODE=1 run python "$examples/python" python quickstart.py

# The Rust build directory is shared with the SDK's other Rust checks (dependencies compile once).
export CARGO_TARGET_DIR="$TKA_ROOT/templates/rust/target"
if (cd "$examples/rust" && cargo fmt --check && cargo clippy --all-targets --locked -q -- -D warnings) >"$work/rs-lint.out" 2>&1; then
  junit_record "rust example passes fmt and clippy -D warnings" ok
else
  junit_record "rust example passes fmt and clippy -D warnings" fail "$(tail -n 5 "$work/rs-lint.out")"
fi
run rust "$examples/rust" cargo run -q --locked

if grep -q '"level":"error"' "$work/server.log"; then
  junit_record "the server logged no error" fail "$(grep '"level":"error"' "$work/server.log" | head -n 3)"
else
  junit_record "the server logged no error" ok
fi
