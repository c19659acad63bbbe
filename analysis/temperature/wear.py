"""When is the insole worn, and when is the foot rested in a steady state?

From temperature alone (per foot, on the valid sites):

* worn: the median of the sites lies in the skin range (``wear_skin_min_c``..``wear_skin_max_c``),
  the sites agree within ``wear_site_spread_c``, the foot is warmer than the room by
  ``wear_room_margin_c`` when the room temperature is known, and the foot is not in a shoe-off
  period. A shoe-off period starts with a fall faster than ``wear_off_slope_c_per_min`` (the
  decay toward room temperature) once the foot is more than ``wear_off_drop_c`` below where the
  fall started, and ends with a rise faster than ``wear_on_slope_c_per_min`` (or a gap in the
  data). A recording whose first event is such a rise started with the shoe off. Limitation: an
  insole that starts off in a room warmer than ``wear_skin_min_c`` and never shows a rise
  looks worn; it is then compared only where the other foot is worn too.
* rested: worn and the temperature slope has stayed within ``rest_slope_c_per_min`` for
  ``rest_min`` minutes (no walking, shoe on/off or heat source just before).

With a load series for a foot (``loads={"left": (time_s, load), ...}``, time in seconds of the
temperature stream's clock, load as fraction of body weight or force in any unit), within the
time the load series covers: worn also needs the foot loaded above ``load_on_fraction`` of its
usual peak within ``wear_load_window_min``; rested means ``rest_min`` minutes since the last load
change larger than ``rest_load_change_fraction`` (a step or a posture change).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from analysis.config import TemperatureConfig
from analysis.sites import FEET
from analysis.streams import TemperatureStream
from analysis.temperature._signal import (
    last_true_time,
    sample_period_s,
    samples_for,
    slope_per_min,
)

#: Steps longer than this many sample periods are gaps: steady state restarts after them.
GAP_PERIODS = 5.0

LoadSeries = Mapping[str, tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True, eq=False)
class WearMask:
    """Per sample and foot (n, 2): ``worn``, ``rested``; ``worn_by_load`` is None without a
    load series, else True where load shows the insole in use (False outside load coverage)."""

    worn: np.ndarray
    rested: np.ndarray
    worn_by_load: np.ndarray | None

    def fraction(self) -> dict[str, float]:
        if self.worn.shape[0] == 0:
            return {f: 0.0 for f in FEET}
        return {f: float(self.worn[:, i].mean()) for i, f in enumerate(FEET)}


def _foot_summary(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median, spread (max-min) and count of finite sites per sample for (n, sites)."""
    cnt = np.isfinite(v).sum(axis=1)
    srt = np.sort(v, axis=1)  # NaN sorts last
    rows = np.arange(v.shape[0])
    lo_i = np.maximum((cnt - 1) // 2, 0)
    hi_i = np.maximum(cnt // 2, 0)
    hi_i = np.minimum(hi_i, v.shape[1] - 1)
    med = 0.5 * (srt[rows, lo_i] + srt[rows, hi_i])
    top = srt[rows, np.maximum(cnt - 1, 0)]
    spread = top - srt[:, 0]
    med = np.where(cnt > 0, med, np.nan)
    spread = np.where(cnt > 0, spread, np.nan)
    return med, spread, cnt


def _normalise_load(values: np.ndarray) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64)
    fin = x[np.isfinite(x)]
    if fin.size and np.max(fin) > 1.5:  # a force, not a fraction: scale by the usual peak
        ref = float(np.percentile(fin, 95))
        x = x / ref if ref > 0 else x
    return x


def wear_mask(
    stream: TemperatureStream,
    *,
    config: TemperatureConfig,
    loads: LoadSeries | None = None,
    valid: np.ndarray | None = None,
    room_c: float | np.ndarray | None = None,
) -> WearMask:
    """Worn and rested masks per sample and foot (see the module docstring)."""
    t = stream.time_s
    n = t.size
    v = stream.values_c
    if valid is not None:
        v = np.where(valid, v, np.nan)
    period = sample_period_s(t)
    gap = np.zeros(n, dtype=bool)
    if n > 1:
        gap[1:] = np.diff(t) > GAP_PERIODS * period
    worn = np.zeros((n, len(FEET)), dtype=bool)
    rested = np.zeros((n, len(FEET)), dtype=bool)
    by_load = np.zeros((n, len(FEET)), dtype=bool) if loads else None
    rest_s = config.rest_min * 60.0
    for i, foot in enumerate(FEET):
        med, spread, cnt = _foot_summary(v[:, i, :])
        cand = (cnt > 0) & (med >= config.wear_skin_min_c) & (med <= config.wear_skin_max_c)
        cand &= spread <= config.wear_site_spread_c
        if room_c is not None:
            room = np.broadcast_to(np.asarray(room_c, dtype=np.float64), (n,))
            cand &= ~(med - room < config.wear_room_margin_c)
        slope = slope_per_min(med, t, config.slope_window_min * 60.0)
        off_event = slope < -config.wear_off_slope_c_per_min
        on_event = (slope > config.wear_on_slope_c_per_min) | gap
        in_off = last_true_time(off_event, t) > last_true_time(on_event, t)
        # ... but only once the temperature fell well below where the fall started (walking
        # changes in-shoe temperature by a few °C; taking the shoe off by many).
        idx = np.arange(n)
        off_start = off_event & ~np.concatenate(([False], off_event[:-1]))
        k = np.maximum.accumulate(np.where(off_start, idx, 0))
        before = np.maximum(k - samples_for(config.slope_window_min * 30.0, period), 0)
        ref = med[before] if n else med
        with np.errstate(invalid="ignore"):
            in_off &= ~(ref - med < config.wear_off_drop_c)
        # A recording whose first event is the shoe going on started with the shoe off.
        on_t, off_t = t[on_event & ~gap], t[off_event]
        if on_t.size and (off_t.size == 0 or on_t[0] < off_t[0]):
            in_off |= t < on_t[0]
        w = cand & ~in_off
        stable = w & (np.abs(slope) <= config.rest_slope_c_per_min) & ~gap
        r = w & (t - last_true_time(~stable, t) >= rest_s)

        if loads and foot in loads:
            lt, lv = loads[foot]
            lt = np.asarray(lt, dtype=np.float64)
            lv = _normalise_load(lv)
            if lt.size:
                covered = (t >= lt[0]) & (t <= lt[-1] + max(period, 60.0))
                loaded_t = lt[np.isfinite(lv) & (lv > config.load_on_fraction)]
                k = np.searchsorted(loaded_t, t, side="right") - 1
                last_loaded = np.where(k >= 0, loaded_t[np.maximum(k, 0)], -np.inf)
                recent = t - last_loaded <= config.wear_load_window_min * 60.0
                change = np.abs(np.diff(lv)) > config.rest_load_change_fraction
                active_t = lt[1:][np.nan_to_num(change, nan=False).astype(bool)]
                k = np.searchsorted(active_t, t, side="right") - 1
                last_active = (np.where(k >= 0, active_t[np.maximum(k, 0)], lt[0])
                               if active_t.size else np.full(t.shape, lt[0]))
                rested_load = t - last_active >= rest_s
                w = np.where(covered, w & recent, w)
                r = np.where(covered, w & rested_load, r)
                by_load[:, i] = covered & recent
        worn[:, i] = w
        rested[:, i] = r
    return WearMask(worn, rested, by_load)
