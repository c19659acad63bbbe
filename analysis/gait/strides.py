"""Stride table per foot: stride, stance, swing and double-support times of every stride.

A stride runs from one initial contact of a foot to its next. Its stance lasts from the
initial contact to the final contact inside the stride, its swing from there to the next
initial contact. Double support is initial double support (this foot's initial contact to the
other foot's final contact) plus terminal double support (the other foot's initial contact to
this foot's final contact); NaN when the other foot is missing or its events there are not
valid. Strides that cross a span without valid data, lack their final contact, or hold more
than one, get NaN phases and are excluded; walking-bout segmentation (analysis.gait.bouts)
then keeps only steady walking in ``valid``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.config import GaitConfig
from analysis.gait.bouts import segment_bouts
from analysis.gait.events import FootEvents


@dataclass(eq=False)
class StrideTable:
    """Per-stride arrays of one foot, all of equal length, times in seconds.

    ``bout`` is the walking-bout id of each stride, -1 when the stride is excluded (turn, start,
    stop, pause, outlier, incomplete or lost data). ``valid`` is ``bout >= 0``: the strides
    variability is computed from.
    """

    foot: str
    start_s: np.ndarray
    end_s: np.ndarray
    stride_s: np.ndarray
    stance_s: np.ndarray
    swing_s: np.ndarray
    double_support_s: np.ndarray
    bout: np.ndarray
    valid: np.ndarray

    def __len__(self) -> int:
        return int(self.start_s.size)

    @property
    def n_valid(self) -> int:
        return int(np.count_nonzero(self.valid))


def _overlaps(start: np.ndarray, end: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """True where [start, end] overlaps any of the sorted, disjoint [a, b) spans."""
    if spans.size == 0:
        return np.zeros(start.size, dtype=bool)
    a = spans[:, 0]
    b = spans[:, 1]
    n_begun = np.searchsorted(a, end, side="right")  # spans starting at or before end
    n_done = np.searchsorted(b, start, side="left")  # spans over before start
    return n_begun > n_done


def _one_between(t: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The single element of sorted ``t`` in (lo, hi) for each pair, NaN if none or several."""
    i = np.searchsorted(t, lo, side="right")
    j = np.searchsorted(t, hi, side="left")
    out = np.full(lo.size, np.nan)
    one = (j - i) == 1
    out[one] = t[i[one]]
    return out


def _stride_phases(ev: FootEvents) -> tuple[np.ndarray, ...]:
    ic = np.asarray(ev.initial_contacts_s, dtype=np.float64)
    fc = np.asarray(ev.final_contacts_s, dtype=np.float64)
    if ic.size < 2:
        e = np.empty(0)
        return e, e, e, e, np.empty(0, dtype=bool)
    start, end = ic[:-1], ic[1:]
    fc_in = _one_between(fc, start, end)
    lost = _overlaps(start, end, np.asarray(ev.lost_intervals_s).reshape(-1, 2))
    fc_in[lost] = np.nan
    usable = np.isfinite(fc_in) & ~lost
    return start, end, fc_in, end - start, usable


def build_strides(events: dict[str, FootEvents], config: GaitConfig) -> dict[str, StrideTable]:
    """A :class:`StrideTable` for every foot in ``events`` (feet without events are absent)."""
    phases = {foot: _stride_phases(ev) for foot, ev in events.items()}
    out: dict[str, StrideTable] = {}
    for foot, (start, end, fc, stride, usable) in phases.items():
        stance = fc - start
        swing = end - fc
        stride = np.where(usable, stride, np.nan) if stride.size else stride
        ds = np.full(start.size, np.nan)
        other = next((f for f in events if f != foot), None)
        if other is not None and start.size:
            oev = events[other]
            o_ic = np.asarray(oev.initial_contacts_s, dtype=np.float64)
            o_fc = np.asarray(oev.final_contacts_s, dtype=np.float64)
            # initial double support: other foot's final contact during this early stance
            o_off = _one_between(o_fc, start, fc)
            # terminal double support: other foot's initial contact during this stance
            o_on = _one_between(o_ic, start, fc)
            ds = (o_off - start) + (fc - o_on)
            o_lost = _overlaps(start, end, np.asarray(oev.lost_intervals_s).reshape(-1, 2))
            ds[o_lost | ~usable | ~(o_off < o_on)] = np.nan
        bout = segment_bouts(stride, usable, config, phases_s=(stance, swing))
        out[foot] = StrideTable(
            foot=foot,
            start_s=start,
            end_s=end,
            stride_s=stride,
            stance_s=stance,
            swing_s=swing,
            double_support_s=ds,
            bout=bout,
            valid=bout >= 0,
        )
    return out
