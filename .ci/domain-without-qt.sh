#!/usr/bin/env bash
# The domain tests in a venv where Qt is not installed at all, on
# stores created with event compression (COMPRESSOR_TOPIC): proves the domain
# never needs Qt and that every read of stored events goes through the mapper.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
VENV=.venv-noqt
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# Every pinned dependency but Qt and its test plugin.
"$VENV/bin/python" - <<'PYEOF' > "$VENV/requirements.txt"
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
deps = project["dependencies"] + project["optional-dependencies"]["test"]
print("\n".join(d for d in deps if not d.lower().startswith(("pyside6", "pytest-qt"))))
PYEOF
"$VENV/bin/python" -m pip install --quiet -r "$VENV/requirements.txt"
"$VENV/bin/python" -m pip install --quiet --no-deps -e .
if "$VENV/bin/python" -c "import PySide6" 2>/dev/null; then
  echo "PySide6 is importable in $VENV: this step must run without Qt" >&2
  exit 1
fi
# The PostgreSQL tests already ran in the main pass: here they may skip.
env -u WORKERDESK_TEST_POSTGRES -u WORKERDESK_REQUIRE_POSTGRES -u WORKERDESK_REQUIRE_XVFB WORKERDESK_COMPRESSION=zlib \
  "$VENV/bin/python" -m pytest -q -p no:cacheprovider -n auto --dist worksteal tests/unit tests/integration
