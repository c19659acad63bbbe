"""Live: both insoles' pressure maps, centre of pressure, temperatures and gait, as they come.

Thin: the layout carries the static drawing data once (dashboard.live.geometry) and empty
places that dashboard/assets/live.js fills from ``GET /live/frame`` (dashboard.live.bus),
drawing on a canvas at most once per animation frame. No Plotly and no server callback in
the live path; the only callback is the clientside one that starts the draw loop.
"""

from __future__ import annotations

import functools
from typing import Any

import dash
from dash import ClientsideFunction, Input, Output, dcc, html

from analysis.layouts import SOLEWATCH_16
from dashboard import ids
from dashboard.app import DashboardContext, current_context, disclaimer
from dashboard.live import present
from dashboard.live.bus import ROUTE
from dashboard.live.geometry import live_geometry

#: Canvas size in CSS pixels at full width (it scales down to the page width).
CANVAS_WIDTH = 640
CANVAS_HEIGHT = 560


@functools.cache
def static_data() -> dict[str, Any]:
    """The geometry of the live insole (solewatch-16) plus the ids and route the script uses."""
    return {**live_geometry(SOLEWATCH_16), "route": ROUTE,
            "ids": {"canvas": ids.LIVE_CANVAS, "source": ids.LIVE_SOURCE,
                    "banner": ids.LIVE_BANNER, "missing": ids.LIVE_MISSING,
                    "temps": ids.LIVE_TEMPS, "gait": ids.LIVE_GAIT,
                    "counter": ids.LIVE_COUNTER}}


def no_hub() -> html.Div:
    return html.Div([html.P(present.no_live_source("show insoles live"))], id=ids.LIVE_NO_HUB)


def live_layout() -> html.Div:
    box = {"margin": "8px 0"}
    return html.Div([
        html.P(id=ids.LIVE_SOURCE, children="Waiting for data...", style=box),
        html.Div(id=ids.LIVE_BANNER, role="alert",
                 style={"display": "none", "border": "2px solid #D55E00", "padding": "6px 10px",
                        "background": "#fdf0e6", "fontWeight": "bold", "margin": "8px 0"}),
        html.Canvas(id=ids.LIVE_CANVAS, width=CANVAS_WIDTH, height=CANVAS_HEIGHT,
                    role="img", **{"aria-label": "Pressure under the left and right foot, "
                                   "seen from above, with the centre of pressure"},
                    style={"width": "100%", "maxWidth": f"{CANVAS_WIDTH}px", "height": "auto",
                           "display": "block", "border": "1px solid #ddd"}),
        html.P("Seen from above, toes at the top. Colours show pressure in kPa (dark: "
               "little, yellow: 200 kPa or more); dots are the sensors, numbered squares the "
               "temperature spots; the white line is where the weight was centred in the last "
               "seconds, its end the latest point.", style={"fontSize": "90%"}),
        html.P(id=ids.LIVE_MISSING, style=box),
        html.H3("Temperature"),
        html.Div(id=ids.LIVE_TEMPS, style=box),
        html.H3("Walking"),
        html.Div(id=ids.LIVE_GAIT, style=box),
        html.P("frames drawn: 0", id=ids.LIVE_COUNTER, **{"data-frames": "0",
               "data-versions": "0", "data-version": "0", "data-fps": "0",
               "data-feet": ""},
               style={"color": "#555", "fontSize": "85%"}),
        dcc.Store(id=ids.LIVE_GEOMETRY, data=static_data()),
        dcc.Store(id=ids.LIVE_STARTED),
    ])


def register(app: dash.Dash, dctx: DashboardContext) -> None:
    def layout(**_query: str) -> html.Div:
        ctx = current_context(dctx)
        return html.Div([html.H2("Live"), disclaimer(),
                         no_hub() if ctx.hub is None else live_layout()])

    dash.register_page(__name__, path="/live", name="Live", title="solewatch: live",
                       order=4, layout=layout)
    app.clientside_callback(ClientsideFunction(namespace="solewatchLive", function_name="start"),
                            Output(ids.LIVE_STARTED, "data"), Input(ids.LIVE_GEOMETRY, "data"))
