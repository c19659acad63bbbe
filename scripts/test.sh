#!/usr/bin/env bash
# The whole test suite: sets up .venv with the test extras, lints with ruff, starts a private
# PostgreSQL server for the store tests (scripts/pg-test-server.sh; installs Debian's
# postgresql first when missing and running as root), runs pytest, stops the server.
# Usage: bash scripts/test.sh [pytest arguments]
# SOLEWATCH_TEST_PG_URL=...  use that PostgreSQL database instead of starting a server.
# SOLEWATCH_SKIP_PG=1        no PostgreSQL: its store tests are skipped (saying why).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/env.sh" "test"
cd "$ROOT"
echo "== ruff" >&2
"$ROOT/.venv/bin/ruff" check .

if [ "${SOLEWATCH_SKIP_PG:-}" = 1 ]; then
    echo "== PostgreSQL: skipped (SOLEWATCH_SKIP_PG=1)" >&2
elif [ -n "${SOLEWATCH_TEST_PG_URL:-}" ]; then
    echo "== PostgreSQL: using SOLEWATCH_TEST_PG_URL" >&2
else
    echo "== PostgreSQL test server" >&2
    PG_DIR="$(mktemp -d /tmp/solewatch-pg.XXXXXX)"
    # Stop and remove the server however this script ends (tests failing, Ctrl-C, kill).
    trap 'bash "$ROOT/scripts/pg-test-server.sh" stop "$PG_DIR"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    PG_URL="$(bash "$ROOT/scripts/pg-test-server.sh" start "$PG_DIR")"
    export SOLEWATCH_TEST_PG_URL="$PG_URL"
fi
# Dashboard browser tests drive Debian's chromium through Playwright, whose bundled Node.js
# driver needs libatomic1 (absent from a minimal Debian). Install what is missing when root
# (as for PostgreSQL). Without them the browser tests are skipped, saying why.
NEED=()
command -v chromium >/dev/null 2>&1 || NEED+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libatomic\.so\.1' || NEED+=(libatomic1)
if [ "${#NEED[@]}" -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing Debian's ${NEED[*]} (dashboard browser tests)" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${NEED[@]}" >&2
fi
echo "== pytest" >&2
"$ROOT/.venv/bin/python" -m pytest "$@"
