#!/usr/bin/env bash
# The three SDK overhead benchmarks, one after the other against the same local server program
# (packages/sdk-ts/bench/peer-server.ts): TypeScript SDK vs raw fetch, Python SDK vs raw httpx,
# Rust SDK vs raw reqwest (release build). Each prints a JSON document; they are saved in
# tools/sdk-bench/results/ (typescript: packages/sdk-ts/bench/results/overhead.json). All three
# measure interleaved pairs of batches (docs/sdk-runtime.md, Overhead): read the median of the
# per-pair CPU ratios with its interquartile range.
# Not a test: figures for the README. Usage: tools/sdk-bench/run.sh [typescript|python|rust ...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../scripts/env.sh"
results="$here/results"
mkdir -p "$results"
which=("$@")
[ ${#which[@]} -eq 0 ] && which=(typescript python rust)
server_pid=""
trap '[ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null; wait 2>/dev/null' EXIT

# Starts the peer server; sets base.
start_server() {
  local out
  out="$(mktemp)"
  node "$TKA_ROOT/packages/sdk-ts/bench/peer-server.ts" >"$out" &
  server_pid=$!
  for _ in $(seq 1 300); do
    port="$(sed -n 's/^listening //p' "$out")"
    [ -n "$port" ] && break
    sleep 0.1
  done
  rm -f -- "$out"
  [ -n "$port" ] || { echo "run.sh: the peer server did not start" >&2; exit 1; }
  base="http://127.0.0.1:$port"
}

for lang in "${which[@]}"; do
  case "$lang" in
    typescript)
      (cd "$TKA_ROOT/packages/sdk-ts" && node bench/overhead.ts)
      ;;
    python)
      source "$here/../scripts/python-env.sh"
      start_server
      PYTHONPATH="$TKA_ROOT/generated/python" python "$here/python/overhead.py" "$base" | tee "$results/python.json"
      kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
      ;;
    rust)
      export CARGO_TARGET_DIR="$TKA_ROOT/templates/rust/target"
      (cd "$here/rust" && cargo build --release --offline -q)
      start_server
      "$CARGO_TARGET_DIR/release/tka-sdk-bench" "$base" | tee "$results/rust.json"
      kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
      ;;
    *) echo "run.sh: unknown benchmark $lang (typescript, python, rust)" >&2; exit 2 ;;
  esac
done
