#!/usr/bin/env bash
# The main job: `solewatch demo`, the dashboard on http://127.0.0.1:8050/ over a generated
# history (with a hotspot that raises an alert) and two virtual insoles streaming live over a
# virtual radio. Sets up .venv first (scripts/env.sh). Ctrl-C stops it.
# Usage: bash scripts/run.sh [extra arguments for 'solewatch demo', e.g. --port 8060 --fresh]
# The text report of the bundled fixtures is still: .venv/bin/solewatch analyze fixtures/data/demo
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/env.sh" ""
cd "$ROOT"
exec "$ROOT/.venv/bin/solewatch" demo "$@"
