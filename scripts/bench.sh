#!/usr/bin/env bash
# The benchmarks: sets up .venv-bench (the project plus the `bench` extra, kept apart from
# .venv), then runs benchmarks/run.py on one thread and writes benchmarks/results/latest.json
# and latest.md. Idempotent; takes about 10 minutes on the 2-core reference machine.
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
exec "$ROOT/.venv-bench/bin/python" -m benchmarks.run "$@"
