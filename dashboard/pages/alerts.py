"""Alerts: open, seen and resolved alerts with their evidence and advice."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import ids, views
from dashboard.app import DashboardContext, disclaimer

ACTOR = "dashboard"


def evidence_table(table: views.EvidenceTable) -> html.Div:
    """The evidence days as an HTML table; days over the threshold say so in their own column
    and are bold (not colour alone). Scrolls sideways inside its box on a narrow screen."""
    def row(cells: tuple[str, ...], over: bool) -> html.Tr:
        return html.Tr([html.Td(c, style={"textAlign": "right"} if num else None)
                        for c, num in zip(cells, table.numeric, strict=True)],
                       className="over" if over else None,
                       style={"fontWeight": "bold"} if over else None)

    return html.Div(html.Table([
        html.Thead(html.Tr([html.Th(c, scope="col") for c in table.columns])),
        html.Tbody([row(r, o) for r, o in zip(table.rows, table.over, strict=True)]),
    ], className="evidence-days"), style={"overflowX": "auto"})


def _facts(card: views.AlertCard) -> html.Details | None:
    if not card.facts:
        return None
    return html.Details([html.Summary("How the rule is set"), html.Table(html.Tbody(
        [html.Tr([html.Th(label, scope="row"), html.Td(value)])
         for label, value in card.facts]), className="evidence-facts")])


def _card(card: views.AlertCard) -> html.Div:
    buttons = []
    if card.can_acknowledge:
        buttons.append(html.Button("I had it checked" if card.is_finding else "I have seen it",
                                   id={"type": ids.ALERT_ACK, "index": card.id}))
    if card.can_resolve and not card.is_finding:
        buttons.append(html.Button("Resolved", id={"type": ids.ALERT_RESOLVE,
                                                   "index": card.id},
                                   style={"marginLeft": "8px"}))
    actions = [dcc.Input(id={"type": ids.ALERT_NOTE, "index": card.id}, type="text",
                         placeholder="What did you do? (optional)",
                         style={"width": "60%", "marginRight": "8px"}), *buttons] \
        if buttons else []
    head = ", ".join(x for x in (card.where, card.since, card.delta) if x)
    body = [
        html.H3(f"{card.status_word}: {card.title}", style={"margin": "0 0 4px"}),
        html.P(f"{head}."),
        html.P(card.message, className="alert-message"),
        html.P(card.latest, className="alert-latest") if card.latest else None,
        html.P(card.confirmed, className="alert-confirmed"),
    ]
    if card.correction:
        body.append(html.P(card.correction, className="alert-correction"))
    if card.also:
        body.append(html.P(card.also))
    if card.table is not None:
        body += [html.H4("Evidence, day by day", style={"margin": "6px 0 2px"}),
                 evidence_table(card.table)]
    body += [_facts(card), html.P(card.advice, style={"fontWeight": "bold"}),
             html.Div(actions)]
    kind = "finding" if card.is_finding else "alert"
    return html.Div([b for b in body if b is not None],
                    className=f"{kind} {kind}-{card.status}",
                    style={"border": "1px solid #ccc", "borderLeft": "6px solid " + (
                        "#0072B2" if card.is_finding else
                        "#D55E00" if card.status == "open" else
                        "#E69F00" if card.status == "acknowledged" else "#009E73"),
                           "padding": "8px 12px", "margin": "8px 0"})


def findings_section(cards: list[views.AlertCard]) -> html.Section | None:
    """Baseline findings, apart from the alerts and never counted with them."""
    if not cards:
        return None
    return html.Section([
        html.H2("Found when monitoring began"),
        html.P("Differences between your feet that were already there in the first days. "
               "They are not alerts: solewatch keeps watching these spots and raises an alert "
               "if one gets warmer."),
        *[_card(c) for c in cards],
    ], id=ids.FINDINGS_SECTION, style={"marginTop": "16px"})


def _cards(dctx: DashboardContext, chosen: str | None) -> list:
    with dctx.store() as store:
        wearer = dctx.wearer_for(store, chosen)
        cards = views.alert_cards(store, wearer) if wearer else []
        findings = views.finding_cards(store, wearer) if wearer else []
        status = (store.status(wearer, dctx.today_for(store, wearer))["status"]
                  if wearer and not cards else None)
    shown: list = [_card(c) for c in cards] if cards else [
        html.P(views.no_alerts_text(status or "incomplete"))]
    section = findings_section(findings)
    return shown + ([section] if section is not None else [])


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
