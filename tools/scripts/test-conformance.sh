#!/usr/bin/env bash
# The conformance regression gate: runs TypeSpec's http-specs scenarios through the generated SDKs
# against `tsp-spector serve` and the generated Hono skeleton under `tsp-spector knock`
# (tools/conformance), and fails when a scenario listed in tools/conformance/results/passing.json
# no longer passes. Compiled documents, generated code, the Rust target dir and Python bytecode
# are cached in tools/conformance/.work (by content hash), so a warm run mostly runs the clients.
# Report: tools/conformance/.reports/conformance.xml (one test case per gated scenario and
# target); a run that stops before writing it leaves a report naming the stop instead.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
source "$here/python-env.sh"
source "$here/lib/junit.sh"
reports="$TKA_ROOT/tools/conformance/.reports"
mkdir -p "$reports"
rm -f -- "$reports/conformance.xml"
cd "$TKA_ROOT/tools/conformance" || exit 1
status=0
node src/cli.ts --gate "$@" || status=$?
if [ ! -s "$reports/conformance.xml" ]; then
  JUNIT_PREFIX=test-conformance junit_record "test-conformance.sh" fail "stopped with status $status before writing its report"
  junit_write "$reports/conformance.xml" conformance
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
