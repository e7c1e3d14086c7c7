#!/usr/bin/env bash
# The Python end-to-end scenario (tests/e2e/python): the generated package in generated/python
# against the real server process, with the sync and the asyncio client. The package is built as
# a wheel and installed into .venv first, as a user would get it (so packaging is checked too:
# metadata, py.typed, the runtime inside). Then ruff, mypy --strict and pytest on the suite.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
source "$here/python-env.sh"
export PYTHONDONTWRITEBYTECODE=1
wheels="$(mktemp -d)"
trap 'rm -rf -- "$wheels"' EXIT
python -m pip wheel --quiet --no-deps --no-build-isolation -w "$wheels" "$TKA_ROOT/generated/python"
python -m pip install --quiet --no-deps --force-reinstall "$wheels"/*.whl
cd "$TKA_ROOT/tests/e2e/python"
python - <<'PY'
# The installed package, not the source tree: typed (PEP 561) and carrying its runtime.
import importlib.resources, tka
assert "site-packages" in tka.__file__, tka.__file__
assert importlib.resources.files("tka").joinpath("py.typed").is_file()
assert importlib.resources.files("tka._core").joinpath("py.typed").is_file()
PY
ruff check --no-cache .
ruff format --no-cache --check .
mypy --strict --no-incremental --cache-dir=/dev/null .
mkdir -p .reports
python -m pytest -p no:cacheprovider --junitxml=.reports/pytest.xml -q .
