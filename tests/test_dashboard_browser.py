"""The dashboard in real headless Chromium (Debian's, driven by Playwright): every registered
page renders with a clean console and without sideways scrolling at desktop (1280x800) and
phone (390x844) size, an acknowledgement and a note made in the browser reach the store, the
wearer chosen in the header is what the pages show and is kept per tab, and a screenshot of
each page at each size is saved under artifacts/screenshots/."""

from __future__ import annotations

import json

import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.pages import PAGES
from solewatch.report import NOT_A_DIAGNOSIS
from tests._browser import SCREENSHOTS, needs_chromium, serve
from tests._dashboard_data import LAST_DAY, OTHER_WEARER, WEARER, fill

pytest.importorskip("playwright.sync_api")

TIMEOUT_MS = 15_000
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
#: What shows that a page has drawn its data (pages not listed: the disclaimer and no
#: callback in flight).
READY = {
    "alerts": f"#{ids.ALERTS_LIST} .alert",
    "temperature": f"#{ids.TEMP_GRAPH} .main-svg",
    "notes": f"#{ids.NOTES_LIST} > *",
    "gait": f"#{ids.GAIT_CHARTS} .main-svg",
}

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The dashboard on a free local port, over a temp SQLite store filled via the Store API."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dash') / 'store.db'}"
    store = fill(url)
    with serve(create_app(url, token="", today=LAST_DAY)) as base:  # the history's last day
        yield base, store
    store.close()


def _open(page, base: str, path: str) -> None:
    page.goto(base + path)
    page.wait_for_selector(f"#{ids.DISCLAIMER}")


@pytest.mark.parametrize(("path", "name", "ready"), [
    ("/", "alerts", ".alert-open"),
    ("/temperature", "temperature", f"#{ids.TEMP_GRAPH} .main-svg"),
    ("/notes", "notes", f"#{ids.NOTE_ADD}"),
])
def test_page_renders_with_clean_console(served, page, path, name, ready):
    base, _ = served
    _open(page, base, path)
    page.wait_for_selector(ready)
    assert page.inner_text(f"#{ids.DISCLAIMER}") == NOT_A_DIAGNOSIS
    if name == "temperature":
        page.wait_for_function(f"document.getElementById('{ids.TEMP_SUMMARY}').innerText"
                               ".length > 0")
        page.get_by_label("°F").check()
        page.wait_for_selector("text=usual range ±4.0 °F")
    page.wait_for_timeout(300)  # late console messages
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{name}.png"), full_page=True)
    assert page.console_problems == []


def test_acknowledge_in_browser_is_stored(served, page):
    base, store = served
    alert = store.alerts(WEARER, status="open")[0]
    _open(page, base, "/")
    note_box = {"index": alert.id, "type": ids.ALERT_NOTE}  # Dash's pattern id, as JSON
    page.locator(f"[id='{json.dumps(note_box, separators=(',', ':'), sort_keys=True)}']").fill(
        "resting the foot today")
    page.get_by_role("button", name="I have seen it").click()
    page.wait_for_selector(f"#{ids.ALERT_ACTION_STATUS} >> text=Saved")
    step = store.alert_history(alert.id)[-1]
    assert (step.to_status, step.by, step.note) == ("acknowledged", "dashboard",
                                                    "resting the foot today")
    assert page.console_problems == []


def test_note_in_browser_is_stored(served, page):
    base, store = served
    _open(page, base, "/notes")
    page.get_by_label("Exercise").check()
    page.fill(f"#{ids.NOTE_TEXT}", "balance exercise, 10 minutes")
    page.click(f"#{ids.NOTE_ADD}")
    page.wait_for_selector(f"#{ids.NOTES_LIST} >> text=balance exercise, 10 minutes")
    [note] = store.notes(WEARER)
    assert (note.kind, note.text) == ("exercise", "balance exercise, 10 minutes")
    assert page.console_problems == []


def _settled(page) -> None:
    """Wait until Dash has no callback in flight (the title says "Updating..." meanwhile)."""
    page.wait_for_function("!document.title.startsWith('Updating')"
                           " && !document.querySelector('[data-dash-is-loading=\"true\"]')")


def _registered(base: str) -> dict[str, str]:
    """Page module name -> path, from Dash's page registry (filled when the app was made)."""
    import dash

    return {p["module"].rsplit(".", 1)[-1]: p["relative_path"]
            for p in dash.page_registry.values() if p["module"].startswith("dashboard.pages.")}


def test_every_listed_page_is_registered(served):
    assert set(_registered(served[0])) == set(PAGES)


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("name", PAGES)
def test_page_fits_the_screen_with_clean_console(served, page, name, size):
    base, _ = served
    page.set_viewport_size(SIZES[size])
    _open(page, base, _registered(base)[name])
    if name in READY:
        page.wait_for_selector(READY[name])
    _settled(page)
    assert page.inner_text(f"#{ids.DISCLAIMER}") == NOT_A_DIAGNOSIS
    page.wait_for_timeout(300)  # late console messages and late layout
    _settled(page)
    overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{name}-{size}.png"), full_page=True)
    assert overflow[0] <= overflow[1] + 1, f"{name} at {size}: {overflow[0]} px wide content " \
        f"in a {overflow[1]} px window"
    font_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_px >= 16
    assert page.console_problems == []
    # Nothing is sent anywhere: every script, style, font and data request stays on the
    # dashboard's own address.
    assert page.requested and all(u.startswith(base + "/") or u.startswith("data:")
                                  for u in page.requested), \
        [u for u in page.requested if not u.startswith(base + "/")]


def _choose_wearer(page, name: str) -> None:
    page.click(f"#{ids.WEARER_CHOICE}")
    page.get_by_role("option", name=name, exact=True).click()


def test_wearer_chooser_switches_every_page_and_is_kept_per_tab(served, browser, page):
    base, store = served
    mine = [a.id for a in store.alerts(WEARER)]
    theirs = [a.id for a in store.alerts(OTHER_WEARER)]
    assert mine and theirs and not set(mine) & set(theirs)
    _open(page, base, "/")
    page.wait_for_selector(f"#{ids.ALERTS_LIST} >> text=Left foot")
    assert "Right foot" not in page.inner_text(f"#{ids.ALERTS_LIST}").split("\n")[1]
    _choose_wearer(page, OTHER_WEARER)
    page.wait_for_selector(f"#{ids.ALERTS_LIST} >> text=One whole foot warmer than the other")
    listed = page.inner_text(f"#{ids.ALERTS_LIST}")
    assert "Left foot" not in listed and "Right foot" in listed
    assert page.locator(f"#{ids.ALERTS_LIST} .alert").count() == len(theirs)
    # another page, reached through the menu, shows the same wearer
    page.get_by_role("link", name="Temperature").click()
    page.wait_for_selector(f"#{ids.TEMP_SUMMARY} >> text=7 days with readings")
    # a reload keeps the choice (session storage of this tab) ...
    page.reload()
    page.wait_for_selector(f"#{ids.TEMP_SUMMARY} >> text=7 days with readings")
    assert OTHER_WEARER in page.inner_text(f"#{ids.WEARER_CHOICE}")
    # ... while a new tab starts with the default wearer
    other_tab = browser.new_page()
    try:
        other_tab.goto(base + "/temperature")
        other_tab.wait_for_selector(f"#{ids.TEMP_SUMMARY} >> text=30 days with readings")
        assert WEARER in other_tab.inner_text(f"#{ids.WEARER_CHOICE}")
    finally:
        other_tab.close()
    _choose_wearer(page, WEARER)
    page.wait_for_selector(f"#{ids.TEMP_SUMMARY} >> text=30 days with readings")
    assert page.console_problems == []
