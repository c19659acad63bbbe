"""The dashboard app: builds the Dash app, its shared state and the access check.

One module per page under dashboard/pages registers itself (``register(app, ctx)``). Every
page shows the not-a-diagnosis statement. The store is opened per request through
:class:`DashboardContext`; nothing is opened at import time.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import dash
from dash import Dash, Input, Output, dcc, html
from flask import Response, current_app, has_request_context, redirect, request

from dashboard import ids, views
from solewatch.report import NOT_A_DIAGNOSIS
from solewatch.store import Store
from solewatch.store.errors import StoreError

TOKEN_ENV: Final = "SOLEWATCH_DASHBOARD_TOKEN"
TOKEN_COOKIE: Final = "solewatch_token"
LOCAL_HOSTS: Final[frozenset[str]] = frozenset({"127.0.0.1", "localhost", "::1"})


class DashboardSecurityError(ValueError):
    """The dashboard would be reachable from other machines without an access token."""


def check_bind(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine unless an access token is configured."""
    if host in LOCAL_HOSTS:
        return
    if not token:
        raise DashboardSecurityError(
            f"refusing to serve health data on {host!r} without an access token: set "
            f"{TOKEN_ENV} (a long random string) or use --host 127.0.0.1")


def token_ok(given: str | None, token: str | None) -> bool:
    """True when no token is configured, or ``given`` equals it (compared in constant time)."""
    if not token:
        return True
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


@dataclass
class DashboardContext:
    """What the pages share: where the store is and whose data to show."""

    store_url: str | None
    wearer: str | None = None
    #: The live source (dashboard.live.hub.LiveHub) when this dashboard shows live data.
    hub: Any = None
    #: "Today" for every wearer (tests, demos of a past history); None: the wearer's local
    #: today by the clock (Store.wearer_today).
    today: date | None = None

    def today_for(self, store: Store, wearer: str) -> date:
        """The day the pages end their ranges on and judge the status on."""
        return self.today or store.wearer_today(wearer)

    @contextmanager
    def store(self) -> Iterator[Store]:
        store = Store.open(self.store_url)
        try:
            yield store
        finally:
            store.close()

    def current_wearer(self, store: Store) -> str | None:
        """The default wearer: --wearer, else the first in the store (None: no wearers)."""
        return self.wearer_for(store, None)

    def wearer_names(self, store: Store) -> list[str]:
        """The store's wearers; none when the store has no schema yet (nothing stored)."""
        try:
            return [w.name for w in store.wearers()]
        except StoreError:
            return []

    def wearer_for(self, store: Store, chosen: Any) -> str | None:
        """The wearer a page shows: ``chosen`` (the tab's choice, ``ids.WEARER``'s data) when
        it names a wearer in the store, else the default. Pages call this with the value of
        ``State(ids.WEARER, "data")`` or ``Input(ids.WEARER, "data")``."""
        return views.choose_wearer(self.wearer_names(store), chosen, self.wearer)


CONTEXT_KEY: Final = "SOLEWATCH_DASHBOARD"


def current_context(default: DashboardContext) -> DashboardContext:
    """The context of the app serving this request. Dash keeps registered pages in one
    process-wide registry, so a page layout made for one app could otherwise read another
    app's store when several apps live in one process (tests)."""
    if has_request_context():
        return current_app.config.get(CONTEXT_KEY, default)
    return default


def disclaimer() -> html.Div:
    return html.Div(NOT_A_DIAGNOSIS, id=ids.DISCLAIMER, className="sw-disclaimer")


_LOGIN_FORM: Final = """<!doctype html><html><head><title>solewatch: sign in</title></head>
<body style="font-family: sans-serif; margin: 3em"><h1>solewatch</h1>
<p>This dashboard needs its access token.</p>
<form method="post" action="/login"><label>Access token <input type="password" name="token"
autofocus></label> <button type="submit">Open</button></form></body></html>"""


def _install_token_check(app: Dash, token: str) -> None:
    server = app.server

    @server.route("/login", methods=["POST"])
    def _login() -> Response:
        if not token_ok(request.form.get("token"), token):
            return Response(_LOGIN_FORM, status=401, mimetype="text/html")
        resp = redirect("/")
        resp.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict")
        return resp

    @server.before_request
    def _check() -> Response | None:
        if request.path == "/login":
            return None
        if token_ok(request.cookies.get(TOKEN_COOKIE), token):
            return None
        given = request.args.get("token")
        if given is not None and token_ok(given, token):
            resp = redirect(request.path)  # drops the token from the address bar
            resp.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict")
            return resp
        return Response(_LOGIN_FORM, status=401, mimetype="text/html")


def _wearer_options(dctx: DashboardContext) -> tuple[list[str], str | None]:
    """The store's wearers and the default one; ([], None) when the store cannot be read."""
    try:
        with dctx.store() as store:
            names = dctx.wearer_names(store)
    except StoreError:
        return [], None
    return names, views.choose_wearer(names, None, dctx.wearer)


def _layout(dctx: DashboardContext) -> html.Div:
    """The shared frame of every page: title, wearer chooser, menu, the page."""
    names, default = _wearer_options(dctx)
    return html.Div([
        html.Header([
            html.H1("solewatch", className="sw-title"),
            html.Div([
                html.Label("Showing", htmlFor=ids.WEARER_CHOICE),
                dcc.Dropdown(id=ids.WEARER_CHOICE, options=names, value=default,
                             clearable=False, searchable=False, className="sw-wearer-choice",
                             placeholder="no wearers yet"),
            ], className="sw-wearer"),
        ], className="sw-header"),
        # The chosen wearer, kept per browser tab (session storage); pages read its "data".
        dcc.Store(id=ids.WEARER, storage_type="session", data=default),
        html.Nav([dcc.Link(p["name"], href=p["relative_path"])
                  for p in sorted(dash.page_registry.values(), key=lambda p: p["order"])
                  if p["module"].startswith("dashboard.pages.")], id=ids.NAV,
                 className="sw-nav"),
        dash.page_container,
    ], className="sw-app")


def _wearer_callback(app: Dash, dctx: DashboardContext) -> None:
    """Keep the dropdown and the tab's stored choice in step: a choice in the dropdown is
    stored; a choice restored from the tab's session storage is shown in the dropdown."""

    @app.callback(Output(ids.WEARER, "data"), Output(ids.WEARER_CHOICE, "value"),
                  Input(ids.WEARER, "data"), Input(ids.WEARER_CHOICE, "value"))
    def _sync(stored: Any, chosen: Any) -> tuple:
        if dash.ctx.triggered_id == ids.WEARER_CHOICE:
            wanted = chosen
        else:  # first load or restored from session storage
            wanted = stored if stored is not None else chosen
        with dctx.store() as store:
            wearer = dctx.wearer_for(store, wanted)
        return (dash.no_update if wearer == stored else wearer,
                dash.no_update if wearer == chosen else wearer)


def create_app(store_url: str | None = None, *, wearer: str | None = None,
               token: str | None = None, hub: Any = None, today: date | None = None) -> Dash:
    """The dashboard for the store at ``store_url`` (default: $SOLEWATCH_DB_URL, else SQLite
    in $SOLEWATCH_HOME). ``token``: if set, every request needs it (cookie, login form or
    ?token=); default $SOLEWATCH_DASHBOARD_TOKEN. ``hub``: a started
    :class:`dashboard.live.hub.LiveHub` for the Live, Devices and Replay pages (None: they
    say that this dashboard has no live source). ``today``: the day every page treats as
    today (None: each wearer's local today by the clock)."""
    import importlib

    from dashboard.live.bus import install_route
    from dashboard.pages import PAGES

    token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    app = Dash(__name__, use_pages=True, pages_folder="", title="solewatch",
               suppress_callback_exceptions=True)
    ctx = DashboardContext(store_url=store_url, wearer=wearer, hub=hub, today=today)
    app.server.config[CONTEXT_KEY] = ctx
    for name in PAGES:
        importlib.import_module(f"dashboard.pages.{name}").register(app, ctx)
    install_route(app.server, lambda: ctx.hub.bus if ctx.hub is not None else None)
    app.layout = lambda: _layout(ctx)
    _wearer_callback(app, ctx)
    if token:
        _install_token_check(app, token)
    return app
