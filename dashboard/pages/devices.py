"""Insoles (Devices): find insoles, pair a left and a right one to a wearer, watch their link
(connection, battery, signal, data lost, last data), unpair.

Every call goes to the dashboard's live hub (``dctx.hub``, dashboard/live/hub.py), the only
reader of the insoles; the wording is dashboard/live/present.py. Callbacks stay thin.
"""

from __future__ import annotations

import logging
from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.app import DashboardContext, current_context, disclaimer
from dashboard.live import present

logger = logging.getLogger(__name__)

NO_HUB_TEXT = present.no_live_source("look for insoles")
TICK_MS = 1000

_CELL = {"padding": "4px 8px 4px 0", "textAlign": "left", "verticalAlign": "top",
         "overflowWrap": "normal"}  # break between words, never inside one


def _table(headers: tuple[str, ...] | list[str], rows: list[tuple[str, ...]],
           class_name: str, *, row_headers: bool = False) -> html.Table:
    def row(cells: tuple[str, ...]) -> html.Tr:
        first = (html.Th(cells[0], scope="row", style={**_CELL, "fontWeight": "normal"})
                 if row_headers else html.Td(cells[0], style=_CELL))
        return html.Tr([first, *(html.Td(c, style=_CELL) for c in cells[1:])])

    return html.Table([
        html.Thead(html.Tr([html.Th(h, scope="col", style=_CELL) for h in headers])),
        html.Tbody([row(r) for r in rows]),
    ], className=class_name, style={"borderCollapse": "collapse", "margin": "8px 0"})


def found_table(found: list[dict]) -> html.Table | html.P:
    rows = present.found_insoles(found)
    if not rows:
        return html.P(present.scan_summary(found))
    return _table(present.FOUND_HEADERS, [r.cells() for r in rows], "sw-found")


def status_block(devices: dict) -> list:
    view = present.devices_view(devices)
    out: list = [html.P(view.headline, className="sw-devices-headline")]
    if view.feet:
        headers = ["", *(f"{f.foot} ({f.name})" if f.name else f.foot for f in view.feet)]
        labels = [label for label, _ in view.feet[0].rows()]
        values = [dict(f.rows()) for f in view.feet]
        out.append(_table(headers, [(label, *(v[label] for v in values)) for label in labels],
                          "sw-link", row_headers=True))
    return out


def pairings_block(pairings: dict | None) -> list:
    lines = present.pairing_lines(pairings or {})
    if not lines:
        return [html.P("No insoles are paired yet.")]
    return [html.Div([html.Span(text, style={"marginRight": "12px"}),
                      html.Button("Unpair", id={"type": ids.DEV_UNPAIR, "index": wearer},
                                  title=f"Forget the insoles of {wearer}")],
                     className="sw-pairing", style={"margin": "6px 0"})
            for wearer, text in lines]


def _layout(dctx: DashboardContext) -> list:
    hub = dctx.hub
    if hub is None:
        return [html.P(NO_HUB_TEXT, id=ids.DEV_NO_HUB, role="status")]
    try:
        pairings = hub.pairings()
    except Exception as error:  # shown in words; the page still loads
        logger.warning("pairings not read: %s", type(error).__name__)
        pairings = {}
    return [
        html.H3("Find insoles"),
        html.P("Put the insoles near this computer (charged, within a few metres), then look "
               "for them. Each is listed with its foot, its signal strength and its battery."),
        html.Button("Find insoles", id=ids.DEV_SCAN),
        dcc.Loading(html.Div([html.Div(id=ids.DEV_SCAN_STATUS, role="status"),
                              html.Div(id=ids.DEV_FOUND_LIST)]), type="dot"),
        dcc.Store(id=ids.DEV_FOUND, data=[]),
        html.Details([html.Summary("What do strong, fair and weak signal mean?"),
                      html.P(f"Signal strength (RSSI) in dBm: strong at "
                             f"{present.RSSI_STRONG_MIN_DBM} dBm or more, fair from "
                             f"{present.RSSI_FAIR_MIN_DBM} to "
                             f"{present.RSSI_STRONG_MIN_DBM - 1} dBm, weak below "
                             f"{present.RSSI_FAIR_MIN_DBM} dBm."),
                      html.P(present.RSSI_BANDS_SOURCE)]),
        html.H3("Pair a left and a right insole"),
        html.Div([
            html.Label("Left insole", htmlFor=ids.DEV_LEFT),
            dcc.Dropdown(id=ids.DEV_LEFT, options=[], placeholder="Find insoles first",
                         searchable=False),
            html.Label("Right insole", htmlFor=ids.DEV_RIGHT),
            dcc.Dropdown(id=ids.DEV_RIGHT, options=[], placeholder="Find insoles first",
                         searchable=False),
            html.Label("Wearer", htmlFor=ids.DEV_WEARER_NAME),
            dcc.Input(id=ids.DEV_WEARER_NAME, type="text", value=dctx.wearer or "",
                      placeholder="name of the person wearing them", debounce=False),
        ], style={"display": "grid", "gridTemplateColumns": "minmax(7rem, max-content) "
                  "minmax(0, 32rem)", "gap": "6px 8px", "alignItems": "center"}),
        html.Button("Pair", id=ids.DEV_PAIR, style={"marginTop": "8px"}),
        dcc.Loading(html.Div(id=ids.DEV_PAIR_STATUS, role="status"), type="dot"),
        html.H3("Paired insoles"),
        html.Div(id=ids.DEV_STATUS),
        html.Div(pairings_block(pairings), id=ids.DEV_PAIRINGS_LIST),
        html.Div(id=ids.DEV_UNPAIR_STATUS, role="status"),
        dcc.Store(id=ids.DEV_PAIRINGS, data=pairings),
        dcc.Store(id=ids.DEV_UNPAIR_PENDING, data=None),
        dcc.ConfirmDialog(id=ids.DEV_UNPAIR_CONFIRM, message=""),
        dcc.Interval(id=ids.DEV_TICK, interval=TICK_MS),
    ]


def register(app: dash.Dash, dctx: DashboardContext) -> None:
    def layout(**_query: str) -> html.Div:
        return html.Div([html.H2("Devices: your insoles"), disclaimer(),
                         *_layout(current_context(dctx))])

    dash.register_page(__name__, path="/devices", name="Devices", title="solewatch: devices",
                       order=5, layout=layout)

    @app.callback(Output(ids.DEV_FOUND, "data"), Output(ids.DEV_SCAN_STATUS, "children"),
                  Output(ids.DEV_FOUND_LIST, "children"),
                  Output(ids.DEV_LEFT, "options"), Output(ids.DEV_LEFT, "value"),
                  Output(ids.DEV_RIGHT, "options"), Output(ids.DEV_RIGHT, "value"),
                  Input(ids.DEV_SCAN, "n_clicks"), prevent_initial_call=True)
    def _scan(n_clicks: int | None) -> tuple:
        if not n_clicks or dctx.hub is None:
            raise PreventUpdate
        try:
            found = dctx.hub.scan()
            return (found, present.scan_summary(found), found_table(found),
                    present.side_options(found, "left"), present.default_choice(found, "left"),
                    present.side_options(found, "right"),
                    present.default_choice(found, "right"))
        except Exception as error:
            return ([], present.error_text(error), None, [], None, [], None)

    @app.callback(Output(ids.DEV_WEARER_NAME, "value"),
                  Input(ids.WEARER, "data"), State(ids.DEV_WEARER_NAME, "value"))
    def _default_wearer(chosen: Any, typed: str | None) -> str:
        if typed:
            raise PreventUpdate
        return chosen or dctx.wearer or ""

    @app.callback(Output(ids.DEV_PAIR_STATUS, "children"),
                  Input(ids.DEV_PAIR, "n_clicks"), State(ids.DEV_LEFT, "value"),
                  State(ids.DEV_RIGHT, "value"), State(ids.DEV_WEARER_NAME, "value"),
                  prevent_initial_call=True)
    def _pair(n_clicks: int | None, left: str | None, right: str | None,
              wearer: str | None) -> str:
        if not n_clicks or dctx.hub is None:
            raise PreventUpdate
        missing = present.pair_form_problem(left, right, wearer)
        if missing:
            return missing
        try:
            dctx.hub.pair(wearer.strip(), left, right)
        except Exception as error:
            return present.error_text(error)
        return (f"Paired to {wearer.strip()}: left insole {left}, right insole {right}. "
                "They start streaming now.")

    @app.callback(Output(ids.DEV_STATUS, "children"), Output(ids.DEV_PAIRINGS, "data"),
                  Input(ids.DEV_TICK, "n_intervals"), State(ids.DEV_PAIRINGS, "data"))
    def _tick(_n: int | None, shown: dict | None) -> tuple:
        if dctx.hub is None:
            raise PreventUpdate
        try:
            status = status_block(dctx.hub.devices())
            pairings = dctx.hub.pairings()
        except Exception as error:
            return html.P(present.error_text(error)), dash.no_update
        return status, dash.no_update if pairings == shown else pairings

    @app.callback(Output(ids.DEV_PAIRINGS_LIST, "children"),
                  Input(ids.DEV_PAIRINGS, "data"), prevent_initial_call=True)
    def _pairings(pairings: dict | None) -> list:
        return pairings_block(pairings)

    @app.callback(Output(ids.DEV_UNPAIR_PENDING, "data"),
                  Output(ids.DEV_UNPAIR_CONFIRM, "displayed"),
                  Output(ids.DEV_UNPAIR_CONFIRM, "message"),
                  Input({"type": ids.DEV_UNPAIR, "index": ALL}, "n_clicks"),
                  prevent_initial_call=True)
    def _ask_unpair(_clicks: list) -> tuple:
        trigger = ctx.triggered_id
        if not trigger or not any(t["value"] for t in ctx.triggered):
            raise PreventUpdate
        wearer = trigger["index"]
        return wearer, True, (f"Unpair the insoles of {wearer}? They stop streaming and "
                              "must be paired again to be used.")

    @app.callback(Output(ids.DEV_UNPAIR_STATUS, "children"),
                  Input(ids.DEV_UNPAIR_CONFIRM, "submit_n_clicks"),
                  State(ids.DEV_UNPAIR_PENDING, "data"), prevent_initial_call=True)
    def _unpair(submitted: int | None, wearer: str | None) -> str:
        if not submitted or not wearer or dctx.hub is None:
            raise PreventUpdate
        try:
            dctx.hub.unpair(wearer)
        except Exception as error:
            return present.error_text(error)
        return f"The insoles of {wearer} are unpaired."
