#!/usr/bin/env bash
# The benchmarks: sets up .venv-bench (the project plus the `bench` extra, kept apart from
# .venv), then on one thread runs
#   benchmarks.run     10-hour analysis, memory, kineticstoolkit side by side, gaitndd accuracy
#                      -> benchmarks/results/latest.json, latest.md (and benchmarks/README.md)
#   benchmarks.decode  BLE frame decode throughput   -> benchmarks/results/decode.txt
#   benchmarks.ble     notification latency and CPU per insole over the virtual radio
#                                                     -> benchmarks/results/ble.txt
#   benchmarks.clinic  re-analysis on a Dask LocalCluster, 1 and 2 workers, into a private
#                      PostgreSQL; database and raw log sizes -> benchmarks/results/clinic.txt
#   benchmarks.live    the Live page in headless chromium, 1 and 3 tabs: frames drawn/s, server
#                      CPU -> benchmarks/results/live.json, live.md (needs Playwright + chromium);
#                      again in a desktop (headed) window when Xvfb or a display is there
#                      -> live-headed.json, live-headed.md
# Idempotent; takes about 20 minutes on the 2-core reference machine.
# Usage: bash scripts/bench.sh [arguments for benchmarks.run: see --help]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SOLEWATCH_VENV="$ROOT/.venv-bench" bash "$ROOT/scripts/env.sh" "bench"
cd "$ROOT"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
export NUMEXPR_NUM_THREADS=1 VECLIB_MAXIMUM_THREADS=1
export MPLBACKEND=Agg QT_QPA_PLATFORM=offscreen TQDM_DISABLE=1
# One thread does all the work, so the analysis runs on one core at a time. It is not pinned
# to a fixed CPU: on a shared machine that CPU may be the busy one.
PY="$ROOT/.venv-bench/bin/python"
"$PY" -m benchmarks.run "$@"
echo "== BLE frame decode" >&2
"$PY" -m benchmarks.decode | tee "$ROOT/benchmarks/results/decode.txt"
echo "== BLE latency and CPU per insole" >&2
"$PY" -m benchmarks.ble | tee "$ROOT/benchmarks/results/ble.txt"
echo "== Clinic re-analysis on Dask (1 and 2 workers, PostgreSQL)" >&2
"$PY" -m benchmarks.clinic | tee "$ROOT/benchmarks/results/clinic.txt"
echo "== Live dashboard page in headless chromium (1 and 3 tabs)" >&2
"$PY" -m benchmarks.live
if [ -n "${DISPLAY:-}" ] || command -v Xvfb >/dev/null 2>&1; then
    echo "== Live dashboard page in a desktop (headed) chromium window" >&2
    "$PY" -m benchmarks.live --headed
else
    echo "== Live dashboard page, desktop window: skipped (no display and no Xvfb; apt-get install xvfb)" >&2
fi
