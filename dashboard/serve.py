"""``solewatch dashboard``: serve the dashboard, on this machine only unless a token is set."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050


def quiet_request_logs() -> None:
    """No health data in logs: the HTTP server's per-request lines (which carry query strings,
    e.g. ?token=) are switched off; warnings and errors still show."""
    for name in ("werkzeug", "dash", "uvicorn.access"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _cmd(args: argparse.Namespace) -> int:
    from dashboard.app import TOKEN_ENV, DashboardSecurityError, check_bind, create_app

    token = os.environ.get(TOKEN_ENV) or None
    try:
        check_bind(args.host, token)
    except DashboardSecurityError as exc:
        print(f"solewatch dashboard: {exc}", file=sys.stderr)
        return 2
    app = create_app(args.db, wearer=args.wearer, token=token)
    quiet_request_logs()
    print(f"solewatch dashboard on http://{args.host}:{args.port}/ (Ctrl-C stops it)",
          file=sys.stderr)
    app.run(host=args.host, port=args.port, debug=False)
    return 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "dashboard", help="show alerts, temperature history and notes in the browser",
        description="Serve the dashboard. It listens on 127.0.0.1 only; another --host is "
        "refused unless SOLEWATCH_DASHBOARD_TOKEN is set (then every browser needs the token).")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    p.add_argument("--db", metavar="URL", help="database URL (default: $SOLEWATCH_DB_URL, "
                   "else SQLite in $SOLEWATCH_HOME)")
    p.add_argument("--wearer", metavar="W", help="whose data to show (default: the first)")
    p.set_defaults(func=_cmd)
