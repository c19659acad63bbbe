"""Replay of a recording or a fixture as live frames: play, pause, speed, seek.

A source is a solewatch raw BLE log (``*.swlog``: put through the live decode path by
:func:`firmware_bridge.recording.replay_to_streams`) or a fixture folder
(``fixtures/data/<name>/`` with a pressure and/or a temperature file, read by
:func:`firmware_bridge.readers.load_input` as ``solewatch analyze`` reads a folder).

:class:`ReplayPlayer` holds the streams and a position in seconds from the start of the
recording. It reads no clock of its own: the hub attaches its loop's clock, and the position
while playing is the position at the last change plus the time since then times the speed.
:meth:`ReplayPlayer.frame` gives the frame at the position (format of
:mod:`dashboard.live.bus`): per foot the newest pressure sample at or before it, the newest
temperatures, the centre-of-pressure trail over the last second and the gait numbers of the
preceding :data:`GAIT_WINDOW_S` (recomputed at most every :data:`GAIT_EVERY_S` of replay), with
warnings in plain words where the recording has a gap or a foot is missing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analysis.config import GaitConfig
from analysis.errors import InputError, SolewatchError
from analysis.live import cop_trail_mm, gait_numbers, temperature_difference, total_kpa
from analysis.sites import FEET, foot_index
from analysis.streams import PressureStream, TemperatureStream

#: Replay speeds offered (x real time).
SPEEDS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
#: Seconds of pressure before the position the gait numbers are computed over.
GAIT_WINDOW_S = 20.0
#: The gait numbers are recomputed at most once per this much replay time, s.
GAIT_EVERY_S = 0.5
#: Seconds of centre-of-pressure trail in a frame.
TRAIL_S = 1.0
RECORDING, FIXTURE = "recording", "fixture"
#: File names (before the first dot) that make a folder a fixture folder.
_FIXTURE_FILES = ("pressure", "temperature")


class ReplayError(SolewatchError, ValueError):
    """A replay request that cannot be done (the message says what to do)."""


def check_speed(speed: Any) -> float:
    """``speed`` as a float if it is one of :data:`SPEEDS`, else ReplayError naming them."""
    try:
        s = float(speed)
    except (TypeError, ValueError):
        s = math.nan
    if isinstance(speed, bool) or s not in SPEEDS:
        raise ReplayError(f"replay speed {speed!r} is not offered; choose one of "
                          + ", ".join(f"{x:g}x" for x in SPEEDS))
    return s


def check_position(position_s: Any) -> float:
    """A seek position: a finite number of seconds (clamped to the recording later)."""
    try:
        p = float(position_s)
    except (TypeError, ValueError):
        raise ReplayError(f"seek position {position_s!r} is not a number of seconds") \
            from None
    if isinstance(position_s, bool) or not math.isfinite(p):
        raise ReplayError(f"seek position {position_s!r} is not a finite number of seconds")
    return p


# -- sources ---------------------------------------------------------------------------------


def _is_fixture_folder(folder: Path) -> bool:
    try:
        return any(p.is_file() and p.name.split(".")[0] in _FIXTURE_FILES
                   for p in folder.iterdir())
    except OSError:
        return False


def find_sources(roots: Sequence[str | Path]) -> list[dict]:
    """Recordings (``*.swlog`` in a root or one folder down) and fixture folders (a root or
    its sub-folders holding ``pressure.*`` / ``temperature.*``), as
    ``{"id", "name", "kind", "path"}``. Ids are ``recording:<file name>`` and
    ``fixture:<folder name>``, stable across calls; the first root wins a clash."""
    out: list[dict] = []
    seen: set[str] = set()

    def add(kind: str, path: Path) -> None:
        sid = f"{kind}:{path.name}"
        if sid not in seen:
            seen.add(sid)
            out.append({"id": sid, "name": path.name, "kind": kind, "path": str(path)})

    for root in (Path(r) for r in roots):
        if not root.is_dir():
            continue
        subs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        folders = [root, *subs]
        for folder in folders:
            for log in sorted(folder.glob("*.swlog")):
                if log.is_file():
                    add(RECORDING, log)
            if _is_fixture_folder(folder):
                add(FIXTURE, folder)
    out.sort(key=lambda s: (s["kind"] != RECORDING, s["name"]))
    return out


def resolve_source(roots: Sequence[str | Path], source_id: str) -> dict:
    """The source of ``source_id`` (see :func:`find_sources`), else ReplayError listing
    the ids there are."""
    sources = find_sources(roots)
    for s in sources:
        if s["id"] == source_id:
            return s
    known = ", ".join(s["id"] for s in sources) or "none (no replay folders configured)"
    raise ReplayError(f"no recording or fixture {source_id!r} to replay; available: {known}")


@dataclass
class LoadedSource:
    """What a source holds, read once."""

    name: str
    pressure: PressureStream | None
    temperature: TemperatureStream | None
    problems: list = field(default_factory=list)
    loss_pct: dict[str, float] = field(default_factory=dict)


def load_source(source: dict) -> LoadedSource:
    """Read a source (from :func:`find_sources`). A file or folder that cannot be replayed
    raises :class:`~analysis.errors.InputError` naming it and what was wrong."""
    path = Path(source["path"])
    try:
        if source["kind"] == RECORDING:
            from firmware_bridge.recording import replay_to_streams

            res = replay_to_streams(path)
            loss = {s: float(st.lost_percent) for s, st in res.stats.items()}
            return LoadedSource(path.name, res.pressure, res.temperature,
                                list(res.problems), loss)
        from firmware_bridge.readers import load_input

        rec = load_input(path)
        if rec.pressure is None and rec.temperature is None:
            raise InputError("holds neither pressure nor temperature", source=str(path))
        return LoadedSource(path.name, rec.pressure, rec.temperature, list(rec.problems))
    except InputError:
        raise
    except (OSError, ValueError, KeyError, IndexError) as error:
        raise InputError(f"cannot be replayed: {error}", source=str(path)) from None


# -- the player ------------------------------------------------------------------------------


def _last_valid_index(values: np.ndarray) -> np.ndarray:
    """For each row, the index of the newest row at or before it with any valid sensor
    (-1: none yet)."""
    valid = np.isfinite(values).any(axis=1)
    idx = np.where(valid, np.arange(valid.size), -1)
    return np.maximum.accumulate(idx) if idx.size else idx


class ReplayPlayer:
    """A loaded source, its position, speed and play state (see the module docstring)."""

    kind = "replay"

    def __init__(self, name: str, pressure: PressureStream | None,
                 temperature: TemperatureStream | None, *, problems: Sequence = (),
                 loss_pct: dict[str, float] | None = None, stale_after_s: float = 1.0,
                 gait_config: GaitConfig | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if pressure is None and temperature is None:
            raise InputError("nothing to replay: neither pressure nor temperature",
                             source=name)
        self.name = name
        self.pressure = pressure
        self.temperature = temperature
        self.problems = list(problems)
        self.loss_pct = dict(loss_pct or {})
        self.stale_after_s = float(stale_after_s)
        self.gait_config = gait_config or GaitConfig()
        self._clock = clock
        base = pressure if pressure is not None else temperature
        self.origin_s = float(base.time_s[0]) if base.n_samples else 0.0
        end = float(base.time_s[-1]) if base.n_samples else 0.0
        if pressure is not None:
            end += 1.0 / pressure.sample_rate_hz
        self.duration_s = max(0.0, end - self.origin_s)
        # temperature time at position 0 (both streams on their own time base)
        self._t_offset = self.origin_s
        if pressure is not None and temperature is not None and pressure.start is not None \
                and temperature.start is not None:
            self._t_offset = (pressure.start - temperature.start).total_seconds() \
                + self.origin_s
        elif pressure is not None and temperature is not None:
            self._t_offset = self.origin_s
        self._last_valid = {}
        if pressure is not None:
            for f in pressure.feet():
                self._last_valid[f] = _last_valid_index(pressure.foot(f))
        self._contacts = self._all_contacts()
        self._speed = 1.0
        self._paused = True
        self._anchor_pos = 0.0
        self._anchor_t = clock()
        self._gait_key: int | None = None
        self._gait: dict = {"cadence_steps_per_min": None, "steps": 0,
                            "stance_s": {f: None for f in FEET}, "window_s": 0.0}
        self.gait_runs = 0

    @classmethod
    def load(cls, source: dict, **kw: Any) -> ReplayPlayer:
        src = load_source(source)
        return cls(src.name, src.pressure, src.temperature, problems=src.problems,
                   loss_pct=src.loss_pct, **kw)

    def _all_contacts(self) -> np.ndarray:
        """Initial contacts of the whole recording, both feet, sorted (for the step count)."""
        if self.pressure is None:
            return np.empty(0)
        from analysis.gait.events import detect_events

        try:
            events = detect_events(self.pressure, self.gait_config)
        except (SolewatchError, ValueError):
            return np.empty(0)
        if not events:
            return np.empty(0)
        return np.sort(np.concatenate([e.initial_contacts_s for e in events.values()]))

    # -- control ---------------------------------------------------------------------------

    def attach(self, clock: Callable[[], float]) -> None:
        """Use ``clock`` (monotonic seconds, e.g. the hub loop's time) from now on."""
        pos = self.position_s
        self._clock = clock
        self._anchor(pos)

    def _anchor(self, pos: float) -> None:
        self._anchor_pos = min(max(0.0, pos), self.duration_s)
        self._anchor_t = self._clock()

    @property
    def position_s(self) -> float:
        if self._paused:
            return self._anchor_pos
        pos = max(0.0, self._anchor_pos + (self._clock() - self._anchor_t) * self._speed)
        if pos >= self.duration_s:  # the end: stop there
            self._paused = True
            self._anchor(self.duration_s)
            return self.duration_s
        return pos

    @property
    def paused(self) -> bool:
        _ = self.position_s  # reaching the end pauses
        return self._paused

    @property
    def speed(self) -> float:
        return self._speed

    def play(self) -> None:
        pos = self.position_s
        if pos >= self.duration_s:  # play at the end starts again
            pos = 0.0
        self._paused = False
        self._anchor(pos)

    def pause(self) -> None:
        pos = self.position_s
        self._paused = True
        self._anchor(pos)

    def set_speed(self, speed: float) -> None:
        s = check_speed(speed)
        pos = self.position_s
        self._speed = s
        self._anchor(pos)

    def seek(self, position_s: float) -> None:
        """Go to ``position_s`` seconds from the start (clamped to the recording)."""
        self._anchor(check_position(position_s))
        self._gait_key = None

    async def stop(self) -> None:
        self._paused = True

    def state(self) -> dict:
        pos = self.position_s
        return {"name": self.name, "position_s": round(pos, 3),
                "duration_s": round(self.duration_s, 3), "speed": self._speed,
                "paused": self._paused}

    # -- the frame -------------------------------------------------------------------------

    def _sample_time(self, t: float) -> float:
        start = self.pressure.start if self.pressure is not None else (
            self.temperature.start if self.temperature is not None else None)
        return start.timestamp() + t if start is not None else t

    def frame(self) -> dict:
        pos = self.position_s
        t = self.origin_s + pos
        feet, warnings, temps = {}, [], {}
        newest = None
        for side in FEET:
            foot, sample_t, warn = self._foot(side, t)
            feet[side] = foot
            warnings.extend(warn)
            temps[side] = foot["temp_c"] or None
            if sample_t is not None:
                newest = sample_t if newest is None else max(newest, sample_t)
        if self.problems:
            warnings.append("Part of this recording could not be read; the rest is shown.")
        if pos >= self.duration_s and self.duration_s > 0:
            warnings.append("End of the recording. Press play to watch it again.")
        return {"host_time_s": time.time(),
                "sample_time_s": None if newest is None else self._sample_time(newest),
                "source": "replay", "label": f"replay: {self.name}", "feet": feet,
                "temp_diff_c": temperature_difference(temps["left"], temps["right"]),
                "gait": self._gait_at(pos), "warnings": warnings, "replay": self.state()}

    def _foot(self, side: str, t: float) -> tuple[dict, float | None, list[str]]:
        p = self.pressure
        values = p.foot(side) if p is not None else None
        temp = self._temperature(side, t)
        present = values is not None or temp is not None
        foot = {"present": present, "state": "replay" if present else "none",
                "age_s": None, "stale": True, "kpa": [], "total_kpa": None, "cop_mm": [],
                "temp_c": temp or [], "battery_pct": None, "rssi_dbm": None,
                "loss_pct": round(self.loss_pct.get(side, 0.0), 2)}
        if not present:
            return foot, None, [f"This recording has no {side} insole."]
        if values is None:
            return {**foot, "stale": False}, None, []
        i = int(np.searchsorted(p.time_s, t, side="right")) - 1
        if i < 0:
            return foot, None, []
        row = values[i]
        last = int(self._last_valid[side][i])
        age = None if last < 0 else max(0.0, t - float(p.time_s[last]))
        gap = age is None or age > self.stale_after_s
        lo = int(np.searchsorted(p.time_s, t - 1.0 * TRAIL_S, side="right"))
        trail = cop_trail_mm(values[lo:i + 1], p.layout, side, unit=p.unit)
        ok = np.isfinite(trail).all(axis=1) if trail.size else np.zeros(0, bool)
        foot.update({
            "age_s": None if age is None else round(age, 3), "stale": gap,
            "kpa": np.round(np.asarray(row, dtype=np.float64), 1).tolist(),
            "total_kpa": (None if total_kpa(row) is None else round(total_kpa(row), 1))
            if p.unit == "kPa" else None,
            "cop_mm": np.round(trail[ok], 1).tolist()})
        warn = []
        if gap:
            if age is None:
                warn.append(f"The recording has no data from the {side} insole yet.")
            else:
                warn.append(f"The recording has a gap here: no data from the {side} insole "
                            f"for {age:.1f} s.")
        return foot, float(p.time_s[last]) if last >= 0 else None, warn

    def _temperature(self, side: str, t: float) -> list | None:
        ts = self.temperature
        if ts is None or not ts.has_foot(side):
            return None
        tt = t - self.origin_s + self._t_offset
        j = int(np.searchsorted(ts.time_s, tt, side="right")) - 1
        if j < 0:
            return []
        row = np.asarray(ts.values_c[j, foot_index(side), :], dtype=np.float64)
        return np.round(row, 2).tolist()

    def _gait_at(self, pos: float) -> dict:
        key = int(pos // GAIT_EVERY_S)
        if key == self._gait_key or self.pressure is None:
            return dict(self._gait)
        self._gait_key = key
        p = self.pressure
        t = self.origin_s + pos
        i0 = int(np.searchsorted(p.time_s, t - GAIT_WINDOW_S, side="left"))
        i1 = int(np.searchsorted(p.time_s, t, side="right"))
        window = None
        if i1 - i0 >= 2:
            window = PressureStream(
                time_s=p.time_s[i0:i1],
                left=None if p.left is None else p.left[i0:i1],
                right=None if p.right is None else p.right[i0:i1],
                layout=p.layout, unit=p.unit, sample_rate_hz=p.sample_rate_hz,
                start=p.start, source=p.source)
        g = gait_numbers(window, self.gait_config)
        self.gait_runs += 1
        steps = int(np.searchsorted(self._contacts, t, side="right"))
        self._gait = {
            "cadence_steps_per_min": None if g.cadence_steps_per_min is None
            else round(g.cadence_steps_per_min, 1),
            "steps": steps,
            "stance_s": {f: None if g.stance_s.get(f) is None else round(g.stance_s[f], 3)
                         for f in FEET},
            "window_s": round(g.window_s, 2)}
        return dict(self._gait)


__all__ = ["FIXTURE", "GAIT_EVERY_S", "GAIT_WINDOW_S", "RECORDING", "SPEEDS", "TRAIL_S",
           "LoadedSource", "ReplayError", "ReplayPlayer", "check_position", "check_speed",
           "find_sources", "load_source", "resolve_source"]
