# shellcheck shell=bash
# Sourced by every repo script: makes Node >= 22.18 and pnpm 10 available on PATH.
#
# The machines ship an older Node, so when the system one is too old we install the
# `node` package (it carries the official binary) and pnpm from the npm registry into
# .toolchain/ at the repository root. Nothing is installed outside the checkout.
# No `set -e` here: this file is sourced and must not change the caller's shell options.

TKA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export TKA_ROOT
TKA_NODE_VERSION="22.23.3"   # the project's Node; >= 22.18 runs .ts files without a build step
TKA_PNPM_VERSION="10.34.9"   # pnpm 10 (later majors fail against this registry)
toolchain="$TKA_ROOT/.toolchain"

node_ok() { # true when `node` on PATH is >= 22.18
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=18)?0:1)' 2>/dev/null
}

export PATH="$toolchain/node_modules/.bin:$PATH"
if ! node_ok || ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$TKA_PNPM_VERSION" ]; then
  echo "tka: installing Node $TKA_NODE_VERSION and pnpm $TKA_PNPM_VERSION into .toolchain/ (once; about 20 s)" >&2
  tka_started=$(date +%s)
  mkdir -p "$toolchain"
  [ -f "$toolchain/package.json" ] || echo '{"private":true}' >"$toolchain/package.json"
  # The system npm does the install; its Node version does not matter here.
  npm install --prefix "$toolchain" --no-audit --no-fund --loglevel=error \
    "node@$TKA_NODE_VERSION" "pnpm@$TKA_PNPM_VERSION" >&2
  hash -r
  node_ok || { echo "tka: Node >= 22.18 is still not available" >&2; exit 1; }
  echo "tka: Node $(node --version) and pnpm $(pnpm --version) ready in $(($(date +%s) - tka_started)) s" >&2
  unset tka_started
fi
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
