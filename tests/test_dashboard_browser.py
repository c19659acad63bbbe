"""The dashboard in real headless Chromium (Debian's, driven by Playwright): every page renders
with a clean console, an acknowledgement and a note made in the browser reach the store, and
a screenshot of each page is saved under artifacts/screenshots/."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from dashboard import ids
from dashboard.app import create_app
from dashboard.serve import quiet_request_logs
from solewatch.report import NOT_A_DIAGNOSIS
from tests._dashboard_data import WEARER, fill

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run"]
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (scripts/test.sh installs it "
    "when run as root)")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The dashboard on a free local port, over a temp SQLite store filled via the Store API."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dash') / 'store.db'}"
    store = fill(url)
    quiet_request_logs()
    server = make_server("127.0.0.1", 0, create_app(url, token=""), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", store
    server.shutdown()
    thread.join(5)
    store.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with playwright_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
            headless=True, args=FLAGS, viewport={"width": 1100, "height": 900})
        yield context
        context.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.console_problems = []
    page.on("console", lambda m: m.type in ("error", "warning")
            and page.console_problems.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: page.console_problems.append(f"pageerror: {e}"))
    yield page
    page.close()


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
