"""dashboard.live.present: how insole and replay state is worded for the Devices and Replay
pages (no browser, no hub: the hub's return shapes as documented in docs/dashboard.md)."""

from __future__ import annotations

import itertools
import math

import pytest

from analysis.errors import SolewatchError
from dashboard.live import present
from firmware_bridge.ble.pairing import PairingError
from firmware_bridge.ble.session import BACKOFF, CONNECTING, FINDING, STOPPED, STREAMING

LEFT = {"address": "AA:00:00:00:00:01", "name": "SWL-0001", "side": "left", "rssi_dbm": -50,
        "battery_pct": 87, "paired_to": None}
RIGHT = {"address": "AA:00:00:00:00:02", "name": "SWR-0002", "side": "right",
         "rssi_dbm": -85, "battery_pct": None, "paired_to": "ann"}


@pytest.mark.parametrize(("state", "words"), [
    (STREAMING, "streaming"), (FINDING, "searching"), (CONNECTING, "connecting"),
    (BACKOFF, "waiting to reconnect"), (STOPPED, "stopped"), (None, "not known")])
def test_connection_states_in_words(state, words):
    assert present.state_text(state) == words


@pytest.mark.parametrize("bad", ["flying", 3, ["streaming"]])
def test_unknown_state_is_named(bad):
    with pytest.raises(ValueError, match=r"state: .* is not one of"):
        present.state_text(bad)


@pytest.mark.parametrize(("dbm", "word"), [
    (-30, "strong"), (present.RSSI_STRONG_MIN_DBM, "strong"),
    (present.RSSI_STRONG_MIN_DBM - 1, "fair"), (present.RSSI_FAIR_MIN_DBM, "fair"),
    (present.RSSI_FAIR_MIN_DBM - 1, "weak"), (-127, "weak"), (None, None),
    (math.nan, None)])
def test_rssi_bands(dbm, word):
    assert present.rssi_word(dbm) == word


def test_rssi_text_has_the_unit_and_the_word():
    assert present.rssi_text(-50) == "-50 dBm (strong)"
    assert present.rssi_text(-72.4) == "-72 dBm (fair)"
    assert present.rssi_text(None) == "not known"
    assert "engineering choice" in present.RSSI_BANDS_SOURCE.lower()


@pytest.mark.parametrize(("bad", "message"), [
    (-200, r"rssi_dbm: -200 is outside"), (50, "outside"), ("-50", "expected a number"),
    (True, "expected a number"), (math.inf, "outside")])
def test_bad_rssi_is_named(bad, message):
    with pytest.raises(ValueError, match=message):
        present.rssi_word(bad)


def test_battery_loss_and_age():
    assert present.battery_text(87) == "87%"
    assert present.battery_text(None) == "not known"
    assert present.loss_text(0.04) == "0.0%"
    assert present.loss_text(12.345) == "12.3%"
    assert present.age_text(None) == "no data yet"
    assert present.age_text(0.34) == "0.3 s ago"
    assert present.age_text(75.2) == "75 s ago"
    assert present.age_text(185) == "3 min 5 s ago"
    assert present.count_text(0) == "none"
    assert present.count_text(1) == "1 time"
    assert present.count_text(4) == "4 times"


@pytest.mark.parametrize(("call", "message"), [
    (lambda: present.battery_text(101), r"battery_pct: 101 is outside \[0, 100\]"),
    (lambda: present.battery_text("full"), "battery_pct: expected a number, found 'full'"),
    (lambda: present.loss_text(-1), "loss_pct: -1 is outside"),
    (lambda: present.age_text(-0.5), "last_packet_age_s: -0.5 is outside"),
    (lambda: present.count_text(1.5), "link_losses: expected a whole number"),
])
def test_bad_values_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "00:00"), (5.9, "00:05"), (65, "01:05"), (599.99, "09:59"), (3600, "1:00:00"),
    (3725, "1:02:05"), (None, "--:--"), (math.nan, "--:--")])
def test_mmss(seconds, text):
    assert present.mmss(seconds) == text


@pytest.mark.parametrize(("bad", "message"), [
    (-1, r"seconds: -1 is outside"), ("1:00", "expected a number"), (math.inf, "outside")])
def test_mmss_refuses_bad_values(bad, message):
    with pytest.raises(ValueError, match=message):
        present.mmss(bad)


def test_found_insoles_worded():
    rows = present.found_insoles([LEFT, RIGHT])
    assert rows[0].cells() == ("SWL-0001", "Left foot", "-50 dBm (strong)", "87%",
                               "not paired")
    assert rows[1].cells() == ("SWR-0002", "Right foot", "-85 dBm (weak)", "not known",
                               "paired to ann")
    assert len(present.FOUND_HEADERS) == len(rows[0].cells())


def test_found_insole_without_side_is_named():
    with pytest.raises(ValueError, match=r"insole 2 of the scan: 'side' is missing"):
        present.found_insoles([LEFT, {"address": "AA:00:00:00:00:03"}])
    with pytest.raises(ValueError, match=r"side: 'middle' is not one of"):
        present.found_insoles([{**LEFT, "side": "middle"}])


def test_side_options_filter_by_foot_and_default_choice():
    other_left = {**LEFT, "address": "AA:00:00:00:00:09", "name": "SWL-0009",
                  "paired_to": "bob"}
    found = [LEFT, RIGHT, other_left]
    left = present.side_options(found, "left")
    assert [o["value"] for o in left] == [LEFT["address"], other_left["address"]]
    assert "SWL-0001" in left[0]["label"] and "-50 dBm (strong)" in left[0]["label"]
    assert [o["value"] for o in present.side_options(found, "right")] == [RIGHT["address"]]
    # two left insoles: the one nobody has paired; one right: that one
    assert present.default_choice(found, "left") == LEFT["address"]
    assert present.default_choice(found, "right") == RIGHT["address"]
    assert present.default_choice([LEFT, {**other_left, "paired_to": None}], "left") is None
    assert present.default_choice([], "right") is None
    with pytest.raises(ValueError, match="side"):
        present.side_options(found, "both")


def test_scan_summary():
    assert present.scan_summary([LEFT, RIGHT]) == "Found 2 insoles: 1 left, 1 right."
    assert present.scan_summary([]).startswith("No insoles found")


def _foot(**kw):
    return {"address": "AA:00:00:00:00:01", "name": "SWL-0001", "state": STREAMING,
            "connected": True, "battery_pct": 87, "rssi_dbm": -50, "loss_pct": 0.2,
            "last_packet_age_s": 0.04, "link_losses": 1, "error": "", **kw}


def test_devices_view_words_each_foot():
    view = present.devices_view({"wearer": "ann", "streaming": True, "feet": {
        "left": _foot(), "right": _foot(name="SWR-0002", state=BACKOFF, connected=False,
                                        last_packet_age_s=12.0, error="link lost")}})
    assert view.headline == "Streaming the insoles of ann."
    left, right = view.feet
    assert dict(left.rows()) == {
        "Connection": "streaming", "Battery": "87%", "Signal": "-50 dBm (strong)",
        "Data lost": "0.2%", "Last data": "0.0 s ago", "Link lost": "1 time",
        "Last problem": "none"}
    assert (right.foot, right.state, right.last_data, right.error) == (
        "Right foot", "waiting to reconnect", "12 s ago", "link lost")


def test_devices_view_without_a_wearer_or_not_streaming():
    assert present.devices_view({"wearer": None, "streaming": False, "feet": {}}).feet == []
    no_insole = {"address": None, "name": None, "state": "none", "connected": False}
    assert present.devices_view({"wearer": None, "streaming": False,
                                 "feet": {"left": no_insole, "right": no_insole}}).feet == []
    assert present.devices_view(
        {"wearer": None, "streaming": False, "feet": {}}).headline.startswith("No insoles")
    view = present.devices_view({"wearer": "ann", "streaming": False,
                                 "feet": {"left": _foot(state=STOPPED)}})
    assert view.headline == "The insoles of ann are paired but not streaming."
    assert [f.side for f in view.feet] == ["left"]
    with pytest.raises(ValueError, match="devices: 'feet' is missing"):
        present.devices_view({"wearer": "ann"})
    with pytest.raises(ValueError, match=r"devices: left foot: 'state' is missing"):
        present.devices_view({"feet": {"left": {"address": "A", "battery_pct": 3}}})


def test_pairing_lines_by_name():
    lines = present.pairing_lines({"zoe": {"left": "L2", "right": "R2"},
                                   "ann": {"left": "L1", "right": "R1"}})
    assert lines == [("ann", "ann: left insole L1, right insole R1"),
                     ("zoe", "zoe: left insole L2, right insole R2")]


def test_errors_in_plain_words():
    assert present.error_text(PairingError("left insole AA: not found within 4 s: is it "
                                           "charged and near?\nmore")) == (
        "left insole AA: not found within 4 s: is it charged and near?")
    assert isinstance(PairingError("x"), SolewatchError)
    text = present.error_text(RuntimeError("Traceback (most recent call last): ..."))
    assert text.startswith("That did not work (RuntimeError)") and "Traceback" not in text
    assert "did not answer in time" in present.error_text(TimeoutError())


def test_speeds():
    assert [present.speed_text(s) for s in present.SPEEDS] == [
        "0.25×", "0.5×", "1×", "2×", "4×", "8×"]
    with pytest.raises(ValueError, match="speed: 0 is not a positive number"):
        present.speed_text(0)


def test_replay_options_grouped_by_kind():
    options = present.replay_options([
        {"id": "f2", "name": "hotspot", "kind": "fixture", "path": "/x/hotspot"},
        {"id": "r1", "name": "walk_mtu23.swlog", "kind": "recording", "path": "/x/w"},
        {"id": "f1", "name": "demo", "kind": "fixture", "path": "/x/demo"}])
    assert [(o["label"], o.get("disabled", False)) for o in options] == [
        ("— Recordings —", True), ("walk_mtu23.swlog", False),
        ("— Fixtures —", True), ("demo", False), ("hotspot", False)]
    assert [o["value"] for o in options if not o.get("disabled")] == ["r1", "f1", "f2"]
    assert present.replay_options([]) == []
    with pytest.raises(ValueError, match=r"replay source 1: kind 'video' is not one of"):
        present.replay_options([{"id": "v", "name": "v", "kind": "video"}])


def test_replay_status_words():
    assert present.replay_status(None).startswith("Nothing is being replayed")
    state = {"name": "walk_mtu23.swlog", "position_s": 12.7, "duration_s": 90.0,
             "speed": 1.0, "paused": False}
    assert present.replay_status(state) == (
        "Playing walk_mtu23.swlog at 1×: 00:12 of 01:30 (min:s)")
    assert present.replay_status({**state, "paused": True, "speed": 0.25}).startswith(
        "Paused walk_mtu23.swlog at 0.25×")
    with pytest.raises(ValueError, match="position_s: -3 is outside"):
        present.replay_status({**state, "position_s": -3})
    with pytest.raises(ValueError, match="replay state: 'duration_s' is missing"):
        present.replay_status({"name": "x", "position_s": 1})


@pytest.mark.parametrize(("duration", "step"), [(5, 1), (29.5, 5), (90, 15), (600, 120),
                                                (7200, 1800), (100000, 14400)])
def test_seek_marks_round_steps_labelled_mmss(duration, step):
    marks = present.seek_marks(duration)
    keys = sorted(marks)
    assert keys[0] == 0 and keys[-1] <= duration and len(keys) <= 7
    assert all(b - a == step for a, b in itertools.pairwise(keys))
    assert all(marks[k] == present.mmss(k) for k in keys)
    assert present.seek_marks(0) == {0: "00:00"}
    assert present.seek_marks(None) == {0: "00:00"}


def test_play_action():
    state = {"name": "w", "position_s": 3.0, "duration_s": 90.0, "speed": 1.0,
             "paused": True}
    assert present.play_action(state, None, "r1") == "choose"
    assert present.play_action(None, "r1", None) == "start"
    assert present.play_action(state, "r2", "r1") == "start"
    assert present.play_action(state, "r1", "r1") == "resume"


def test_pair_form_problem():
    assert present.pair_form_problem(None, "R", "ann").startswith("Choose the left insole")
    assert present.pair_form_problem("L", "", "ann").startswith("Choose the right insole")
    assert present.pair_form_problem("L", "R", "  ").startswith("Write the name")
    assert present.pair_form_problem("L", "R", "ann") is None


@pytest.mark.parametrize(("text", "seconds"), [
    ("65", 65.0), (" 65.5 ", 65.5), ("1:05", 65.0), ("01:05", 65.0), ("0:30", 30.0),
    ("1:02:05", 3725.0), ("2:30.5", 150.5)])
def test_parse_position(text, seconds):
    assert present.parse_position(text) == seconds


@pytest.mark.parametrize("bad", ["", None, "abc", "1:75", "-5", "1:2:3:4", "1.5:00", "nan",
                                 "inf"])
def test_parse_position_says_how_to_write_it(bad):
    with pytest.raises(ValueError, match=r"is not a time: write minutes:seconds \(like 1:05\)"):
        present.parse_position(bad)


def test_resume_wearer_after_a_replay():
    pairings = {"ann": {"left": "L1", "right": "R1"}, "bo": {"left": "L2", "right": "R2"}}
    assert present.resume_wearer({"wearer": "bo", "streaming": False}, pairings, "ann") == "bo"
    assert present.resume_wearer({"wearer": None}, pairings, "ann") == "ann"
    assert present.resume_wearer({"wearer": "zed"}, pairings, "cy") is None  # none paired
    assert present.resume_wearer(None, {"cy": {"left": "L", "right": "R"}}) == "cy"
    assert present.resume_wearer({"wearer": "ann"}, {}, "ann") is None


def test_no_live_source_says_how_to_get_one():
    text = present.no_live_source("replay recordings")
    assert "cannot replay recordings" in text and "--no-live" in text
    assert "solewatch dashboard" in text and "solewatch demo" in text
