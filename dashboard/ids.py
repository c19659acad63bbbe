"""Every component id of the dashboard, defined once. Pages and tests import them from here."""

from __future__ import annotations

from typing import Final

# shared (app.py)
NAV: Final = "nav"
DISCLAIMER: Final = "disclaimer"

# Alerts page
ALERTS_LIST: Final = "alerts-list"
ALERT_ACTION_STATUS: Final = "alert-action-status"
ALERT_NOTE: Final = "alert-note"          # pattern id: {"type": ALERT_NOTE, "index": alert id}
ALERT_ACK: Final = "alert-ack"            # pattern id: {"type": ALERT_ACK, "index": alert id}
ALERT_RESOLVE: Final = "alert-resolve"    # pattern id: {"type": ALERT_RESOLVE, "index": id}

# Temperature page
TEMP_RANGE: Final = "temp-range"
TEMP_UNIT: Final = "temp-unit"
TEMP_SITE: Final = "temp-site"
TEMP_GRAPH: Final = "temp-graph"
TEMP_SUMMARY: Final = "temp-summary"

# Notes page
NOTE_KIND: Final = "note-kind"
NOTE_TEXT: Final = "note-text"
NOTE_ADD: Final = "note-add"
NOTE_STATUS: Final = "note-status"
NOTES_LIST: Final = "notes-list"
