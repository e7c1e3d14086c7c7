#!/usr/bin/env bash
# The Python end-to-end scenario (tests/e2e/python): the generated package in generated/python
# against the real server process, with the sync and the asyncio client. Lints and type-checks the
# suite (ruff, mypy --strict with the generated package on the path), then runs pytest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
source "$here/python-env.sh"
export PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH="$TKA_ROOT/generated/python"
cd "$TKA_ROOT/tests/e2e/python"
ruff check --no-cache .
ruff format --no-cache --check .
mypy --strict --no-incremental --cache-dir=/dev/null .
mkdir -p .reports
python -m pytest -p no:cacheprovider --junitxml=.reports/pytest.xml -q .
