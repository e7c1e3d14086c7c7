#!/usr/bin/env bash
# Lints, type-checks and tests the hand-written Python SDK runtime (templates/python): ruff check,
# ruff format --check, mypy --strict (runtime, then tests + the runtime as `fakesdk._core`), pytest.
# Bootstraps .venv through python-env.sh. Exits non-zero on the first failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/scripts/python-env.sh
source "$here/python-env.sh"
# No bytecode files: they would change on every run and, seen through the tests' symlink to the
# runtime, make turbo's input hashes (and so its cache) change too.
export PYTHONDONTWRITEBYTECODE=1
cd "$TKA_ROOT/templates/python"

echo "test-python: ruff check" >&2
ruff check runtime tests
echo "test-python: ruff format --check" >&2
ruff format --check runtime tests
echo "test-python: mypy --strict" >&2
mypy --strict runtime
# tests/ is not a package: mypy checks its modules and fakesdk (with fakesdk/_core -> runtime).
(cd tests && mypy --strict --config-file ../pyproject.toml .)
echo "test-python: pytest" >&2
mkdir -p .reports
python -m pytest -p no:cacheprovider --junitxml=.reports/pytest.xml tests
