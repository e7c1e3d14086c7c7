#!/usr/bin/env bash
# The project's start command (README): on a fresh clone, installs what is needed and starts the
# server on 127.0.0.1 with the embedded database in ./data (settings: flags or environment,
# see `tools/scripts/start.sh --help`).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/setup.sh"
source "$here/env.sh"
cd "$TKA_ROOT"
exec node packages/server/src/main.ts "$@"
