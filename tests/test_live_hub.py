"""LiveHub over the real virtual radio: bleak's public API with the project's bumble backend,
two VirtualInsoles, the real WearerSession; no mocks. Every wait is a condition with a
deadline (never a timed assertion). One demo hub is shared by the tests of this module
(module fixture); the pairing test makes its own hub without a wearer."""

from __future__ import annotations

import json
import math
import threading
import time
from pathlib import Path

import pytest

from analysis.errors import InputError, SolewatchError
from dashboard.live.hub import HubError, LiveHub
from dashboard.live.player import SPEEDS, ReplayError
from firmware_bridge.ble.peripheral import FaultPlan

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures" / "data"
WALK = FIXTURES / "recordings" / "walk_mtu23.swlog"
DEADLINE_S = 45.0


def until(condition, what: str, deadline_s: float = DEADLINE_S, every_s: float = 0.05):
    """Poll ``condition`` until it returns something truthy; fail naming ``what``."""
    end = time.monotonic() + deadline_s
    last = None
    while time.monotonic() < end:
        last = condition()
        if last:
            return last
        time.sleep(every_s)
    pytest.fail(f"not within {deadline_s:g} s: {what} (last: {last!r})")


def frame(hub: LiveHub) -> dict:
    _version, payload = hub.bus.latest()
    return json.loads(payload)


def hub_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "solewatch-live-hub"]


@pytest.fixture(scope="module")
def bad_sources(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("replays")
    data = WALK.read_bytes()
    (root / "cut_header.swlog").write_bytes(data[:40])
    (root / "cut_half.swlog").write_bytes(data[: len(data) // 2])
    (root / "garbage.swlog").write_bytes(b"this is not a recording at all\n" * 20)
    return root


@pytest.fixture(scope="module")
def hub(tmp_path_factory, bad_sources):
    home = tmp_path_factory.mktemp("home")
    h = LiveHub(demo=True, demo_wearer="ann", pairing_home=home, publish_hz=30.0,
                stale_after_s=1.0, replay_roots=[FIXTURES, bad_sources])
    h.start()
    yield h
    h.stop()
    assert not h.running and not hub_threads(), "the hub thread outlived stop()"


def streaming_both(f: dict) -> bool:
    return f["source"] == "live" and all(
        foot["present"] and foot["state"] == "streaming" and not foot["stale"]
        for foot in f["feet"].values())


def test_demo_hub_streams_both_feet(hub):
    f = until(lambda: (lambda x: x if streaming_both(x) and all(
        len(x["feet"][s]["temp_c"]) == 6 and len(x["feet"][s]["kpa"]) == 16
        for s in x["feet"]) else None)(frame(hub)),
        "both demo insoles streaming pressure and temperatures")
    assert f["label"].startswith("ann: left SWL-")
    for side, foot in f["feet"].items():
        assert len(foot["kpa"]) == 16 and all(v is not None and v >= 0 for v in foot["kpa"]), side
        assert all(isinstance(v, float) and 15.0 < v < 45.0 for v in foot["temp_c"]), side
        assert foot["age_s"] is not None and foot["battery_pct"] == 87
        assert foot["rssi_dbm"] == -50
    assert len(f["temp_diff_c"]) == 6
    v1 = f["v"]
    f2 = until(lambda: (lambda x: x if x["v"] > v1 else None)(frame(hub)), "a newer frame")
    assert f2["host_time_s"] >= f["host_time_s"]
    # the COP trail of a loaded foot lies on the insole (mm, insole frame)
    f3 = until(lambda: (lambda x: x if x["feet"]["left"]["cop_mm"] else None)(frame(hub)),
               "a centre-of-pressure trail")
    for x, y in f3["feet"]["left"]["cop_mm"]:
        assert -60 < x < 60 and 0 < y < 270
    s = hub.stats()
    assert s["readers"] == 1 and s["reader"] == "live" and s["sessions_started"] == 1
    assert s["frames_published"] >= 2 and s["publish_errors"] == 0
    # devices() is a snapshot refreshed 5 times a second: wait for it to catch up
    d = until(lambda: (lambda x: x if {x["feet"][s]["connected"] for s in ("left", "right")}
                       == {True} else None)(hub.devices()), "both insoles connected in devices()")
    assert d["wearer"] == "ann" and d["streaming"]


def test_demo_gait_numbers_appear(hub):
    f = until(lambda: (lambda x: x if x["gait"]["steps"] > 0 else None)(frame(hub)),
              "steps counted from the demo walk", deadline_s=60.0)
    assert f["gait"]["window_s"] > 0
    steps = f["gait"]["steps"]
    later = until(lambda: (lambda x: x if x["gait"]["window_s"] != f["gait"]["window_s"]
                           else None)(frame(hub)), "the gait numbers recomputed")
    assert later["gait"]["steps"] >= steps  # cumulative, never counted down


def test_link_loss_of_one_insole_marks_it_stale_and_recovery_clears_it(hub):
    until(lambda: streaming_both(frame(hub)), "both insoles streaming before the fault")
    right = next(i for i in hub.demo_insoles if i.side == "right")
    hub.run_in_loop(right.set_faults, FaultPlan(link_loss_at_s=0.0, link_loss_down_s=2.0))

    def right_lost_left_fine():
        f = frame(hub)
        r, left = f["feet"]["right"], f["feet"]["left"]
        warned = [w for w in f["warnings"] if "right insole" in w]
        if r["stale"] and warned and left["state"] == "streaming" and not left["stale"]:
            return f, warned
        return None

    f, warned = until(right_lost_left_fine, "the right foot stale with a warning, the left "
                      "one still streaming")
    assert f["feet"]["right"]["state"] != "streaming" or f["feet"]["right"]["age_s"] > 1.0
    assert any("not connected" in w or "No data from the right insole" in w for w in warned)
    assert not [w for w in f["warnings"] if "left insole" in w]
    until(lambda: (lambda x: x if streaming_both(x) and not [
        w for w in x["warnings"] if "right insole" in w] else None)(frame(hub)),
        "the right insole reconnected and streaming again")
    assert hub.devices()["feet"]["right"]["link_losses"] >= 1


def test_many_readers_of_the_bus_start_nothing(hub):
    before = hub.stats()
    errors: list[BaseException] = []

    def reader():
        try:
            after = None
            for _ in range(50):
                v, payload = hub.bus.latest(after)
                if payload is not None:
                    json.loads(payload)
                    after = v
                time.sleep(0.002)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=reader) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30.0)
    after = hub.stats()
    assert not errors
    assert after["readers"] == before["readers"] == 1
    assert after["sessions_started"] == before["sessions_started"]
    assert after["players_started"] == before["players_started"]
    assert after["bus_reads"] + after["bus_not_modified"] >= \
        before["bus_reads"] + before["bus_not_modified"] + 20 * 50


def test_replay_of_a_recording_and_a_fixture_follows_the_controls(hub):
    sources = {s["id"]: s for s in hub.replay_sources()}
    assert {"recording:walk_mtu23.swlog", "fixture:hotspot"} <= set(sources)
    assert sources["fixture:hotspot"]["kind"] == "fixture"
    try:
        state = hub.replay("recording:walk_mtu23.swlog", speed=4.0)
        assert state["name"] == "walk_mtu23.swlog" and not state["paused"]
        assert state["duration_s"] == pytest.approx(45.0, abs=0.5)
        s = hub.stats()
        assert s["readers"] == 1 and s["reader"] == "replay" and s["players_started"] == 1
        assert not hub.devices()["streaming"]  # starting a replay stopped the stream
        until(lambda: frame(hub)["source"] == "replay", "replay frames on the bus")
        p0 = hub.replay_state()["position_s"]
        until(lambda: hub.replay_state()["position_s"] > p0 + 1.0, "play advances")
        held = hub.pause()
        assert held["paused"]
        v = frame(hub)["v"]
        until(lambda: frame(hub)["v"] > v + 3, "frames published while paused")
        assert hub.replay_state()["position_s"] == held["position_s"]
        before = frame(hub)
        moved = hub.seek(30.0)
        assert moved["position_s"] == 30.0
        f = until(lambda: (lambda x: x if x["replay"]["position_s"] == 30.0 else None)(
            frame(hub)), "a frame at the seek position")
        assert f["sample_time_s"] - before["sample_time_s"] == pytest.approx(
            30.0 - before["replay"]["position_s"], abs=0.1)
        assert f["label"] == "replay: walk_mtu23.swlog"
        assert all(len(f["feet"][s]["kpa"]) == 16 for s in ("left", "right"))
        assert hub.seek(1e9)["position_s"] == pytest.approx(45.0, abs=0.5)  # clamped
        assert hub.set_speed(2)["speed"] == 2.0
        assert not hub.play()["paused"]
        # bad requests: clear errors, the replay goes on
        with pytest.raises(ReplayError, match=r"0\.25x"):
            hub.set_speed(3)
        with pytest.raises(ValueError, match="finite"):
            hub.seek(math.nan)
        with pytest.raises(ReplayError, match=r"available: .*fixture:hotspot"):
            hub.replay("fixture:no-such-thing")
        assert hub.replay_state()["name"] == "walk_mtu23.swlog"
        # a fixture folder
        state = hub.replay("fixture:hotspot", paused=True, speed=SPEEDS[-1])
        assert state["paused"] and state["speed"] == SPEEDS[-1] and state["position_s"] == 0
        assert hub.stats()["readers"] == 1
        f = until(lambda: (lambda x: x if x["label"] == "replay: hotspot" else None)(
            frame(hub)), "the fixture's frames")
        assert all(len(f["feet"][s]["temp_c"]) == 6 for s in ("left", "right"))
        hub.play()
        until(lambda: hub.replay_state()["position_s"] > 0.5, "the fixture plays")
    finally:
        hub.stream("ann")
    assert hub.replay_state() is None and hub.stats()["readers"] == 1
    assert hub.stats()["reader"] == "live"
    until(lambda: streaming_both(frame(hub)), "streaming again after the replay")


def test_unreadable_recordings_give_clear_errors_naming_the_file(hub, bad_sources):
    for name in ("cut_header.swlog", "garbage.swlog"):
        with pytest.raises(InputError) as info:
            hub.replay(f"recording:{name}")
        assert name in str(info.value)
    assert hub.stats()["reader"] == "live"  # a failed replay leaves the stream running
    # cut in the middle: what is there plays, with a warning that the rest was unreadable
    try:
        state = hub.replay("recording:cut_half.swlog", paused=True)
        assert 5.0 < state["duration_s"] < 45.0
        f = until(lambda: (lambda x: x if x["label"] == "replay: cut_half.swlog" else None)(
            frame(hub)), "the cut recording's frames")
        assert any("could not be read" in w for w in f["warnings"])
    finally:
        hub.stream("ann")


def test_scan_pair_and_unpair_through_a_hub(tmp_path):
    with LiveHub(demo=True, pairing_home=tmp_path, publish_hz=10.0) as h:
        assert h.devices()["wearer"] is None and h.stats()["readers"] == 0
        found = h.scan(1.0)
        assert [i["side"] for i in found] == ["left", "right"]
        for info in found:
            assert info["rssi_dbm"] == -50 and info["battery_pct"] == 87
            assert info["paired_to"] is None and info["name"].startswith(
                "SWL-" if info["side"] == "left" else "SWR-")
        paired = h.pair("bea", found[0]["address"], found[1]["address"])
        assert paired == {"left": found[0]["address"], "right": found[1]["address"]}
        assert h.pairings() == {"bea": paired}
        d = until(lambda: (lambda x: x if x["streaming"] and all(
            x["feet"][s]["connected"] for s in ("left", "right")) else None)(h.devices()),
            "both insoles connected after pairing")
        assert d["wearer"] == "bea"
        assert d["feet"]["left"]["address"] == paired["left"]
        again = h.scan(0.5)  # streaming insoles do not advertise: listed from the session
        assert {i["paired_to"] for i in again} == {"bea"}
        assert h.stats()["sessions_started"] == 1 and h.stats()["readers"] == 1
        with pytest.raises(SolewatchError, match="no insoles are paired to 'cy'"):
            h.stream("cy")
        h.unpair("bea")
        assert h.pairings() == {} and h.stats()["readers"] == 0
        assert not h.devices()["streaming"]
        with pytest.raises(SolewatchError, match="no insoles are paired"):
            h.unpair("bea")
    assert not h.running
    with pytest.raises(HubError, match="not running"):
        h.scan(0.5)


def test_a_hub_needs_sane_settings():
    with pytest.raises(ValueError, match="publish_hz"):
        LiveHub(publish_hz=0)
    with pytest.raises(ValueError, match="demo=True"):
        LiveHub(demo_wearer="ann")
