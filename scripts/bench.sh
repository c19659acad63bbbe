#!/usr/bin/env bash
# The benchmarks: sets up .venv-bench (the project plus the `bench` extra, kept apart from
# .venv), then runs benchmarks/run.py on one core and writes benchmarks/results/latest.json
# and latest.md. Idempotent; takes about 10 minutes on the 2-core reference machine.
# Usage: bash scripts/bench.sh [arguments for benchmarks.run: see --help]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SOLEWATCH_VENV="$ROOT/.venv-bench" bash "$ROOT/scripts/env.sh" "bench"
cd "$ROOT"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
export NUMEXPR_NUM_THREADS=1 VECLIB_MAXIMUM_THREADS=1
export MPLBACKEND=Agg QT_QPA_PLATFORM=offscreen TQDM_DISABLE=1
PIN=()
if command -v taskset >/dev/null; then PIN=(taskset -c 0); fi  # one core, not just one thread
exec "${PIN[@]}" "$ROOT/.venv-bench/bin/python" -m benchmarks.run "$@"
