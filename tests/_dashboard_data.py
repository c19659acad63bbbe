"""A small history store for the dashboard tests, filled through the Store API."""

from __future__ import annotations

from datetime import date, timedelta

from analysis.alerts import CONTRALATERAL_SITE, SUDDEN_RISE, Alert
from analysis.sites import SITES
from solewatch.store import Store

WEARER = "ada"
LAST_DAY = date(2026, 3, 31)
N_DAYS = 40
HOT_SITE = "mth1"


def fill(url: str) -> Store:
    """Migrate the store at ``url`` and fill it: 40 days of temperature (left mth1 warm on the
    last 5 days), one open and one acknowledged alert. Returns the open Store."""
    store = Store.open(url)
    store.migrate()
    store.add_wearer(WEARER)
    rows = []
    for i in range(N_DAYS):
        day = LAST_DAY - timedelta(days=N_DAYS - 1 - i)
        for site in (*SITES, "foot_mean"):
            delta = 2.8 if site == HOT_SITE and i >= N_DAYS - 5 else 0.3 * ((i % 3) - 1)
            rows.append({"date": day, "site": site, "left_c": 30.0 + delta, "right_c": 30.0,
                         "delta_c": delta, "minutes": 300.0, "enough": True, "room_c": 21.0})
    store.upsert_daily_temperature(WEARER, rows)
    first = LAST_DAY - timedelta(days=4)
    alerts = [
        Alert(rule=CONTRALATERAL_SITE, foot="left", site=HOT_SITE, first_day=first,
              confirmed_day=first + timedelta(days=1), delta_c=2.8,
              message="left mth1 2.8 °C warmer than the right for 2 days",
              evidence={"threshold_c": 2.2, "days": [first.isoformat()], "deltas_c": [2.8]}),
        Alert(rule=SUDDEN_RISE, foot="right", site=None, first_day=LAST_DAY - timedelta(20),
              confirmed_day=None, delta_c=1.5, message="right foot rose 1.5 °C in a day",
              evidence={"rise_c": 1.5}),
    ]
    stored = store.upsert_alerts(WEARER, alerts)
    store.acknowledge_alert(stored[1].id, by="test", note="looked, fine")
    return store
