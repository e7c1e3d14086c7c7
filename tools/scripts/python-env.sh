#!/usr/bin/env bash
# Creates (or reuses) the repository's Python virtualenv at .venv and installs the exact pins of
# templates/python/requirements-dev.txt (the SDK's tools) and tests/schemathesis/requirements.txt
# (Schemathesis) into it. Idempotent and fast when already done: pip only runs when the
# requirements files' hash differs from the stamp kept inside .venv.
#
# Run it (`bash tools/scripts/python-env.sh`) or source it (`source tools/scripts/python-env.sh`):
# sourcing also puts .venv/bin first on PATH and exports TKA_VENV.
set -euo pipefail

TKA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TKA_VENV="$TKA_ROOT/.venv"
export TKA_ROOT TKA_VENV
_tka_requirements=("$TKA_ROOT/templates/python/requirements-dev.txt" "$TKA_ROOT/tests/schemathesis/requirements.txt"
  "$TKA_ROOT/tools/release/requirements.txt")
_tka_stamp="$TKA_VENV/.requirements-dev.sha256"

if [ ! -x "$TKA_VENV/bin/python" ]; then
  echo "python-env: creating $TKA_VENV" >&2
  # The floor every Python package and tool here declares (requires-python, ruff, mypy).
  python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
    || { echo "python-env: python3 >= 3.10 is required (tools/scripts/system-deps.sh python installs it on Debian)" >&2; exit 1; }
  rm -rf -- "$TKA_VENV"
  python3 -m venv "$TKA_VENV"
fi

_tka_hash="$(cat "${_tka_requirements[@]}" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$_tka_stamp" ] || [ "$(cat "$_tka_stamp")" != "$_tka_hash" ]; then
  echo "python-env: installing ${_tka_requirements[*]#"$TKA_ROOT/"}" >&2
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$TKA_VENV/bin/python" -m pip install --quiet \
    --no-input "${_tka_requirements[@]/#/-r}" >&2
  echo "$_tka_hash" >"$_tka_stamp"
fi
unset _tka_requirements _tka_stamp _tka_hash

export PATH="$TKA_VENV/bin:$PATH"
