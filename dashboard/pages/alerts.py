"""Alerts: open, seen and resolved alerts with their evidence and advice."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import ids, views
from dashboard.app import DashboardContext, disclaimer

ACTOR = "dashboard"


def _card(card: views.AlertCard) -> html.Div:
    buttons = []
    if card.can_acknowledge:
        buttons.append(html.Button("I have seen it", id={"type": ids.ALERT_ACK,
                                                         "index": card.id}))
    if card.can_resolve:
        buttons.append(html.Button("Resolved", id={"type": ids.ALERT_RESOLVE,
                                                   "index": card.id},
                                   style={"marginLeft": "8px"}))
    actions = [dcc.Input(id={"type": ids.ALERT_NOTE, "index": card.id}, type="text",
                         placeholder="What did you do? (optional)",
                         style={"width": "60%", "marginRight": "8px"}), *buttons] \
        if buttons else []
    return html.Div([
        html.H3(f"{card.status_word}: {card.title}", style={"margin": "0 0 4px"}),
        html.P(f"{card.where}, {card.since}, {card.delta}."),
        html.P(card.advice, style={"fontWeight": "bold"}),
        html.Details([html.Summary("Evidence"),
                      html.Ul([html.Li(line) for line in card.evidence])]),
        html.Div(actions),
    ], className=f"alert alert-{card.status}",
        style={"border": "1px solid #ccc", "borderLeft": "6px solid " + (
            "#D55E00" if card.status == "open" else
            "#E69F00" if card.status == "acknowledged" else "#009E73"),
               "padding": "8px 12px", "margin": "8px 0"})


def _cards(dctx: DashboardContext, chosen: str | None) -> list[html.Div] | html.P:
    with dctx.store() as store:
        wearer = dctx.wearer_for(store, chosen)
        cards = views.alert_cards(store, wearer) if wearer else []
        status = (store.status(wearer, dctx.today_for(store, wearer))["status"]
                  if wearer and not cards else None)
    if not cards:
        return html.P(views.no_alerts_text(status or "incomplete"))
    return [_card(c) for c in cards]


def _status_banner(dctx: DashboardContext, chosen: str | None) -> html.Div:
    """What could be judged, first: colour, icon and plain words (views.status_banner)."""
    with dctx.store() as store:
        wearer = dctx.wearer_for(store, chosen)
        if wearer is None:
            return html.Div(html.P("No wearer in the store yet: nothing could be checked."),
                            className="sw-status sw-status-incomplete")
        banner = views.status_banner(store, wearer, dctx.today_for(store, wearer))
    return html.Div([
        html.P([html.Span(banner.icon, className="sw-status-icon",
                          style={"background": banner.colour}, **{"aria-hidden": "true"}),
                html.Strong(f"{banner.word}: "), banner.headline],
               className="sw-status-headline"),
        *([html.Ul([html.Li(line) for line in banner.lines])] if banner.lines else []),
    ], className=f"sw-status sw-status-{banner.status}",
        style={"borderLeft": f"6px solid {banner.colour}", "padding": "4px 12px",
               "margin": "8px 0", "background": "#f7f7f7"})


def register(app: dash.Dash, dctx: DashboardContext) -> None:
    def layout(**_query: str) -> html.Div:
        return html.Div([
            html.H2("Alerts"), disclaimer(),
            html.Div(id=ids.ALERTS_STATUS, role="status"),  # what could be judged, first
            html.Div(id=ids.ALERT_ACTION_STATUS, role="status"),
            html.Div(id=ids.ALERTS_LIST),  # filled for the tab's chosen wearer (ids.WEARER)
        ])

    dash.register_page(__name__, path="/", name="Alerts", title="solewatch: alerts",
                       order=0, layout=layout)

    @app.callback(Output(ids.ALERTS_STATUS, "children"),
                  Input(ids.WEARER, "data"), Input(ids.ALERTS_LIST, "children"))
    def _show_status(chosen: str | None, _cards_shown: object) -> html.Div:
        return _status_banner(dctx, chosen)  # again after an alert was resolved

    @app.callback(Output(ids.ALERT_ACTION_STATUS, "children"),
                  Output(ids.ALERTS_LIST, "children"),
                  Input(ids.WEARER, "data"),
                  Input({"type": ids.ALERT_ACK, "index": ALL}, "n_clicks"),
                  Input({"type": ids.ALERT_RESOLVE, "index": ALL}, "n_clicks"),
                  State({"type": ids.ALERT_NOTE, "index": ALL}, "value"),
                  State({"type": ids.ALERT_NOTE, "index": ALL}, "id"))
    def _show_or_act(chosen: str | None, _acks: list, _resolves: list, notes: list,
                     note_ids: list) -> tuple:
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict):  # first draw, or another wearer chosen
            return "", _cards(dctx, chosen)
        if not any(t["value"] for t in ctx.triggered):
            raise PreventUpdate
        note = dict(zip([n["index"] for n in note_ids], notes, strict=True)).get(
            trigger["index"]) or ""
        action = "acknowledge" if trigger["type"] == ids.ALERT_ACK else "resolve"
        with dctx.store() as store:
            message = views.act_on_alert(store, int(trigger["index"]), action, by=ACTOR,
                                         note=note)
        return message, _cards(dctx, chosen)
