#!/usr/bin/env bash
# The whole test suite: sets up .venv with the test extras, lints with ruff, runs pytest.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/env.sh" "test"
cd "$ROOT"
echo "== ruff" >&2
"$ROOT/.venv/bin/ruff" check .
echo "== pytest" >&2
exec "$ROOT/.venv/bin/python" -m pytest "$@"
