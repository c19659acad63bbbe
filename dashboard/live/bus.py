"""The latest live frame, encoded once and shared by every open tab.

One writer (the :class:`~dashboard.live.hub.LiveHub` thread) calls :meth:`FrameBus.publish`
at most ``publish_hz`` times a second; every browser tab asks ``/live/frame?after=V&wait=S``
(see :func:`install_route`): the request is held until a frame newer than V is published
(a long poll, at most S seconds), and every tab gets the same pre-encoded bytes. A tab never
causes a read of the insoles, an analysis or an encode: N tabs cost N small HTTP responses
per frame, nothing more, and no request comes back empty-handed while frames flow.

A frame (``dict``, JSON) carries, all numbers in the units their key names::

    {"v": 17,                          # version, +1 per publication
     "host_time_s": 1780000000.1,      # when it was published (host Unix s)
     "sample_time_s": 1780000000.08,   # time of the newest sample shown (None: none yet)
     "source": "live" | "replay" | "idle",
     "label": "ann: left SWL-0001, right SWR-0002" | "replay: walk_mtu23.swlog",
     "feet": {"left": {...}, "right": {...}},   # see FOOT_KEYS
     "temp_diff_c": [6 x (left - right) °C or None],   # in analysis.sites.SITES order
     "gait": {"cadence_steps_per_min": float|None, "steps": int,
              "stance_s": {"left": float|None, "right": float|None}, "window_s": float},
     "warnings": ["The left insole sent nothing for 3.2 s", ...],   # plain words
     "replay": None | {"name": str, "position_s": float, "duration_s": float,
                       "speed": float, "paused": bool}}

and each foot::

    {"present": bool,                  # False: no insole for this foot (never paired / absent)
     "state": "streaming" | "finding" | "connecting" | "backoff" | "stopped" | "replay" | "none",
     "age_s": float | None,            # seconds since its last sample
     "stale": bool,                    # age_s over the stale limit, or not connected
     "kpa": [n_sensors x kPa or None], # the newest pressure frame, layout order
     "total_kpa": float | None,
     "cop_mm": [[x, y], ...],          # centre-of-pressure trail, oldest first, insole frame
     "temp_c": [6 x °C or None],       # newest skin temperatures, SITES order
     "battery_pct": int | None, "rssi_dbm": int | None, "loss_pct": float}
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Final

FOOT_KEYS: Final = ("present", "state", "age_s", "stale", "kpa", "total_kpa", "cop_mm",
                    "temp_c", "battery_pct", "rssi_dbm", "loss_pct")
FRAME_KEYS: Final = ("v", "host_time_s", "sample_time_s", "source", "label", "feet",
                     "temp_diff_c", "gait", "warnings", "replay")
ROUTE: Final = "/live/frame"
#: Longest a request may be held waiting for a newer frame, s.
MAX_WAIT_S: Final = 2.0


def _clean(value: Any) -> Any:
    """JSON has no NaN/inf: they become null (a missing value), recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def idle_frame(text: str = "No insoles are streaming and no replay is playing.") -> dict:
    """The frame shown when nothing is read."""
    foot = {"present": False, "state": "none", "age_s": None, "stale": True, "kpa": [],
            "total_kpa": None, "cop_mm": [], "temp_c": [], "battery_pct": None,
            "rssi_dbm": None, "loss_pct": 0.0}
    return {"v": 0, "host_time_s": None, "sample_time_s": None, "source": "idle",
            "label": "", "feet": {"left": dict(foot), "right": dict(foot)},
            "temp_diff_c": [], "gait": {"cadence_steps_per_min": None, "steps": 0,
                                        "stance_s": {"left": None, "right": None},
                                        "window_s": 0.0},
            "warnings": [text], "replay": None}


@dataclass(frozen=True)
class BusStats:
    published: int
    reads: int
    not_modified: int
    encode_s: float


class FrameBus:
    """The latest frame. Thread-safe; one writer, any number of readers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._newer = threading.Condition(self._lock)
        self._version = 0
        self._payload = self._encode({**idle_frame(), "v": 0})
        self._published = 0
        self._reads = 0
        self._not_modified = 0
        self._encode_s = 0.0

    @staticmethod
    def _encode(frame: dict) -> bytes:
        return json.dumps(_clean(frame), separators=(",", ":"), allow_nan=False).encode()

    def publish(self, frame: dict) -> int:
        """Encode ``frame`` once (its "v" is set here) and make it the latest; its version."""
        t0 = time.perf_counter()
        with self._lock:
            version = self._version + 1
        payload = self._encode({**frame, "v": version})
        with self._lock:
            self._version = version
            self._payload = payload
            self._published += 1
            self._encode_s += time.perf_counter() - t0
            self._newer.notify_all()
        return version

    def latest(self, after: int | None = None, *,
               wait_s: float = 0.0) -> tuple[int, bytes | None]:
        """(version, bytes); bytes is None when the latest is not newer than ``after``, even
        after waiting up to ``wait_s`` seconds for a newer one."""
        with self._lock:
            if after is not None and wait_s > 0 and after >= self._version:
                self._newer.wait_for(lambda: self._version > after, timeout=wait_s)
            if after is not None and after >= self._version:
                self._not_modified += 1
                return self._version, None
            self._reads += 1
            return self._version, self._payload

    def stats(self) -> BusStats:
        with self._lock:
            return BusStats(self._published, self._reads, self._not_modified, self._encode_s)


def install_route(server: Any, bus_of: Any) -> None:
    """``GET /live/frame?after=V&wait=S`` on the Flask ``server``: the first frame newer than
    V as JSON, waiting for it up to S seconds (at most MAX_WAIT_S; default 0), else 204.
    ``bus_of()`` returns the app's FrameBus (or None: 503).
    The token check of dashboard.app (a before_request hook) covers this route too."""
    from flask import Response, request

    @server.route(ROUTE)
    def _live_frame() -> Response:
        bus = bus_of()
        if bus is None:
            return Response(b'{"error":"no live source in this dashboard"}', status=503,
                            mimetype="application/json")
        after = request.args.get("after", type=int)
        wait_s = request.args.get("wait", default=0.0, type=float)
        if not 0.0 <= wait_s <= MAX_WAIT_S:  # (also NaN)
            wait_s = MAX_WAIT_S if wait_s > MAX_WAIT_S else 0.0
        _version, payload = bus.latest(after, wait_s=wait_s)
        if payload is None:
            return Response(status=204, headers={"Cache-Control": "no-store"})
        return Response(payload, mimetype="application/json",
                        headers={"Cache-Control": "no-store"})
