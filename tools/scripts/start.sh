#!/usr/bin/env bash
# The project's start command (README): on a fresh clone, installs what is needed and starts the
# server on 127.0.0.1 (HOST, PORT and the server's other settings come from the environment).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/setup.sh"
source "$here/env.sh"
cd "$TKA_ROOT/packages/server"
exec node src/main.ts "$@"
