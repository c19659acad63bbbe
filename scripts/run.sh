#!/usr/bin/env bash
# The main job on the embedded default: analyse the bundled fixtures and print the report.
# Usage: bash scripts/run.sh [extra arguments for 'solewatch analyze']
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/env.sh" ""
cd "$ROOT"
exec "$ROOT/.venv/bin/solewatch" analyze fixtures/data/demo "$@"
