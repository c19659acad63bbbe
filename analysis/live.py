"""Numbers for the live view: centre of pressure of a frame, gait over a short window,
left-minus-right temperature per site. Pure: arrays in, numbers out (no I/O, no clock).

* :func:`cop_mm` / :func:`cop_trail_mm`: the centre of pressure in the insole frame of
  :mod:`analysis.layouts` (mm; the left foot mirrored), through :func:`analysis.load.foot_load`
  (so invalid sensors are left out the same way as in the full analysis).
* :func:`gait_numbers`: cadence, contacts and stance time of a window of pressure, with the
  project's gait events (:func:`analysis.gait.events.detect_events`) and strides
  (:func:`analysis.gait.strides.build_strides`) and their :class:`~analysis.config.GaitConfig`.
  ``None`` where the window is too short or holds too few steps to say.
* :func:`count_new_contacts`: steps counted once across overlapping windows.
* :func:`temperature_difference`: left minus right per site (:data:`analysis.sites.SITES`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analysis.config import GaitConfig
from analysis.errors import SolewatchError
from analysis.gait.events import detect_events
from analysis.gait.strides import build_strides
from analysis.layouts import SensorLayout
from analysis.load import foot_load
from analysis.sites import FEET, SITES, check_foot
from analysis.streams import PressureStream

#: Fewest initial contacts (both feet together) a cadence is given from.
MIN_CONTACTS_FOR_CADENCE = 4


def _one_foot_stream(values: np.ndarray, layout: SensorLayout, foot: str,
                     unit: str) -> PressureStream:
    v = np.asarray(values, dtype=np.float64)
    if v.ndim == 1:
        v = v[None, :]
    if v.ndim != 2 or v.shape[1] != layout.n_sensors:
        raise ValueError(f"expected {layout.n_sensors} sensor values of layout "
                         f"{layout.name!r} per frame, found shape {np.shape(values)}")
    n = v.shape[0]
    return PressureStream(time_s=np.arange(n, dtype=np.float64), layout=layout, unit=unit,
                          sample_rate_hz=1.0, source="<live frame>",
                          **{f: (v if f == foot else None) for f in FEET})


def cop_trail_mm(frames: np.ndarray, layout: SensorLayout, foot: str, *,
                 unit: str = "kPa") -> np.ndarray:
    """(n, 2) centre of pressure (x, y mm, insole frame) of ``n`` frames of one foot.

    A row is NaN where the foot carries no load (below the 2% of the trail's largest load that
    :func:`~analysis.load.foot_load` treats as no load) or where every sensor is invalid.
    Sensors invalid (NaN) in the trail are left out, as in the full analysis.
    """
    check_foot(foot)
    v = np.asarray(frames, dtype=np.float64)
    if v.size == 0:
        return np.empty((0, 2))
    stream = _one_foot_stream(v, layout, foot, unit)
    if np.isnan(v).all():
        return np.full((stream.n_samples, 2), np.nan)
    return foot_load(stream)[foot].cop_mm


def cop_mm(kpa, layout: SensorLayout, foot: str, *,
           unit: str = "kPa") -> tuple[float, float] | None:
    """Centre of pressure (x, y) in mm of one frame of one foot, in the insole frame of
    :mod:`analysis.layouts`; None when the foot carries no load or every sensor is invalid.
    NaN sensors are left out."""
    v = np.asarray(kpa, dtype=np.float64).reshape(-1)
    if v.size != layout.n_sensors:
        raise ValueError(f"expected {layout.n_sensors} sensor values of layout "
                         f"{layout.name!r}, found {v.size}")
    ok = np.isfinite(v)
    if not ok.any() or not (v[ok] > 0).any():
        return None
    # one frame: a NaN sensor is simply left out (foot_load would void the sample)
    sub = layout if ok.all() else _subset(layout, ok)
    xy = cop_trail_mm(v[ok][None, :], sub, foot, unit=unit)[0]
    if not np.isfinite(xy).all():
        return None
    return float(xy[0]), float(xy[1])


def _subset(layout: SensorLayout, keep: np.ndarray) -> SensorLayout:
    idx = np.flatnonzero(keep)
    area = layout.sensor_area_mm2[idx] if layout.sensor_area_mm2 is not None else None
    return SensorLayout(name=layout.name, sensor_ids=tuple(layout.sensor_ids[i] for i in idx),
                        x_mm=layout.x_mm[idx], y_mm=layout.y_mm[idx],
                        regions=tuple(layout.regions[i] for i in idx), sensor_area_mm2=area)


def total_kpa(kpa) -> float | None:
    """Sum of the valid sensors of one frame, kPa (None when every sensor is invalid)."""
    v = np.asarray(kpa, dtype=np.float64)
    ok = np.isfinite(v)
    return float(v[ok].sum()) if ok.any() else None


@dataclass(frozen=True)
class GaitNumbers:
    """Gait over one window. Times in seconds on the window's time base.

    ``cadence_steps_per_min``: steps (initial contacts of either foot) per minute from the
    median interval between consecutive steps; 0.0 when the wearer has stopped (no step for
    three such intervals); None when the window is too short or holds fewer than
    :data:`MIN_CONTACTS_FOR_CADENCE` steps. ``contacts_s``: initial contacts per foot with an
    insole. ``stance_s``: median stance time per foot (None: no complete stride).
    """

    window_s: float
    cadence_steps_per_min: float | None
    contacts_s: dict[str, np.ndarray] = field(default_factory=dict)
    final_contacts_s: dict[str, np.ndarray] = field(default_factory=dict)
    stance_s: dict[str, float | None] = field(default_factory=dict)
    reason: str = ""

    @property
    def n_steps(self) -> int:
        return int(sum(c.size for c in self.contacts_s.values()))


def min_window_s(config: GaitConfig) -> float:
    """Shortest window gait numbers are given for: half the window the event thresholds
    are estimated in (:attr:`GaitConfig.threshold_window_s`)."""
    return 0.5 * config.threshold_window_s


def gait_numbers(window: PressureStream | None, config: GaitConfig | None = None) -> GaitNumbers:
    """Cadence, contacts and stance time per foot over ``window`` (see :class:`GaitNumbers`)."""
    config = config or GaitConfig()
    none = {f: None for f in FEET}
    if window is None or window.n_samples < 2:
        return GaitNumbers(0.0, None, stance_s=none, reason="no pressure data yet")
    duration = float(window.time_s[-1] - window.time_s[0]) + 1.0 / window.sample_rate_hz
    if duration < min_window_s(config):
        return GaitNumbers(duration, None, stance_s=none,
                           reason=f"{duration:.1f} s of data, gait needs "
                                  f"{min_window_s(config):g} s")
    try:
        events = detect_events(window, config)
    except (SolewatchError, ValueError) as error:
        return GaitNumbers(duration, None, stance_s=none, reason=str(error))
    contacts = {f: np.asarray(e.initial_contacts_s, dtype=np.float64)
                for f, e in events.items()}
    finals = {f: np.asarray(e.final_contacts_s, dtype=np.float64) for f, e in events.items()}
    stance: dict[str, float | None] = dict(none)
    if events:
        for foot, table in build_strides(events, config).items():
            s = table.stance_s[np.isfinite(table.stance_s)]
            stance[foot] = float(np.median(s)) if s.size else None
    steps = np.sort(np.concatenate(list(contacts.values()))) if contacts else np.empty(0)
    cadence = None
    reason = ""
    if steps.size >= MIN_CONTACTS_FOR_CADENCE:
        interval = float(np.median(np.diff(steps)))
        end = float(window.time_s[-1])
        if interval > 0:
            cadence = 0.0 if end - steps[-1] > 3.0 * interval else 60.0 / interval
    else:
        reason = f"{steps.size} steps in the window"
        if steps.size == 0:
            cadence = None
    return GaitNumbers(duration, cadence, contacts, finals, stance, reason)


def count_new_contacts(contacts_s, last_counted_s: float | None,
                       config: GaitConfig | None = None) -> tuple[int, float | None]:
    """Steps of one foot not counted before, across overlapping windows.

    ``contacts_s`` are the foot's initial contacts in this window, ``last_counted_s`` the
    newest one already counted (same time base). A contact counts when it is later than that
    by more than the shortest stride (:attr:`GaitConfig.min_stance_s` +
    :attr:`GaitConfig.min_swing_s`): the same contact found again a few milliseconds off in
    the next window is not counted twice. Returns (new steps, newest counted contact).
    """
    config = config or GaitConfig()
    c = np.sort(np.asarray(contacts_s, dtype=np.float64).reshape(-1))
    c = c[np.isfinite(c)]
    if last_counted_s is not None:
        c = c[c > last_counted_s + config.min_stance_s + config.min_swing_s]
    if c.size == 0:
        return 0, last_counted_s
    # two contacts of one foot closer than the shortest stride are one
    keep = np.concatenate(([True], np.diff(c) > config.min_stance_s + config.min_swing_s))
    c = c[keep]
    return int(c.size), float(c[-1])


def temperature_difference(left_c, right_c) -> list[float | None]:
    """Left minus right skin temperature per site (°C, :data:`SITES` order); None where a
    foot or a site has no reading."""
    out: list[float | None] = [None] * len(SITES)
    if left_c is None or right_c is None:
        return out
    left = np.asarray(left_c, dtype=np.float64).reshape(-1)
    right = np.asarray(right_c, dtype=np.float64).reshape(-1)
    for name, a in (("left_c", left), ("right_c", right)):
        if a.size != len(SITES):
            raise ValueError(f"{name}: expected {len(SITES)} sites {SITES}, found {a.size} "
                             "values")
    d = left - right
    return [float(x) if np.isfinite(x) else None for x in d]


__all__ = ["MIN_CONTACTS_FOR_CADENCE", "GaitNumbers", "cop_mm", "cop_trail_mm",
           "count_new_contacts", "gait_numbers", "min_window_s", "temperature_difference",
           "total_kpa"]
