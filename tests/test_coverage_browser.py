"""Silence never looks like safety, in real headless Chromium: the Alerts page says which insole
has sent nothing since when, above "no alerts"; the Temperature page's range ends today, draws
the days without data as gaps (the line is broken there) and says how old the newest day is.

The history: a wearer with both insoles from D0, no data on D10, the right insole silent after
D19, the left after D22; "today" is D22 + 5."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from analysis.sites import SITES
from dashboard import ids
from dashboard.app import create_app
from solewatch.store import Store
from tests._browser import needs_chromium, serve

pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium

TIMEOUT_MS = 15_000
WEARER = "cy"
D0 = date(2026, 3, 1)
MISSING_DAY = D0 + timedelta(days=10)
LAST_RIGHT = D0 + timedelta(days=19)
LAST_LEFT = D0 + timedelta(days=22)
TODAY = LAST_LEFT + timedelta(days=5)


def _rows() -> list[dict]:
    rows = []
    for i in range((LAST_LEFT - D0).days + 1):
        day = D0 + timedelta(days=i)
        if day == MISSING_DAY:
            continue
        right = 30.0 if day <= LAST_RIGHT else None
        for site in (*SITES, "foot_mean"):
            delta = 0.2 * ((i % 3) - 1)
            rows.append({"date": day, "site": site, "left_c": 30.0 + delta,
                         "right_c": right, "delta_c": delta if right else None,
                         "minutes": 300.0, "enough": True, "room_c": 21.0})
    return rows


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('cov') / 'store.db'}"
    store = Store.open(url)
    store.migrate()
    store.add_wearer(WEARER)
    store.upsert_daily_temperature(WEARER, _rows())
    with serve(create_app(url, token="", today=TODAY)) as base:
        yield base
    store.close()


def test_alerts_page_says_what_is_missing_above_no_alerts(served, page):
    page.goto(served + "/")
    banner = page.locator(f"#{ids.ALERTS_STATUS}")
    page.wait_for_selector(f"#{ids.ALERTS_STATUS} .sw-status-incomplete")
    assert banner.get_attribute("role") == "status"
    text = banner.inner_text()
    assert f"No data from the left insole since {LAST_LEFT}." in text
    assert f"No data from the right insole since {LAST_RIGHT}." in text
    assert "Nothing needs your attention" not in page.inner_text("body")
    no_alerts = page.get_by_text("No alerts in what could be checked")
    no_alerts.wait_for()
    assert banner.bounding_box()["y"] + banner.bounding_box()["height"] <= \
        no_alerts.bounding_box()["y"]
    # Colour and an icon, not colour alone.
    assert page.locator(f"#{ids.ALERTS_STATUS} .sw-status-icon").inner_text().strip()
    assert page.console_problems == []


def test_temperature_range_ends_today_with_gaps(served, page):
    page.goto(served + "/temperature")
    page.wait_for_selector(f"#{ids.TEMP_GRAPH} .main-svg")
    page.wait_for_function(f"document.getElementById('{ids.TEMP_NEWEST}').innerText.length > 0")
    assert page.inner_text(f"#{ids.TEMP_NEWEST}") == f"Newest data: 5 days ago, {LAST_LEFT}."
    graph = f"#{ids.TEMP_GRAPH} .js-plotly-plot"
    page.wait_for_function(f"document.querySelector('{graph}').data.length > 0")
    xrange = page.evaluate(f"document.querySelector('{graph}').layout.xaxis.range")
    assert xrange[1].startswith(TODAY.isoformat())
    trace = page.evaluate(f"() => {{ const t = document.querySelector('{graph}').data[0];"
                          " return {x: t.x, y: t.y}; }")
    days = [TODAY - timedelta(days=29 - i) for i in range(30)]
    assert trace["x"] == [d.isoformat() for d in days]
    for d, y in zip(days, trace["y"], strict=True):
        has_value = D0 <= d <= LAST_RIGHT and d != MISSING_DAY
        assert (y is not None) == has_value, d
    # Drawn: the line of the first site is broken at the missing day (two pieces, before and
    # after it) and not drawn on after the right insole fell silent.
    pieces = page.locator(f"{graph} .scatterlayer .trace").first.locator("path.js-line")
    assert pieces.count() == 2
    assert page.console_problems == []
