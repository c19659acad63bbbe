"""Gait and balance: daily walking measures against their published reference ranges, standing
sway against the fallers' figure, and the exercise repetitions the insoles counted."""

from __future__ import annotations

import dash
from dash import Input, Output, dcc, html

from dashboard import ids, views
from dashboard.app import DashboardContext, disclaimer

GRAPH_CONFIG = {"displaylogo": False, "responsive": True}


def _chart(chart: views.GaitChart) -> html.Section:
    return html.Section([
        html.H3(chart.metric.title),
        html.P(chart.metric.meaning, className="sw-chart-meaning"),
        html.P(chart.summary, className="sw-chart-summary"),
        dcc.Graph(id={"type": ids.GAIT_GRAPH, "index": chart.metric.key},
                  figure=chart.figure, config=GRAPH_CONFIG),
        html.P(chart.source, className="sw-chart-source"),
    ], className="sw-chart")


def _charts(view: views.GaitView) -> list[html.Section]:
    return [
        *(_chart(c) for c in view.charts),
        html.Section([
            html.H3("Standing balance (sway)"),
            html.P(views.BALANCE_MEANING, className="sw-chart-meaning"),
            html.P(view.balance_summary, className="sw-chart-summary"),
            dcc.Graph(id={"type": ids.GAIT_GRAPH, "index": "balance"},
                      figure=view.balance_figure, config=GRAPH_CONFIG),
            html.P(view.balance_source, className="sw-chart-source"),
        ], className="sw-chart"),
        html.Section([
            html.H3("Exercises"),
            html.P(views.EXERCISE_MEANING, className="sw-chart-meaning"),
            html.P(view.repetitions_summary, className="sw-chart-summary"),
            dcc.Graph(id={"type": ids.GAIT_GRAPH, "index": "exercise_repetitions"},
                      figure=view.repetitions_figure, config=GRAPH_CONFIG),
            html.P(view.exercise_summary, className="sw-chart-summary"),
            dcc.Graph(id={"type": ids.GAIT_GRAPH, "index": "exercise_notes"},
                      figure=view.exercise_figure, config=GRAPH_CONFIG),
        ], className="sw-chart"),
    ]


def register(app: dash.Dash, dctx: DashboardContext) -> None:
    def layout(**_query: str) -> html.Div:
        return html.Div([
            html.H2("Gait and balance"), disclaimer(),
            html.P("How you walked, one value per day from the insole recordings, next to the "
                   "range that is typical for adults (the shaded band). Days without walking "
                   "measured are left empty. A triangle marks a day outside the typical range: "
                   "pointing up when above it, down when below it."),
            html.Div([
                html.Label("Show the last "),
                dcc.RadioItems(id=ids.GAIT_RANGE, value=30, inline=True,
                               options=[{"label": f"{d} days", "value": d}
                                        for d in views.RANGES_DAYS]),
            ]),
            html.P(id=ids.GAIT_SUMMARY),
            html.Div(id=ids.GAIT_CHARTS),
        ])

    dash.register_page(__name__, path="/gait", name="Gait and balance",
                       title="solewatch: gait and balance", order=3, layout=layout)

    @app.callback(Output(ids.GAIT_SUMMARY, "children"), Output(ids.GAIT_CHARTS, "children"),
                  Input(ids.GAIT_RANGE, "value"), Input(ids.WEARER, "data"))
    def _draw(days: int, chosen: str | None) -> tuple:
        with dctx.store() as store:
            wearer = dctx.wearer_for(store, chosen)
            if wearer is None:
                return "No wearers in the store yet.", []
            view = views.gait_view(store, wearer, days=int(days))
        return view.summary, _charts(view)
