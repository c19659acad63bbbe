"""The alert card's evidence and the baseline findings in real headless Chromium (Debian's,
driven by Playwright): the card shows the latest value, the offset sentence and the evidence
days as an HTML table; the findings are a section of their own, not counted with the alerts,
and "I had it checked" reaches the store; the Temperature page switches to the difference as
the rule sees it. Screenshots (desktop and phone) go to artifacts/screenshots/."""

from __future__ import annotations

import pytest

from analysis.alerts import BASELINE_DIFFERENCE, CONTRALATERAL_SITE
from dashboard import ids, views
from dashboard.app import create_app
from solewatch.evidence import FINDING_SENTENCE, OVER_WORD
from solewatch.store import Store
from tests import _evidence_data as data
from tests._browser import SCREENSHOTS, needs_chromium, serve

pytest.importorskip("playwright.sync_api")

TIMEOUT_MS = 15_000
WEARER = "eve"
pytestmark = needs_chromium


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A SQLite store (Store API) with a hotspot found by the analysis over a learned offset,
    its daily rows, and a baseline finding; the dashboard over it on a free local port, its
    today the history's last day."""
    url = f"sqlite:///{tmp_path_factory.mktemp('evidence') / 'store.db'}"
    store = Store.open(url)
    store.migrate()
    store.add_wearer(WEARER)
    case = data.hotspot_with_offset()
    store.upsert_daily_temperature(WEARER, case.daily)
    store.upsert_alerts(WEARER, [case.only(CONTRALATERAL_SITE),
                                 *data.baseline_finding().alerts])
    # every page's today is the history's last day (the ranges end on today, and the
    # simulated history lies in the past)
    last_day = max(r["date"] for r in case.daily)
    with serve(create_app(url, token="", today=last_day)) as base:
        yield base, store, case
    store.close()


def _open(page, base: str, path: str) -> None:
    page.goto(base + path)
    page.wait_for_selector(f"#{ids.DISCLAIMER}")


@pytest.mark.parametrize(("size", "width", "height"), [("desktop", 1280, 900),
                                                      ("phone", 390, 844)])
def test_card_shows_the_evidence_table_and_the_offset_sentence(served, page, size, width,
                                                               height):
    base, store, _ = served
    page.set_viewport_size({"width": width, "height": height})
    _open(page, base, "/")
    page.wait_for_selector(f"#{ids.ALERTS_LIST} .alert-open table.evidence-days")
    alert = next(a for a in store.alerts(WEARER) if a.rule == CONTRALATERAL_SITE)
    card = views.alert_card(alert)
    shown = page.locator(f"#{ids.ALERTS_LIST} .alert-open")
    assert shown.count() == 1  # the finding is not an alert
    text = shown.inner_text()
    assert card.correction in text and card.latest in text and card.confirmed in text
    assert "Your feet usually differ by" in card.correction
    # the table: a header row and one row per evidence day; days over say so in words
    rows = shown.locator("table.evidence-days tbody tr")
    assert rows.count() == len(alert.evidence["days"])
    over = [d["over"] for d in alert.evidence["days"]]
    assert shown.locator("table.evidence-days tbody tr.over").count() == sum(over)
    assert shown.locator("table.evidence-days tbody tr.over").first.inner_text().count(
        OVER_WORD) == 1
    assert shown.locator("table.evidence-days th").count() == len(card.table.columns)
    assert "{" not in text and "delta_c" not in text
    overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1] + 1, overflow
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-alerts-evidence-{size}.png"),
                    full_page=True)
    assert page.console_problems == []


def test_findings_are_a_section_apart_and_checked_in_the_browser(served, page):
    base, store, _ = served
    _open(page, base, "/")
    section = page.locator(f"#{ids.FINDINGS_SECTION}")
    section.wait_for()
    assert "Found when monitoring began" in section.inner_text()
    assert FINDING_SENTENCE in section.inner_text()
    # apart: no finding inside an alert card, no alert card inside the findings section
    assert section.locator(".alert").count() == 0
    assert page.locator(f"#{ids.ALERTS_LIST} .alert #{ids.FINDINGS_SECTION}").count() == 0
    finding = next(a for a in store.alerts(WEARER) if a.rule == BASELINE_DIFFERENCE)
    assert section.locator(".finding").count() == 1
    section.get_by_role("button", name="I had it checked").click()
    page.wait_for_selector(f"#{ids.ALERT_ACTION_STATUS} >> text=Checked")
    assert store.get_alert(finding.id).status == "acknowledged"
    page.wait_for_selector(f"#{ids.FINDINGS_SECTION} .finding-acknowledged")
    assert page.console_problems == []


def test_temperature_shows_the_difference_as_the_rule_sees_it(served, page):
    base, _, case = served
    _open(page, base, "/temperature")
    page.wait_for_selector(f"#{ids.TEMP_GRAPH} .main-svg")
    page.get_by_label(views.TEMP_VIEWS["rule"]).check()
    page.wait_for_selector(f"#{ids.TEMP_GRAPH} >> text=As the rule sees it")
    label = views.site_label(case.truth["site"])
    page.wait_for_selector(f"#{ids.TEMP_GRAPH} >> text={label} (usual")
    assert "is removed from each line" in page.inner_text(f"#{ids.TEMP_SUMMARY}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-temperature-rule.png"), full_page=True)
    assert page.console_problems == []
