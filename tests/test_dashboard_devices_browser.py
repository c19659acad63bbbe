"""The Devices and Replay pages in real headless Chromium (Debian's, driven by Playwright)
over a real LiveHub(demo=True): two virtual insoles advertising on the virtual radio, reached
through bleak over the project's bumble backend, not paired to anyone. No mocks.

* pairing two insoles end to end in the browser: Find insoles -> both listed with foot, RSSI
  and battery -> choose left and right, a wearer -> Pair -> both streaming with battery and
  RSSI -> the hub and the pairings file on disk hold them -> Unpair, confirmed -> gone;
* replay controls move the live view: a recording played on the Replay page is followed by
  the Live page (its frames, fetched inside the Live page, and its text); pause holds it, a
  seek (Go to box, slider) moves it there, 4x plays it faster, Stop replay brings back the
  insoles that streamed before;
* a clean console on every page visited; screenshots in artifacts/screenshots/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dashboard import ids
from dashboard.app import create_app
from dashboard.live import present
from dashboard.live.hub import LiveHub
from firmware_bridge.ble.pairing import PairingStore
from solewatch.report import NOT_A_DIAGNOSIS
from solewatch.store import Store
from tests._browser import SCREENSHOTS, checked_page, needs_chromium, serve

pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[1]
REPLAY_ROOT = ROOT / "fixtures" / "data"
RECORDING = "walk_mtu23.swlog"
TIMEOUT_MS = 30_000
#: Deadline of a condition waited for (the shared machine can be slow), s.
DEADLINE_S = 60.0
WEARER = "ann"
OTHER_WEARER = "bo"

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The dashboard with a started demo hub (two unpaired virtual insoles; the fixtures as
    replay sources) over an empty migrated SQLite store, on a free local port."""
    tmp = tmp_path_factory.mktemp("devices")
    url = f"sqlite:///{tmp / 'store.db'}"
    store = Store.open(url)
    store.migrate()
    store.close()
    home = tmp / "home"
    hub = LiveHub(demo=True, pairing_home=home, replay_roots=[REPLAY_ROOT]).start()
    try:
        with serve(create_app(url, token="", hub=hub)) as base:
            yield base, hub, home
    finally:
        hub.stop()


def _new_page(browser: Any) -> Any:
    return checked_page(browser, TIMEOUT_MS)


@pytest.fixture
def page(browser):
    page = _new_page(browser)
    yield page
    page.close()


@pytest.fixture
def live_tab(browser):
    page = _new_page(browser)
    yield page
    page.close()


def _open(page: Any, base: str, path: str) -> None:
    page.goto(base + path)
    page.wait_for_selector(f"#{ids.DISCLAIMER}")
    assert page.inner_text(f"#{ids.DISCLAIMER}") == NOT_A_DIAGNOSIS


def _until(page: Any, what: str, check: Callable[[], Any]) -> Any:
    """Poll ``check`` until it returns something truthy (returned), else fail naming
    ``what``. Waits through the page, so the browser keeps running meanwhile."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not seen within {DEADLINE_S:g} s (last: {value!r})")
        page.wait_for_timeout(100)


def _choose(page: Any, dropdown_id: str, label_part: str) -> list[str]:
    """Open a dcc.Dropdown, pick the option whose text contains ``label_part``; the texts
    of all its options."""
    page.click(f"#{dropdown_id}")
    listbox = page.locator("[role=listbox].dash-dropdown-options")
    listbox.wait_for()
    options = listbox.locator("[role=option]").all_inner_texts()
    listbox.locator("[role=option]", has_text=label_part).click()
    page.wait_for_selector(f"#{dropdown_id}-value >> text={label_part}")
    if listbox.is_visible():
        page.keyboard.press("Escape")
    return options


def _screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{name}.png"), full_page=True)


def _frame(page: Any) -> dict:
    """The live frame as the Live page gets it: fetched inside the page."""
    return page.evaluate("async (route) => (await fetch(route, {cache: 'no-store'})).json()",
                         "/live/frame")


def _until_frame(page: Any, what: str, check: Callable[[dict], bool]) -> dict:
    """The first live frame (fetched in ``page``) for which ``check`` holds; on failure the
    message shows the last frame's replay state."""
    seen: list[dict] = []

    def poll() -> dict | None:
        seen[:] = [_frame(page)]
        return seen[0] if check(seen[0]) else None

    try:
        return _until(page, what, poll)
    except pytest.fail.Exception:
        pytest.fail(f"{what}: not seen within {DEADLINE_S:g} s; last frame: source "
                    f"{seen[0]['source']!r}, replay {seen[0]['replay']!r}")


def test_pair_two_virtual_insoles_in_browser(live, page):
    base, hub, home = live
    insoles = {i.side: i for i in hub.demo_insoles}
    _open(page, base, "/devices")
    assert hub.pairings() == {}

    page.click(f"#{ids.DEV_SCAN}")
    rows = page.locator(f"#{ids.DEV_FOUND_LIST} tbody tr")
    _until(page, "both insoles listed", lambda: rows.count() == 2)
    listed = [rows.nth(i).locator("td").all_inner_texts() for i in range(2)]
    for side, cells in zip(("left", "right"), listed, strict=True):
        insole = insoles[side]
        # foot, RSSI in dBm with its word, battery read from the insole, nobody's yet
        assert cells == [insole.name, present.foot_text(side), cells[2],
                         f"{insole.battery_percent}%", "not paired"]
        assert cells[2].endswith(" dBm (strong)")  # the virtual radio always says -50 dBm
    assert "Found 2 insoles: 1 left, 1 right." in page.inner_text(f"#{ids.DEV_SCAN_STATUS}")

    # each foot's list offers only the insoles of that foot
    assert len(_choose(page, ids.DEV_LEFT, insoles["left"].name)) == 1
    right_options = _choose(page, ids.DEV_RIGHT, insoles["right"].name)
    assert len(right_options) == 1 and insoles["left"].name not in right_options[0]
    page.fill(f"#{ids.DEV_WEARER_NAME}", WEARER)
    page.click(f"#{ids.DEV_PAIR}")
    page.wait_for_selector(f"#{ids.DEV_PAIR_STATUS} >> text=Paired to {WEARER}",
                           timeout=120_000)

    table = page.locator(f"#{ids.DEV_STATUS} table")

    def both_streaming() -> bool:
        if not table.count():
            return False
        status = {r[0]: r[1:] for r in (table.locator("tr").nth(i).locator("th, td")
                                        .all_inner_texts()
                                        for i in range(table.locator("tr").count()))}
        return (status.get("Connection") == ["streaming", "streaming"]
                and status.get("Battery") == [f"{insoles[s].battery_percent}%"
                                              for s in ("left", "right")]
                and all(v.endswith("dBm (strong)") for v in status.get("Signal", [])))

    _until(page, "both insoles streaming with battery and signal", both_streaming)
    assert f"Streaming the insoles of {WEARER}." in page.inner_text(f"#{ids.DEV_STATUS}")
    header = table.locator("tr").first.locator("th").all_inner_texts()
    assert header[1:] == [f"Left foot ({insoles['left'].name})",
                          f"Right foot ({insoles['right'].name})"]
    expected = {"left": insoles["left"].address, "right": insoles["right"].address}
    assert hub.pairings() == {WEARER: expected}
    on_disk = PairingStore(home).get(WEARER)
    assert (on_disk.left.address, on_disk.right.address) == (expected["left"],
                                                             expected["right"])
    assert on_disk.left.bonded and on_disk.right.bonded
    assert hub.devices()["streaming"] and hub.stats()["readers"] == 1
    page.wait_for_selector(f"#{ids.DEV_PAIRINGS_LIST} >> text={WEARER}: left insole")
    _screenshot(page, "devices")

    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.locator(f"#{ids.DEV_PAIRINGS_LIST} button", has_text="Unpair").click()
    page.wait_for_selector(f"#{ids.DEV_UNPAIR_STATUS} >> text=The insoles of {WEARER} are "
                           "unpaired.")
    assert dialogs and dialogs[0].startswith(f"Unpair the insoles of {WEARER}?")
    page.wait_for_selector(f"#{ids.DEV_PAIRINGS_LIST} >> text=No insoles are paired yet.")
    _until(page, "the status says nothing streams", lambda: "No insoles are streaming"
           in page.inner_text(f"#{ids.DEV_STATUS}"))
    assert hub.pairings() == {}
    assert PairingStore(home).load() == {}
    assert not hub.devices()["streaming"] and hub.stats()["readers"] == 0
    assert page.console_problems == []


def test_pairing_problems_in_plain_words(live, page):
    base, hub, _home = live
    _open(page, base, "/devices")
    page.click(f"#{ids.DEV_PAIR}")
    page.wait_for_selector(f"#{ids.DEV_PAIR_STATUS} >> text=Choose the left insole first")
    # an error of the hub (a SolewatchError) is shown as its message, never a traceback
    page.click(f"#{ids.DEV_SCAN}")
    page.wait_for_selector(f"#{ids.DEV_SCAN_STATUS} >> text=Found 2 insoles")
    page.fill(f"#{ids.DEV_WEARER_NAME}", "ann/../x")
    page.click(f"#{ids.DEV_PAIR}")
    page.wait_for_selector(f"#{ids.DEV_PAIR_STATUS} >> text=wearer name 'ann/../x': use "
                           "1-64 letters, digits, spaces or ._-@")
    assert "Traceback" not in page.inner_text("body")
    assert hub.pairings() == {}
    assert page.console_problems == []


@pytest.fixture
def streaming(live):
    """Insoles paired (through the hub: the pairing itself is tested above) and streaming
    to a wearer, unpaired afterwards."""
    _base, hub, _home = live
    insoles = {i.side: i for i in hub.demo_insoles}
    hub.pair(OTHER_WEARER, insoles["left"].address, insoles["right"].address)
    yield OTHER_WEARER
    if OTHER_WEARER in hub.pairings():
        hub.unpair(OTHER_WEARER)


def test_replay_controls_move_the_live_view(live, streaming, page, live_tab):
    base, hub, _home = live
    assert hub.devices()["streaming"]
    _open(page, base, "/replay")
    options = _choose(page, ids.REPLAY_SOURCE, RECORDING)
    assert "— Recordings —" in options and "— Fixtures —" in options
    page.click(f"#{ids.REPLAY_PLAY}")
    page.wait_for_selector(f"#{ids.REPLAY_MESSAGE} >> text=Playing {RECORDING}")
    page.wait_for_selector(f"#{ids.REPLAY_STATUS} >> text=Playing {RECORDING} at 1×")

    # the Live page follows: its frames are the replay's and its position advances
    _open(live_tab, base, "/live")
    live_tab.wait_for_selector(f"#{ids.LIVE_SOURCE} >> text=Replaying {RECORDING}")
    first = _frame(live_tab)
    assert first["source"] == "replay" and first["replay"]["name"] == RECORDING
    assert not hub.devices()["streaming"]  # one reader: the replay replaced the insoles
    duration = first["replay"]["duration_s"]
    later = _until_frame(live_tab, "the replay position advancing", lambda f: (
        f["replay"]["position_s"] >= first["replay"]["position_s"] + 1.0))
    rate_1x = ((later["replay"]["position_s"] - first["replay"]["position_s"])
               / (later["host_time_s"] - first["host_time_s"]))

    # pause: the position holds while new frames keep coming
    page.click(f"#{ids.REPLAY_PAUSE}")
    page.wait_for_selector(f"#{ids.REPLAY_STATUS} >> text=Paused {RECORDING}")
    held = _until_frame(live_tab, "a paused frame", lambda f: f["replay"]["paused"])
    newer = _until_frame(live_tab, "15 more frames", lambda f: f["v"] >= held["v"] + 15)
    assert newer["replay"]["position_s"] == held["replay"]["position_s"]
    live_tab.wait_for_selector(f"#{ids.LIVE_SOURCE} >> text=(paused)")

    # seek to a later point: the Live page's position jumps there
    target = float(round(duration * 2 / 3))
    assert target > held["replay"]["position_s"] + 2
    page.fill(f"#{ids.REPLAY_GOTO}", "half way")
    page.click(f"#{ids.REPLAY_GOTO_BUTTON}")
    page.wait_for_selector(f"#{ids.REPLAY_MESSAGE} >> text=Not moved: 'half way' is not a "
                           "time")
    page.fill(f"#{ids.REPLAY_GOTO}", present.mmss(target))
    page.click(f"#{ids.REPLAY_GOTO_BUTTON}")
    page.wait_for_selector(f"#{ids.REPLAY_MESSAGE} >> text=Went to {present.mmss(target)}.")
    page.wait_for_selector(f"#{ids.REPLAY_STATUS} >> text={present.mmss(target)} of")
    moved = _until_frame(live_tab, f"the position at {target:g} s", lambda f: (
        abs(f["replay"]["position_s"] - target) < 0.01))
    assert moved["replay"]["paused"]
    # the Live page writes times as this page does (present.mmss)
    live_tab.wait_for_selector(
        f"#{ids.LIVE_SOURCE} >> text=/Replaying {re.escape(RECORDING)}: "
        f"{re.escape(present.mmss(target))} of {re.escape(present.mmss(duration))}/")
    _screenshot(page, "replay")

    # 4x: back to the start with the slider (keyboard: Home), play, and the position runs
    # about four times as fast
    page.get_by_text("4×", exact=True).click()
    page.wait_for_selector(f"#{ids.REPLAY_MESSAGE} >> text=Speed 4×.")
    page.focus(f"#{ids.REPLAY_SEEK} [role=slider]")
    page.keyboard.press("Home")
    _until_frame(live_tab, "the position back at the start", lambda f: (
        f["replay"]["position_s"] == 0.0))
    page.click(f"#{ids.REPLAY_PLAY}")
    start = _until_frame(live_tab, "playing at 4x", lambda f: (
        not f["replay"]["paused"] and f["replay"]["speed"] == 4.0))
    fast = _until_frame(live_tab, "4 s of recording played", lambda f: (
        f["replay"]["position_s"] >= start["replay"]["position_s"] + 4.0))
    rate_4x = ((fast["replay"]["position_s"] - start["replay"]["position_s"])
               / (fast["host_time_s"] - start["host_time_s"]))
    # positions per second of the frames' own time stamps: about 1 and 4
    assert rate_4x > 2.5 * rate_1x, (rate_1x, rate_4x)
    live_tab.wait_for_selector(f"#{ids.LIVE_SOURCE} >> text=4x")

    # stop: the Live page shows the insoles streamed before the replay again
    page.click(f"#{ids.REPLAY_STOP}")
    page.wait_for_selector(f"#{ids.REPLAY_MESSAGE} >> text=Replay stopped. The Live page "
                           f"shows the insoles of {streaming} again.")
    back = _until_frame(live_tab, "the live view back on the insoles", lambda f: (
        f["source"] == "live"))
    assert back["label"].startswith(streaming) and back["replay"] is None
    live_tab.wait_for_selector(f"#{ids.LIVE_SOURCE} >> text=Live from {streaming}")
    assert hub.replay_state() is None and hub.devices()["wearer"] == streaming
    page.wait_for_selector(f"#{ids.REPLAY_STATUS} >> text=Nothing is being replayed")
    page.click(f"#{ids.REPLAY_LIVE_LINK}")
    page.wait_for_url(base + "/live")
    assert page.console_problems == []
    assert live_tab.console_problems == []
