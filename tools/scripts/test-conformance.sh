#!/usr/bin/env bash
# The conformance regression gate: runs TypeSpec's http-specs scenarios through the generated SDKs
# against `tsp-spector serve` (tools/conformance) and fails when a scenario listed in
# tools/conformance/results/passing.json no longer passes. Compiled documents and generated SDKs
# are cached in tools/conformance/.work (by content hash), so a warm run only runs the clients.
# Report: tools/conformance/.reports/conformance.xml (one test case per gated scenario and language).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
source "$here/python-env.sh"
cd "$TKA_ROOT/tools/conformance"
node src/cli.ts --gate "$@"
