"""``solewatch dashboard``: serve the dashboard, on this machine only unless a token is set.

The pieces every command that serves the dashboard shares (``solewatch dashboard`` and
``solewatch demo``): :func:`access_token` (the host/token check), :func:`quiet_request_logs`
(no health data in logs), :func:`bind` and :func:`serve_until_stopped` (serve until Ctrl-C or
SIGTERM, then stop cleanly, exit 0).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050
#: Exit code when the address is refused (no token for a non-local host) or cannot be bound.
EXIT_REFUSED = 2


class ServeError(Exception):
    """The dashboard cannot be served as asked (the message says what to do)."""


def prepare_store(url: str | None) -> None:
    """Open the history store at ``url`` and bring its schema up to date (creating the
    embedded SQLite store on first use), so every page works on a fresh machine. A store
    that cannot be opened is a ServeError saying which one and why."""
    from sqlalchemy.exc import SQLAlchemyError

    from solewatch.store import Store, resolve_url
    from solewatch.store.errors import StoreError

    try:
        shown = resolve_url(url).render_as_string(hide_password=True)
    except (StoreError, SQLAlchemyError, ValueError) as exc:
        raise ServeError(f"the database URL {url!r} is not usable: {exc}") from exc
    try:
        store = Store.open(url)
        try:
            store.migrate()
        finally:
            store.close()
    except (StoreError, SQLAlchemyError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ServeError(f"cannot open the history store {shown}: {first}. Check --db / "
                         "SOLEWATCH_DB_URL and that the database server is running.") from exc


def quiet_request_logs() -> None:
    """No health data in logs: the HTTP server's per-request lines (which carry query strings,
    e.g. ?token=) are switched off; warnings and errors still show."""
    for name in ("werkzeug", "dash", "uvicorn.access"):
        logging.getLogger(name).setLevel(logging.WARNING)


def access_token(host: str) -> str | None:
    """The access token ($SOLEWATCH_DASHBOARD_TOKEN, None when unset) after checking that
    ``host`` may be served with it: any non-loopback host needs one.
    Raises :class:`ServeError` with the reason otherwise."""
    from dashboard.app import TOKEN_ENV, DashboardSecurityError, check_bind

    token = os.environ.get(TOKEN_ENV) or None
    try:
        check_bind(host, token)
    except DashboardSecurityError as exc:
        raise ServeError(str(exc)) from exc
    return token


def bind(app: Any, host: str, port: int) -> Any:
    """A threaded WSGI server for the Dash ``app`` listening on host:port (not yet serving).
    Raises :class:`ServeError` when the address cannot be used (e.g. the port is taken)."""
    from werkzeug.serving import make_server

    quiet_request_logs()
    try:
        return make_server(host, port, app.server, threaded=True)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); is another "
                         "dashboard running? Stop it or choose another --port") from exc


def serve_until_stopped(server: Any, *, on_stop: Sequence[Callable[[], None]] = (),
                        stop: threading.Event | None = None,
                        log: Callable[[str], None] | None = None) -> int:
    """Serve ``server`` (from :func:`bind`) until Ctrl-C (SIGINT), SIGTERM or ``stop`` is set;
    then shut the server down, call each ``on_stop`` in order and return 0. Signal handlers
    are installed only when called from the main thread, and restored afterwards."""
    log = log or (lambda text: print(text, file=sys.stderr, flush=True))
    stop = stop or threading.Event()
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda _signum, _frame: stop.set())
    thread = threading.Thread(target=server.serve_forever, name="dashboard-http", daemon=True)
    thread.start()
    try:
        while not stop.wait(0.5):
            if not thread.is_alive():  # the server loop ended by itself (should not happen)
                break
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log("stopping ...")
    server.shutdown()
    server.server_close()
    thread.join(5.0)
    for step in on_stop:
        try:
            step()
        except Exception as exc:  # stopping goes on; the reason is named, no traceback
            log(f"while stopping: {type(exc).__name__}: {exc}")
    log("stopped")
    return 0


def start_live_hub(wearer: str | None, log: Callable[[str], None]) -> Any:
    """The live source of ``solewatch dashboard``: a LiveHub on the configured Bluetooth
    transport ($SOLEWATCH_BLE_TRANSPORT; unset: two virtual insoles on the in-process virtual
    radio, as the other BLE commands do), with the saved pairings ($SOLEWATCH_HOME) and, as
    replay sources, the recordings in the inbox and the bundled fixtures. If ``wearer`` has a
    pairing, or exactly one wearer has, their insoles are streamed at once."""
    from dashboard.live.hub import LiveHub
    from firmware_bridge.ble.radio import TRANSPORT_ENV
    from solewatch.daily import inbox_root
    from solewatch.demo import replay_roots
    from solewatch.live import VIRTUAL_NOTE, demo_mode

    roots = [inbox_root(), *replay_roots()]
    if demo_mode():
        log(f"{VIRTUAL_NOTE}; set {TRANSPORT_ENV} to reach real insoles")
        hub = LiveHub(demo=True, replay_roots=roots)
    else:
        hub = LiveHub(transport=os.environ[TRANSPORT_ENV].strip(), replay_roots=roots)
    hub.start()
    pairings = hub.pairings()
    who = wearer if wearer in pairings else (next(iter(pairings)) if len(pairings) == 1
                                             else None)
    if who is not None:
        hub.stream(who)
        log(f"streaming the insoles paired to {who}")
    return hub


def _cmd(args: argparse.Namespace) -> int:
    from analysis.errors import SolewatchError
    from dashboard.app import create_app

    def log(text: str) -> None:
        print(f"solewatch dashboard: {text}", file=sys.stderr, flush=True)

    hub = None
    try:
        token = access_token(args.host)
        prepare_store(args.db)
        if not args.no_live:
            hub = start_live_hub(args.wearer, log)
        app = create_app(args.db, wearer=args.wearer, token=token, hub=hub)
        server = bind(app, args.host, args.port)
    except (ServeError, SolewatchError) as exc:
        if hub is not None:
            hub.stop()
        log(str(exc))
        return EXIT_REFUSED
    print(f"solewatch dashboard on http://{args.host}:{args.port}/ (Ctrl-C stops it)",
          file=sys.stderr, flush=True)
    return serve_until_stopped(server, on_stop=[hub.stop] if hub is not None else [], log=log)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "dashboard", help="the dashboard: alerts, trends, notes, live insoles, pairing, replay",
        description="Serve the dashboard. It listens on 127.0.0.1 only; another --host is "
        "refused unless SOLEWATCH_DASHBOARD_TOKEN is set (then every browser needs the token). "
        "Insoles are reached over $SOLEWATCH_BLE_TRANSPORT (unset: two virtual insoles).")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    p.add_argument("--db", metavar="URL", help="database URL (default: $SOLEWATCH_DB_URL, "
                   "else SQLite in $SOLEWATCH_HOME)")
    p.add_argument("--wearer", metavar="W", help="whose data to show (default: the first); "
                   "their paired insoles are streamed live")
    p.add_argument("--no-live", action="store_true",
                   help="no live source: no Bluetooth, the Live, Devices and Replay pages say so")
    p.set_defaults(func=_cmd)
