"""The Live page in real headless Chromium (Debian's, driven by Playwright) over a real
LiveHub in demo mode: two virtual insoles paired to "ann" and streamed over the virtual radio
into the real pipeline. The page renders both insoles with a clean console, its frame counter
advances and keeps in step with the frames the hub publishes, a lost insole shows the warning
banner and a greyed insole, and it stops when left. No timed assertions: every wait is on a
condition, with a deadline; speed is measured in benchmarks/live.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import ids
from dashboard.app import create_app
from solewatch.report import NOT_A_DIAGNOSIS
from solewatch.store import Store
from tests._browser import SCREENSHOTS, needs_chromium, serve

pytest.importorskip("playwright.sync_api")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data"
TIMEOUT_MS = 30_000
#: Published versions the in-step comparison spans.
WINDOW_VERSIONS = 60
COUNTER = f"#{ids.LIVE_COUNTER}"

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def hub():
    from dashboard.live.hub import LiveHub

    with LiveHub(demo=True, demo_wearer="ann", replay_roots=[FIXTURES]) as live:
        yield live


@pytest.fixture(scope="module")
def served(tmp_path_factory, hub):
    """The dashboard with the demo hub on a free local port, over an empty SQLite store."""
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'store.db'}"
    store = Store.open(url)
    store.migrate()
    store.close()
    with serve(create_app(url, token="", hub=hub)) as base:
        yield base


def _counter(page) -> dict:
    return page.eval_on_selector(COUNTER, "el => ({text: el.textContent, "
                                 "frames: +el.dataset.frames, versions: +el.dataset.versions, "
                                 "version: +el.dataset.version, fps: +el.dataset.fps, "
                                 "feet: el.dataset.feet})")


def _wait_counter(page, condition_js: str) -> None:
    """Wait until ``condition_js`` (over the counter's dataset ``d``) holds."""
    page.wait_for_function(
        f"() => {{ const el = document.getElementById('{ids.LIVE_COUNTER}'); if (!el) "
        f"return false; const d = el.dataset; return {condition_js}; }}")


def _open_live(page, base: str) -> None:
    page.goto(base + "/live")
    page.wait_for_selector(f"#{ids.DISCLAIMER}")
    page.wait_for_selector(f"#{ids.LIVE_CANVAS}")


def _opaque_shares(page) -> list[float]:
    """Share of drawn (non-transparent) pixels in the left and the right foot's half of the
    map, read from a copy of the canvas (reading the page's own canvas would slow it)."""
    return page.evaluate(
        """id => { const c = document.getElementById(id);
        const copy = document.createElement('canvas'); copy.width = c.width;
        copy.height = c.height;
        const ctx = copy.getContext('2d', {willReadFrequently: true}); ctx.drawImage(c, 0, 0);
        const w = Math.floor((c.width - 112) / 2);
        return [0, w].map(x => { const px = ctx.getImageData(x, 34, w, c.height - 40).data;
          let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
          return n / (px.length / 4); }); }""", ids.LIVE_CANVAS)


def test_live_page_draws_both_insoles_with_clean_console(served, page):
    _open_live(page, served)
    assert page.inner_text(f"#{ids.DISCLAIMER}") == NOT_A_DIAGNOSIS
    _wait_counter(page, "+d.frames >= 30 && d.feet === 'left:map right:map'")
    got = _counter(page)
    assert got["text"] == f"frames drawn: {got['frames']}"
    assert got["fps"] > 0 and got["versions"] >= got["frames"]
    # both insoles are drawn: each half of the canvas is a filled insole, not blank
    assert all(share > 0.2 for share in _opaque_shares(page))
    assert page.inner_text(f"#{ids.LIVE_SOURCE}").startswith("Live from ann: left ")
    page.wait_for_function(f"document.getElementById('{ids.LIVE_TEMPS}').innerText"
                           ".includes('°C')")
    temps = page.inner_text(f"#{ids.LIVE_TEMPS}")
    assert "big toe" in temps and "heel" in temps and "2.2 °C" in temps
    assert page.inner_text(f"#{ids.LIVE_GAIT}").startswith("Cadence (pace): ")
    page.wait_for_timeout(300)  # late console messages
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-live.png"), full_page=True)
    assert page.console_problems == []


def test_counter_keeps_in_step_with_the_published_frames(served, hub, page):
    _open_live(page, served)
    _wait_counter(page, "+d.frames >= 10")
    before, published0 = _counter(page), hub.bus.latest()[0]
    page.wait_for_function(f"v => +document.getElementById('{ids.LIVE_COUNTER}').dataset"
                           f".version >= v", arg=published0 + WINDOW_VERSIONS,
                           timeout=120_000)
    after, published1 = _counter(page), hub.bus.latest()[0]
    received = after["versions"] - before["versions"]
    drawn = after["frames"] - before["frames"]
    published = published1 - published0
    assert published >= WINDOW_VERSIONS
    # every frame that came was drawn (at most one draw per animation frame) ...
    assert drawn / received >= 0.9, (drawn, received)
    # ... and the page is not falling behind the hub
    assert received / published >= 0.6, (received, published)
    assert after["text"] == f"frames drawn: {after['frames']}"
    assert page.console_problems == []


def test_several_tabs_do_not_add_readers(served, hub, browser):
    started = hub.stats()["sessions_started"]
    pages = [browser.new_page() for _ in range(3)]
    try:
        for p in pages:
            p.set_default_timeout(TIMEOUT_MS)
            _open_live(p, served)
        for p in pages:
            _wait_counter(p, "+d.frames >= 5")
        stats = hub.stats()
        assert stats["readers"] == 1 and stats["sessions_started"] == started
    finally:
        for p in pages:
            p.close()


def test_loop_stops_when_the_page_is_left_and_starts_again(served, page):
    _open_live(page, served)
    _wait_counter(page, "+d.frames >= 3")
    page.click(f"#{ids.NAV} >> text=Temperature")
    page.wait_for_function(f"!document.getElementById('{ids.LIVE_CANVAS}') && "
                           "!window.solewatchLive.running()")
    page.click(f"#{ids.NAV} >> text=Live")
    _wait_counter(page, "+d.frames >= 3")
    assert page.evaluate("window.solewatchLive.running()")
    assert page.console_problems == []


def test_lost_insole_shows_the_banner_and_a_greyed_foot(served, hub, page):
    """Runs after the others that need the stream: it cuts the left demo insole's link for a
    while (it reconnects after)."""
    from firmware_bridge.ble.peripheral import FaultPlan

    _open_live(page, served)
    _wait_counter(page, "d.feet === 'left:map right:map'")
    left = next(i for i in hub.demo_insoles if i.side == "left")
    hub.run_in_loop(left.set_faults, FaultPlan(link_loss_at_s=0.0, link_loss_down_s=20.0))
    _wait_counter(page, "d.feet === 'left:stale right:map'")
    banner = page.locator(f"#{ids.LIVE_BANNER}")
    assert banner.get_attribute("role") == "alert" and banner.is_visible()
    assert "left insole" in banner.inner_text()
    page.wait_for_function(f"document.getElementById('{ids.LIVE_TEMPS}').innerText"
                           ".includes('no recent data')")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-live-stale.png"), full_page=True)
    assert page.console_problems == []


def test_replay_is_followed_and_said(served, hub, page):
    """Runs last: a replay stops the live stream."""
    source = next(s for s in hub.replay_sources() if s["kind"] == "fixture")
    _open_live(page, served)
    hub.replay(source["id"], speed=2.0)
    pattern = rf"^Replaying {re.escape(source['name'])}: \d+:\d\d of \d+:\d\d, 2x$"
    page.wait_for_function("([id, re]) => new RegExp(re).test("
                           "document.getElementById(id).textContent)",
                           arg=[ids.LIVE_SOURCE, pattern])
    hub.pause()
    page.wait_for_function(f"document.getElementById('{ids.LIVE_SOURCE}').textContent"
                           ".endsWith('2x (paused)')")
    assert page.console_problems == []


def test_live_page_fits_a_phone_with_numbers_kept_whole(served, page):
    page.set_viewport_size({"width": 390, "height": 844})
    _open_live(page, served)
    _wait_counter(page, "+d.frames >= 10 && d.feet === 'left:map right:map'")
    page.wait_for_function(f"document.getElementById('{ids.LIVE_TEMPS}').innerText"
                           ".includes('°C')")
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window + 1, f"{width} px wide content in a {window} px window"
    # every temperature value with its unit is on one line (one line box per cell)
    broken = page.evaluate(
        """() => [...document.querySelectorAll('.sw-live-temps td.sw-num')]
           .filter(td => { const r = document.createRange(); r.selectNodeContents(td);
                           return r.getClientRects().length > 1; })
           .map(td => td.textContent)""")
    assert broken == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-live-phone-streaming.png"),
                    full_page=True)
    assert page.console_problems == []
