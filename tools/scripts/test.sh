#!/usr/bin/env bash
# The project's test command (README, .ci/run): on a fresh clone it installs everything it needs,
# then checks the generated files against the contract and runs every test of every language.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/setup.sh"
bash "$here/install-chromium.sh"
source "$here/env.sh"
cd "$TKA_ROOT"
# A throwaway PostgreSQL on loopback for the tests of the PostgreSQL store.
TKA_TEST_DATABASE_URL="$(bash "$here/postgres.sh")"
export TKA_TEST_DATABASE_URL

# The Python virtualenv (pinned PyPI packages) before turbo: the generator's compile gates and
# both Python suites use it, and turbo runs them in parallel.
bash "$here/python-env.sh"

started=$(date +%s)
rm -rf -- */.reports */*/.reports
# 1. Drift: generated files must be exactly what the contract, templates and generator produce.
pnpm -s gen --check
# 2. Every package's lint, typecheck and tests, through turbo (cached: a no-op rerun is a cache hit).
pnpm -s turbo run lint typecheck test test:python test:rust test:e2e-rust test:e2e-python test:schemathesis --output-logs=new-only
# 3. The closing summary across every test runner.
node tools/scripts/summary.ts
echo "test.sh: done in $(( $(date +%s) - started )) s"
