"""Replay: play back a recording or a fixture as if the insoles streamed it now; play,
pause, speed, seek. The Live page follows it (its frames say source "replay").

Every call goes to the dashboard's live hub (``dctx.hub``); the wording is
dashboard/live/present.py. Callbacks stay thin.
"""

from __future__ import annotations

import logging
from typing import Any

import dash
from dash import Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.app import DashboardContext, current_context, disclaimer
from dashboard.live import present
from dashboard.live.player import SPEEDS, check_speed

logger = logging.getLogger(__name__)

NO_HUB_TEXT = present.no_live_source("replay recordings")
#: How often the position is refreshed, ms (about 3 Hz).
TICK_MS = 300
#: The Live page (built by dashboard/pages/live.py).
LIVE_PATH = "/live"


def _current_source(sources: list[dict], state: dict | None) -> str | None:
    """The id of the source being replayed now (matched by name), for the dropdown."""
    if not state:
        return None
    ids_ = [s["id"] for s in sources if s.get("name") == state.get("name")]
    return ids_[0] if len(ids_) == 1 else None


def _layout(dctx: DashboardContext) -> list:
    hub = dctx.hub
    if hub is None:
        return [html.P(NO_HUB_TEXT, id=ids.REPLAY_NO_HUB, role="status")]
    try:
        sources = hub.replay_sources()
        options = present.replay_options(sources)
        state = hub.replay_state()
        message = ""
    except Exception as error:
        sources, options, state, message = [], [], None, present.error_text(error)
    current = _current_source(sources, state)
    speed = state["speed"] if state and state.get("speed") in SPEEDS else 1.0
    return [
        html.P("Play back a recording, or one of the test data sets, as if the insoles were "
               "streaming it now. The Live page shows it while it plays; live insoles "
               "pause until you stop the replay."),
        html.Label("Recording or test data", htmlFor=ids.REPLAY_SOURCE),
        dcc.Dropdown(id=ids.REPLAY_SOURCE, options=options, value=current,
                     placeholder="Choose a recording", searchable=False),
        html.Div([
            html.Button("Play", id=ids.REPLAY_PLAY),
            html.Button("Pause", id=ids.REPLAY_PAUSE),
            html.Button("Stop replay", id=ids.REPLAY_STOP,
                        title="Stop the replay: the Live page shows the insoles again"),
        ], style={"display": "flex", "flexWrap": "wrap", "gap": "8px", "margin": "8px 0"}),
        html.Div([
            html.Span("Speed ", id=f"{ids.REPLAY_SPEED}-label"),
            dcc.RadioItems(id=ids.REPLAY_SPEED, value=speed, inline=True,
                           options=[{"label": f"{present.speed_text(s)} real time"
                                     if s == 1.0 else present.speed_text(s), "value": s}
                                    for s in SPEEDS]),
        ], role="group", **{"aria-labelledby": f"{ids.REPLAY_SPEED}-label"}),
        html.P(present.replay_status(state), id=ids.REPLAY_STATUS,
               style={"fontWeight": "bold", "margin": "12px 0 4px"}),
        html.Div("Go to a point: drag the handle (marks in minutes:seconds), or type the "
                 "time below.", id=f"{ids.REPLAY_SEEK}-label"),
        dcc.Slider(id=ids.REPLAY_SEEK, min=0,
                   max=max(1.0, float(state["duration_s"])) if state else 1.0, step=0.5,
                   value=float(state["position_s"]) if state else 0.0,
                   marks=present.seek_marks(state["duration_s"] if state else 0),
                   updatemode="mouseup", allow_direct_input=False, disabled=not state),
        html.Div([
            html.Label("Go to (minutes:seconds)", htmlFor=ids.REPLAY_GOTO),
            dcc.Input(id=ids.REPLAY_GOTO, type="text", placeholder="e.g. 1:05",
                      debounce=True, style={"width": "7rem", "marginRight": "8px"}),
            html.Button("Go", id=ids.REPLAY_GOTO_BUTTON),
        ], style={"margin": "8px 0"}),
        html.Div(message, id=ids.REPLAY_MESSAGE, role="status", style={"margin": "8px 0"}),
        dcc.Link("Watch it on the Live page", href=LIVE_PATH, id=ids.REPLAY_LIVE_LINK),
        dcc.Store(id=ids.REPLAY_LOADED, data=current),
        dcc.Interval(id=ids.REPLAY_TICK, interval=TICK_MS),
    ]


def register(app: dash.Dash, dctx: DashboardContext) -> None:
    def layout(**_query: str) -> html.Div:
        return html.Div([html.H2("Replay"), disclaimer(), *_layout(current_context(dctx))])

    dash.register_page(__name__, path="/replay", name="Replay", title="solewatch: replay",
                       order=6, layout=layout)

    @app.callback(Output(ids.REPLAY_MESSAGE, "children"), Output(ids.REPLAY_LOADED, "data"),
                  Input(ids.REPLAY_PLAY, "n_clicks"), Input(ids.REPLAY_PAUSE, "n_clicks"),
                  Input(ids.REPLAY_STOP, "n_clicks"), Input(ids.REPLAY_SPEED, "value"),
                  Input(ids.REPLAY_GOTO_BUTTON, "n_clicks"), Input(ids.REPLAY_GOTO, "n_submit"),
                  State(ids.REPLAY_GOTO, "value"),
                  State(ids.REPLAY_SOURCE, "value"), State(ids.REPLAY_LOADED, "data"),
                  State(ids.WEARER, "data"), prevent_initial_call=True)
    def _control(_play: Any, _pause: Any, _stop: Any, speed: Any, _go: Any, _submit: Any,
                 goto: str | None, chosen: str | None, loaded: str | None,
                 chosen_wearer: str | None) -> tuple:
        hub = dctx.hub
        trigger = ctx.triggered_id
        if hub is None or trigger is None:
            raise PreventUpdate
        try:
            if trigger == ids.REPLAY_SPEED:
                if hub.replay_state() is None:
                    return f"Speed {present.speed_text(speed)}: used when you press Play.", \
                        dash.no_update
                hub.set_speed(check_speed(speed))
                return f"Speed {present.speed_text(speed)}.", dash.no_update
            if trigger == ids.REPLAY_PAUSE:
                if hub.replay_state() is None:
                    return "Nothing is playing.", dash.no_update
                hub.pause()
                return "Paused.", dash.no_update
            if trigger in (ids.REPLAY_GOTO_BUTTON, ids.REPLAY_GOTO):
                if hub.replay_state() is None:
                    return "Press Play first, then choose where to go.", dash.no_update
                try:
                    position_s = present.parse_position(goto)
                except ValueError as error:  # says how to write a time
                    return f"Not moved: {error}.", dash.no_update
                state = hub.seek(position_s)
                return f"Went to {present.mmss(state['position_s'])}.", dash.no_update
            if trigger == ids.REPLAY_STOP:
                hub.stop_replay()
                wearer = present.resume_wearer(hub.devices(), hub.pairings(), chosen_wearer)
                if wearer is None:
                    return "Replay stopped. No insoles are paired to show live.", None
                hub.stream(wearer)
                return (f"Replay stopped. The Live page shows the insoles of {wearer} "
                        "again.", None)
            action = present.play_action(hub.replay_state(), chosen, loaded)
            if action == "choose":
                return "Choose a recording or test data set first.", dash.no_update
            if action == "start":
                state = hub.replay(chosen, speed=check_speed(speed))
                return f"Playing {state['name']}.", chosen
            state = hub.play()
            return f"Playing {state['name']}.", dash.no_update
        except Exception as error:
            logger.info("replay control failed: %s", type(error).__name__)
            return present.error_text(error), dash.no_update

    @app.callback(Output(ids.REPLAY_SEEK, "value"), Output(ids.REPLAY_SEEK, "max"),
                  Output(ids.REPLAY_SEEK, "marks"), Output(ids.REPLAY_SEEK, "disabled"),
                  Output(ids.REPLAY_STATUS, "children"),
                  Input(ids.REPLAY_TICK, "n_intervals"), Input(ids.REPLAY_SEEK, "value"),
                  State(ids.REPLAY_SEEK, "max"))
    def _tick_or_seek(_n: Any, wanted: Any, shown_max: Any) -> tuple:
        hub = dctx.hub
        if hub is None:
            raise PreventUpdate
        try:
            if ctx.triggered_id == ids.REPLAY_SEEK and wanted is not None \
                    and hub.replay_state() is not None:
                state = hub.seek(float(wanted))
                value = dash.no_update
            else:
                state = hub.replay_state()
                value = float(state["position_s"]) if state else 0.0
                if value == wanted:  # unchanged (paused): leave the slider and its box be
                    value = dash.no_update
            text = present.replay_status(state)
        except Exception as error:
            return (dash.no_update, dash.no_update, dash.no_update, dash.no_update,
                    present.error_text(error))
        duration = max(1.0, float(state["duration_s"])) if state else 1.0
        if duration == shown_max:
            return value, dash.no_update, dash.no_update, state is None, text
        return value, duration, present.seek_marks(state["duration_s"] if state else 0), \
            state is None, text
