#!/usr/bin/env bash
# A private, throwaway PostgreSQL server for the store tests (scripts/test.sh uses it).
#
#   bash scripts/pg-test-server.sh start DIR   # prints the SQLAlchemy URL on stdout
#   bash scripts/pg-test-server.sh stop DIR    # stops the server and removes DIR
#
# DIR must be a new or empty folder with a short path (the server's unix socket lives there;
# socket paths are limited to ~100 bytes). The server listens on that socket only (no TCP),
# trusts local connections, and runs with fsync off: test data, never anything to keep.
# Installs Debian's postgresql package when the server programs are missing and this runs as
# root; as another user it says what to install. Running as root, the server runs as the
# `postgres` OS user (initdb refuses root).
set -euo pipefail
ACTION="${1:-}"
DIR="${2:-}"
PORT=5432          # names the socket file only; nothing listens on TCP
DB=solewatch_test
if [ -z "$ACTION" ] || [ -z "$DIR" ]; then
    echo "usage: $0 start|stop DIR" >&2
    exit 2
fi

server_bin() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
    done
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

install_postgresql() {
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "PostgreSQL server programs (initdb, pg_ctl) not found. Install them (Debian:" \
             "sudo apt-get install postgresql), or set SOLEWATCH_TEST_PG_URL to a database" \
             "to use, or set SOLEWATCH_SKIP_PG=1 to skip the PostgreSQL store tests." >&2
        exit 1
    fi
    echo "Installing Debian's postgresql (for the store tests) ..." >&2
    local log
    log="$(mktemp)"
    local ok=0
    for _ in 1 2; do
        # Wait for another apt/dpkg (e.g. unattended-upgrades on a fresh machine) rather than fail.
        if { apt-get -o DPkg::Lock::Timeout=300 update -qq \
             && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
                 --no-install-recommends postgresql; } >"$log" 2>&1; then
            ok=1
            break
        fi
        sleep 2
    done
    if [ "$ok" != 1 ] && ! server_bin >/dev/null; then
        tail -n 30 "$log" >&2
        echo "Installing postgresql failed (log above)." >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
}

start() {
    local bin
    bin="$(server_bin)" || { install_postgresql; bin="$(server_bin)"; }
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "Running as root but there is no 'postgres' OS user to run the server as" \
             "(Debian's postgresql package creates it)." >&2
        exit 1
    fi
    mkdir -p "$DIR"
    DIR="$(cd "$DIR" && pwd)"
    if [ -n "$(ls -A "$DIR")" ]; then
        echo "$DIR is not empty; give a new folder." >&2
        exit 1
    fi
    chmod 700 "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    # The server programs return to the working directory after resolving their own path;
    # the postgres user may not be allowed into the caller's (e.g. /root/...).
    cd "$DIR"
    if ! as_owner "$bin/initdb" -D "$DIR/data" -U postgres --auth=trust --no-sync \
            -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1; then
        cat "$DIR/initdb.log" >&2
        echo "initdb failed (log above)." >&2
        exit 1
    fi
    if ! as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \
            -o "-c listen_addresses='' -c unix_socket_directories='$DIR' -c port=$PORT \
                -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null; then
        tail -n 30 "$DIR/server.log" >&2 || true
        echo "The PostgreSQL test server did not start (log above)." >&2
        exit 1
    fi
    as_owner "$bin/createdb" -h "$DIR" -p "$PORT" -U postgres "$DB"
    echo "postgresql+psycopg://postgres@/$DB?host=$DIR&port=$PORT"
}

stop() {
    [ -d "$DIR" ] || return 0
    DIR="$(cd "$DIR" && pwd)"
    cd /
    if [ -f "$DIR/data/postmaster.pid" ]; then
        local bin
        bin="$(server_bin)"
        as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w -t 20 stop >/dev/null 2>&1 \
            || as_owner "$bin/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 \
            || echo "could not stop the PostgreSQL test server in $DIR" >&2
    fi
    rm -rf "$DIR"
}

case "$ACTION" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
