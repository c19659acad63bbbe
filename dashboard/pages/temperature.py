"""Temperature: daily left-right difference per site with the alert threshold band."""

from __future__ import annotations

import dash
from dash import Input, Output, dcc, html

from dashboard import ids, views
from dashboard.app import DashboardContext, disclaimer


def difference_choice() -> html.Div:
    """Measured difference, or as the rule sees it (the wearer's usual difference removed)."""
    return html.Div([
        html.Label("Difference "),
        dcc.RadioItems(id=ids.TEMP_VIEW, value="measured", inline=True,
                       options=[{"label": words, "value": key}
                                for key, words in views.TEMP_VIEWS.items()]),
    ])


def register(app: dash.Dash, dctx: DashboardContext) -> None:
    def layout(**_query: str) -> html.Div:
        return html.Div([
            html.H2("Foot temperature"), disclaimer(),
            html.P("Each line is one spot of the foot: how much warmer the left foot was than "
                   "the right (below zero: the right foot was warmer), one value per day."),
            html.Div([
                html.Label("Show the last "),
                dcc.RadioItems(id=ids.TEMP_RANGE, value=30, inline=True,
                               options=[{"label": f"{d} days", "value": d}
                                        for d in views.RANGES_DAYS]),
                html.Label(" Unit "),
                dcc.RadioItems(id=ids.TEMP_UNIT, value="C", inline=True,
                               options=[{"label": "°C", "value": "C"},
                                        {"label": "°F", "value": "F"}]),
            ]),
            difference_choice(),
            html.P(id=ids.TEMP_NEWEST, role="status"),
            html.P(id=ids.TEMP_SUMMARY),
            dcc.Graph(id=ids.TEMP_GRAPH, config={"displaylogo": False, "responsive": True}),
        ])

    dash.register_page(__name__, path="/temperature", name="Temperature",
                       title="solewatch: temperature", order=1, layout=layout)

    @app.callback(Output(ids.TEMP_GRAPH, "figure"), Output(ids.TEMP_SUMMARY, "children"),
                  Output(ids.TEMP_NEWEST, "children"),
                  Input(ids.TEMP_RANGE, "value"), Input(ids.TEMP_UNIT, "value"),
                  Input(ids.WEARER, "data"), Input(ids.TEMP_VIEW, "value"))
    def _draw(days: int, unit: str, chosen: str | None, view: str | None) -> tuple:
        with dctx.store() as store:
            wearer = dctx.wearer_for(store, chosen)
            if wearer is None:
                return {"data": [], "layout": {}}, "No readings in the store yet.", ""
            today = dctx.today_for(store, wearer)
            figure, summary = views.temperature_view(store, wearer, days=int(days), unit=unit,
                                                     today=today, view=view or "measured")
            return figure, summary, views.newest_data_text(store, wearer, today)
