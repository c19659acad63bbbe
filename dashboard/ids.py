"""Every component id of the dashboard, defined once. Pages and tests import them from here."""

from __future__ import annotations

from typing import Final

# shared (app.py)
NAV: Final = "nav"
DISCLAIMER: Final = "disclaimer"

# Alerts page
ALERTS_LIST: Final = "alerts-list"
ALERTS_STATUS: Final = "alerts-status"    # what could be judged, above the alerts (role=status)
ALERT_ACTION_STATUS: Final = "alert-action-status"
ALERT_NOTE: Final = "alert-note"          # pattern id: {"type": ALERT_NOTE, "index": alert id}
ALERT_ACK: Final = "alert-ack"            # pattern id: {"type": ALERT_ACK, "index": alert id}
ALERT_RESOLVE: Final = "alert-resolve"    # pattern id: {"type": ALERT_RESOLVE, "index": id}
FINDINGS_SECTION: Final = "findings-section"  # baseline findings, apart from the alerts

# Temperature page
TEMP_RANGE: Final = "temp-range"
TEMP_UNIT: Final = "temp-unit"
TEMP_SITE: Final = "temp-site"
TEMP_VIEW: Final = "temp-view"    # measured / as the rule sees it (usual difference removed)
TEMP_GRAPH: Final = "temp-graph"
TEMP_SUMMARY: Final = "temp-summary"
TEMP_NEWEST: Final = "temp-newest"        # how old the newest day with readings is

# Notes page
NOTE_KIND: Final = "note-kind"
NOTE_TEXT: Final = "note-text"
NOTE_ADD: Final = "note-add"
NOTE_STATUS: Final = "note-status"
NOTES_LIST: Final = "notes-list"

# Devices page (helper "devices")
DEV_NO_HUB: Final = "dev-no-hub"
DEV_SCAN: Final = "dev-scan"                  # "Find insoles" button
DEV_SCAN_STATUS: Final = "dev-scan-status"
DEV_FOUND: Final = "dev-found"                # dcc.Store: the last scan's insoles
DEV_FOUND_LIST: Final = "dev-found-list"
DEV_LEFT: Final = "dev-left"                  # dropdown: left insoles found
DEV_RIGHT: Final = "dev-right"                # dropdown: right insoles found
DEV_WEARER_NAME: Final = "dev-wearer-name"
DEV_PAIR: Final = "dev-pair"
DEV_PAIR_STATUS: Final = "dev-pair-status"
DEV_TICK: Final = "dev-tick"                  # dcc.Interval, ~1 s
DEV_STATUS: Final = "dev-status"              # the paired insoles' link state
DEV_PAIRINGS: Final = "dev-pairings"          # dcc.Store: hub.pairings()
DEV_PAIRINGS_LIST: Final = "dev-pairings-list"
DEV_UNPAIR: Final = "dev-unpair"              # pattern id: {"type": DEV_UNPAIR, "index": wearer}
DEV_UNPAIR_PENDING: Final = "dev-unpair-pending"  # dcc.Store: the wearer to unpair
DEV_UNPAIR_CONFIRM: Final = "dev-unpair-confirm"  # dcc.ConfirmDialog
DEV_UNPAIR_STATUS: Final = "dev-unpair-status"

# Replay page (helper "devices")
REPLAY_NO_HUB: Final = "replay-no-hub"
REPLAY_SOURCE: Final = "replay-source"        # dropdown of recordings and fixtures
REPLAY_PLAY: Final = "replay-play"
REPLAY_PAUSE: Final = "replay-pause"
REPLAY_STOP: Final = "replay-stop"
REPLAY_SPEED: Final = "replay-speed"
REPLAY_SEEK: Final = "replay-seek"            # dcc.Slider, seconds
REPLAY_GOTO: Final = "replay-goto"            # text box: a position, m:ss or seconds
REPLAY_GOTO_BUTTON: Final = "replay-goto-button"
REPLAY_TICK: Final = "replay-tick"            # dcc.Interval, ~3 Hz
REPLAY_STATUS: Final = "replay-status"        # position / duration as text
REPLAY_MESSAGE: Final = "replay-message"
REPLAY_LOADED: Final = "replay-loaded"        # dcc.Store: the source id last started
REPLAY_LIVE_LINK: Final = "replay-live-link"

# Wearer chooser (shared header, app.py). A page reads the chosen wearer with
# Input(WEARER, "data") or State(WEARER, "data") and passes it to
# DashboardContext.wearer_for(store, chosen).
WEARER: Final = "wearer"                  # dcc.Store, session storage: the chosen name (str)
WEARER_CHOICE: Final = "wearer-choice"    # the dropdown in the header

# Gait and balance page
GAIT_RANGE: Final = "gait-range"
GAIT_SUMMARY: Final = "gait-summary"
GAIT_CHARTS: Final = "gait-charts"
GAIT_GRAPH: Final = "gait-graph"          # pattern id: {"type": GAIT_GRAPH, "index": metric}

# Live page (helper "live"); dashboard/assets/live.js finds them through the static data
LIVE_NO_HUB: Final = "live-no-hub"
LIVE_GEOMETRY: Final = "live-geometry"    # dcc.Store: dashboard.live.geometry, once per load
LIVE_STARTED: Final = "live-started"      # dcc.Store: written by the clientside starter
LIVE_CANVAS: Final = "live-canvas"        # both insole maps, the trail and the colour bar
LIVE_SOURCE: Final = "live-source"        # what is shown: live from whom, or replay state
LIVE_BANNER: Final = "live-banner"        # warnings, role="alert"
LIVE_MISSING: Final = "live-missing"      # sensors without a value, named
LIVE_TEMPS: Final = "live-temps"          # temperatures per site, left, right, difference
LIVE_GAIT: Final = "live-gait"            # cadence, steps, stance
LIVE_COUNTER: Final = "live-counter"      # "frames drawn: N" + data-frames/-versions/-fps
