#!/usr/bin/env bash
# The project's test command (README, .ci/run): on a fresh clone it installs everything it needs,
# then checks the generated files against the contract and runs every test of every language.
#
# A failing step never hides the others: each step runs whatever happened before it, turbo runs
# every task even when some fail (--continue=always), and the closing summary line
# `tests: N passed, N failed` is always printed, followed by the steps and turbo tasks that
# failed. The exit status is non-zero when anything failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
started=$(date +%s)
failed_steps=()

# Runs one step; a failure is remembered (and reported at the end), not fatal.
step() {
  local name="$1"
  shift
  if ! "$@"; then
    echo "test.sh: step failed: $name" >&2
    failed_steps+=("$name")
  fi
}

# System tools beyond Node (a C/C++ toolchain, python3 with venv, Rust), installed when missing.
step system-deps bash "$here/system-deps.sh"
step setup bash "$here/setup.sh"
step chromium bash "$here/install-chromium.sh"
source "$here/env.sh"
cd "$TKA_ROOT" || exit 1
# A throwaway PostgreSQL on loopback for the tests of the PostgreSQL store.
if TKA_TEST_DATABASE_URL="$(bash "$here/postgres.sh")"; then
  export TKA_TEST_DATABASE_URL
else
  failed_steps+=(postgres)
fi

# The Python virtualenv (pinned PyPI packages) before turbo: the generator's compile gates and
# both Python suites use it, and turbo runs them in parallel.
step python-env bash "$here/python-env.sh"

rm -rf -- */.reports */*/.reports .turbo/runs
# 1. Drift: generated files must be exactly what the contract, templates and generator produce.
step "gen --check" pnpm -s gen --check
# 2. Every package's lint, typecheck and tests, through turbo (cached: a no-op rerun is a cache
#    hit); every task runs even when another failed.
step turbo pnpm -s turbo run lint typecheck test test:python test:rust test:e2e-rust test:e2e-python test:schemathesis test:conformance test:examples test:readme-examples test:release \
  --continue=always --summarize --output-logs=new-only
# 3. The closing summary across every test runner, the failed steps and turbo tasks.
summary_args=()
for name in "${failed_steps[@]}"; do summary_args+=(--failed-step "$name"); done
node tools/scripts/summary.ts "${summary_args[@]}"
status=$?
echo "test.sh: done in $(($(date +%s) - started)) s"
exit "$status"
