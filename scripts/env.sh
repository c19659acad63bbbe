#!/usr/bin/env bash
# Shared by scripts/run.sh, scripts/test.sh and scripts/bench.sh: make .venv with the
# project installed (editable) and the given extras. Idempotent: reinstalls only when
# pyproject.toml or the extras change. Works on a fresh Debian 12 with Python 3.11.
# SOLEWATCH_VENV names another environment (scripts/bench.sh uses .venv-bench so that
# benchmark-only packages never enter .venv).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXTRAS="${1:-}"
VENV="${SOLEWATCH_VENV:-$ROOT/.venv}"
PY="${SOLEWATCH_PYTHON:-python3}"

if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    echo "solewatch needs Python >= 3.11 as '$PY' (set SOLEWATCH_PYTHON to another one)." >&2
    exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "Installing Debian's python3-venv ..." >&2
            apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
            "$PY" -m venv "$VENV"
        else
            echo "Cannot create a virtual environment: install python3-venv (apt-get install python3-venv)." >&2
            exit 1
        fi
    fi
fi
STAMP="$VENV/.solewatch-installed"
WANT="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16) extras=[$EXTRAS]"
if [ ! -f "$STAMP" ] || ! grep -qxF "$WANT" "$STAMP"; then
    echo "Installing solewatch and its dependencies into $(basename "$VENV") ..." >&2
    LOG="$VENV/pip-install.log"
    SPEC="$ROOT"
    [ -n "$EXTRAS" ] && SPEC="$ROOT[$EXTRAS]"
    if ! { "$VENV/bin/python" -m pip install --upgrade pip \
           && "$VENV/bin/python" -m pip install -e "$SPEC"; } > "$LOG" 2>&1; then
        tail -n 40 "$LOG" >&2
        echo "Installing failed; the whole log is in $LOG" >&2
        exit 1
    fi
    echo "$WANT" >> "$STAMP"
fi
