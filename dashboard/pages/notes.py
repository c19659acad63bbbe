"""Notes: log symptoms, exercises and shoes."""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import ids, views
from dashboard.app import DashboardContext, disclaimer


def _list(dctx: DashboardContext, chosen: str | None) -> html.Ul | html.P:
    with dctx.store() as store:
        wearer = dctx.wearer_for(store, chosen)
        lines = views.note_lines(store, wearer) if wearer else []
    if not lines:
        return html.P("No notes yet.")
    return html.Ul([html.Li(line) for line in lines])


def register(app: dash.Dash, dctx: DashboardContext) -> None:
    def layout(**_query: str) -> html.Div:
        return html.Div([
            html.H2("Notes"), disclaimer(),
            html.P("Write down how your feet feel, the exercises you did, or the shoes you "
                   "wore. Your foot care team can read them next to the measurements."),
            dcc.RadioItems(id=ids.NOTE_KIND, value="symptom", inline=True,
                           options=[{"label": w, "value": k}
                                    for k, w in views.NOTE_KIND_WORDS.items()]),
            dcc.Textarea(id=ids.NOTE_TEXT, value="", style={"width": "100%", "height": "80px"}),
            html.Button("Save note", id=ids.NOTE_ADD),
            html.Div(id=ids.NOTE_STATUS, role="status"),
            html.Div(id=ids.NOTES_LIST),  # filled for the tab's chosen wearer (ids.WEARER)
        ])

    dash.register_page(__name__, path="/notes", name="Notes", title="solewatch: notes",
                       order=2, layout=layout)

    @app.callback(Output(ids.NOTES_LIST, "children"), Input(ids.WEARER, "data"))
    def _show(chosen: str | None) -> html.Ul | html.P:
        return _list(dctx, chosen)

    @app.callback(Output(ids.NOTE_STATUS, "children"),
                  Output(ids.NOTES_LIST, "children", allow_duplicate=True),
                  Output(ids.NOTE_TEXT, "value"),
                  Input(ids.NOTE_ADD, "n_clicks"),
                  State(ids.NOTE_KIND, "value"), State(ids.NOTE_TEXT, "value"),
                  State(ids.WEARER, "data"),
                  prevent_initial_call=True)
    def _add(n_clicks: int | None, kind: str, text: str, chosen: str | None) -> tuple:
        if not n_clicks:
            raise PreventUpdate
        with dctx.store() as store:
            wearer = dctx.wearer_for(store, chosen)
            if wearer is None:
                return "Not saved: no wearer in the store yet.", dash.no_update, text
            message = views.add_note(store, wearer, kind, text)
        saved = message.startswith("Saved")
        return message, _list(dctx, chosen), "" if saved else text
