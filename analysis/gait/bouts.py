"""Walking bouts: keep steady walking, drop turns, starts, stops and outlier strides.

Overground walks include turns and starts; timing them as strides inflates variability
(clinical.md, gait section). Each stride is kept for variability only when:

1. it is usable (both contacts and the final contact between them valid, no lost data);
2. it is no longer than ``bout_pause_s`` (longer is a stop);
3. it is within a factor ``bout_split_ratio`` of the running median of ``bout_median_strides``
   usable strides around it (a turn, a start or a stop departs strongly from it);
4. it is not among the first or last ``bout_trim_strides`` strides of its bout (acceleration
   and deceleration), and the trimmed bout still has ``bout_min_strides`` strides;
5. its stride time, and each of the phase times given (stance, swing), is within
   ``outlier_mad_k`` scaled median absolute deviations of its bout's median (a mistimed
   contact shows as an outlier in one phase while the stride time looks normal).

A bout is a run of consecutive strides passing 1-3 (each ends where the next begins).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import median_filter

from analysis.config import GaitConfig

#: Scale of the median absolute deviation to the SD of a normal distribution.
MAD_TO_SD = 1.4826


def _within_mad(values: np.ndarray, k: float) -> np.ndarray:
    med = np.median(values)
    mad = MAD_TO_SD * np.median(np.abs(values - med))
    return np.abs(values - med) <= k * mad if mad > 0 else values == med


def segment_bouts(
    stride_s: np.ndarray,
    usable: np.ndarray,
    config: GaitConfig,
    *,
    phases_s: tuple[np.ndarray, ...] = (),
) -> np.ndarray:
    """Bout id of every stride (0, 1, ...), -1 for a stride excluded from variability.

    ``stride_s`` are consecutive stride intervals of one foot (NaN allowed where not
    measurable); ``usable`` marks strides whose events are complete and valid; ``phases_s``
    are per-stride phase durations (stance, swing) also screened for outliers.
    """
    s = np.asarray(stride_s, dtype=np.float64)
    phases = [np.asarray(ph, dtype=np.float64) for ph in phases_s]
    for ph in phases:
        usable = np.asarray(usable, dtype=bool) & np.isfinite(ph)
    ok = np.asarray(usable, dtype=bool) & np.isfinite(s) & (s > 0) & (s <= config.bout_pause_s)
    bout = np.full(s.size, -1, dtype=np.int64)
    if not ok.any():
        return bout
    # Running median over usable strides only (a pause or a gap does not drag it).
    idx = np.flatnonzero(ok)
    size = max(1, int(config.bout_median_strides))
    local = median_filter(s[idx], size=size, mode="nearest")
    ratio = s[idx] / local
    r = config.bout_split_ratio
    steady = np.zeros(s.size, dtype=bool)
    steady[idx] = (ratio <= r) & (ratio >= 1.0 / r)
    # Runs of consecutive steady strides.
    edges = np.diff(np.concatenate(([0], steady.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    trim = max(0, int(config.bout_trim_strides))
    next_id = 0
    for a, b in zip(starts + trim, ends - trim, strict=True):
        if b - a < config.bout_min_strides:
            continue
        keep = _within_mad(s[a:b], config.outlier_mad_k)
        for ph in phases:
            keep &= _within_mad(ph[a:b], config.outlier_mad_k)
        if keep.sum() < config.bout_min_strides:
            continue
        bout[a:b] = np.where(keep, next_id, -1)
        next_id += 1
    return bout
