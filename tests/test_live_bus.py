"""FrameBus: one encode per publication, readers never cause work, long polls answered by the
next publication."""

from __future__ import annotations

import json
import math
import threading

from flask import Flask

from dashboard.live.bus import MAX_WAIT_S, ROUTE, FrameBus, idle_frame, install_route


def _frame(label: str) -> dict:
    return {**idle_frame(), "source": "live", "label": label, "temp_diff_c": [math.nan, 0.5]}


def test_publish_encodes_once_and_readers_share_the_bytes():
    bus = FrameBus()
    v = bus.publish(_frame("a"))
    payloads = [bus.latest(0)[1] for _ in range(5)]
    assert all(p is payloads[0] for p in payloads)  # the same bytes object, not re-encoded
    frame = json.loads(payloads[0])
    assert frame["v"] == v == 1 and frame["label"] == "a"
    assert frame["temp_diff_c"] == [None, 0.5]  # NaN is not JSON: sent as null
    stats = bus.stats()
    assert stats.published == 1 and stats.reads == 5
    assert bus.latest(v) == (v, None)  # nothing newer
    assert bus.stats().not_modified == 1


def test_a_waiting_reader_gets_the_next_publication():
    bus = FrameBus()
    v0 = bus.publish(_frame("first"))
    got: list = []
    reader = threading.Thread(target=lambda: got.append(bus.latest(v0, wait_s=30.0)))
    reader.start()
    bus.publish(_frame("second"))
    reader.join(timeout=30.0)
    assert not reader.is_alive()
    version, payload = got[0]
    assert version == v0 + 1 and json.loads(payload)["label"] == "second"


def test_a_wait_without_publication_ends_with_nothing():
    bus = FrameBus()
    v0 = bus.publish(_frame("only"))
    assert bus.latest(v0, wait_s=0.05) == (v0, None)


def test_route_long_polls_and_clamps_the_wait():
    app = Flask(__name__)
    bus = FrameBus()
    install_route(app, lambda: bus)
    client = app.test_client()
    v0 = bus.publish(_frame("x"))
    assert client.get(f"{ROUTE}?after=0").get_json()["label"] == "x"
    assert client.get(f"{ROUTE}?after={v0}").status_code == 204
    for bad in ("nan", "-3", "abc"):
        assert client.get(f"{ROUTE}?after={v0}&wait={bad}").status_code == 204
    answer: list = []
    t = threading.Thread(target=lambda: answer.append(
        app.test_client().get(f"{ROUTE}?after={v0}&wait={MAX_WAIT_S}")))
    t.start()
    # publish until the held request has been answered (it may start waiting after the first)
    while t.is_alive():
        bus.publish(_frame("y"))
        t.join(timeout=0.05)
    resp = answer[0]
    assert resp.status_code == 200 and resp.get_json()["label"] == "y"
    assert resp.headers["Cache-Control"] == "no-store"


def test_route_without_a_live_source_says_so():
    app = Flask(__name__)
    install_route(app, lambda: None)
    resp = app.test_client().get(ROUTE)
    assert resp.status_code == 503 and "no live source" in resp.get_json()["error"]
