#!/usr/bin/env bash
# Installs everything the JavaScript side needs: Node 22 + pnpm 10 (if the system's are older)
# and the workspace's packages. Idempotent; fast when nothing changed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$TKA_ROOT"
if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --reporter=append-only
fi
