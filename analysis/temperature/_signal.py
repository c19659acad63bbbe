"""Small vectorised helpers on sample series shared by the temperature modules (internal)."""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def sample_period_s(time_s: np.ndarray) -> float:
    """Typical spacing of the samples (median step); 60 s when there is only one sample."""
    if time_s.size < 2:
        return 60.0
    return float(np.median(np.diff(time_s)))


def samples_for(duration_s: float, period_s: float) -> int:
    """How many samples span ``duration_s`` (at least 1)."""
    return max(1, round(duration_s / period_s))


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (exclusive) indices of the True runs of a 1-D boolean array."""
    m = np.concatenate(([False], np.asarray(mask, dtype=bool), [False]))
    d = np.diff(m.astype(np.int8))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def runs_2d(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True runs along axis 0 of a (n, k) array: (column, start, stop) arrays."""
    n, k = mask.shape
    pad = np.zeros((n + 2, k), dtype=np.int8)
    pad[1:-1] = mask
    d = np.diff(pad, axis=0)
    s_row, s_col = np.nonzero(d.T == 1)
    _, e_col = np.nonzero(d.T == -1)
    # nonzero on the transpose orders by column first, then time: starts and ends pair up.
    return s_row, s_col, e_col


def run_duration_filter(
    mask: np.ndarray, time_s: np.ndarray, min_duration_s: float, period_s: float
) -> np.ndarray:
    """Keep only True runs (along axis 0) lasting at least ``min_duration_s``."""
    m = np.asarray(mask, dtype=bool)
    two_d = m.ndim == 2
    m2 = m if two_d else m[:, None]
    out = np.zeros_like(m2)
    col, start, stop = runs_2d(m2)
    if col.size:
        dur = time_s[stop - 1] - time_s[start] + period_s
        keep = dur >= min_duration_s - 1e-9
        marks = np.zeros((m2.shape[0] + 1, m2.shape[1]), dtype=np.int32)
        np.add.at(marks, (start[keep], col[keep]), 1)
        np.add.at(marks, (stop[keep], col[keep]), -1)
        out = np.cumsum(marks, axis=0)[:-1] > 0
    return out if two_d else out[:, 0]


def last_true_time(flag: np.ndarray, time_s: np.ndarray) -> np.ndarray:
    """For each sample, the time of the latest sample at or before it where ``flag`` is True
    (along axis 0); -inf where there is none."""
    t = time_s if flag.ndim == 1 else time_s[:, None]
    marked = np.where(flag, t, -np.inf)
    return np.maximum.accumulate(marked, axis=0)


def slope_per_min(x: np.ndarray, time_s: np.ndarray, window_s: float) -> np.ndarray:
    """Centred slope (°C/min) over ``window_s`` of each column of ``x`` (n, k), from the values
    interpolated at t ± window/2 over the finite samples; NaN where the column is NaN."""
    x2 = x if x.ndim == 2 else x[:, None]
    out = np.full(x2.shape, np.nan)
    half = window_s / 2.0
    lo_t = np.maximum(time_s - half, time_s[0]) if time_s.size else time_s
    hi_t = np.minimum(time_s + half, time_s[-1]) if time_s.size else time_s
    span = hi_t - lo_t
    for j in range(x2.shape[1]):  # a handful of columns, each vectorised
        col = x2[:, j]
        fin = np.isfinite(col)
        if fin.sum() < 2:
            continue
        tf, vf = time_s[fin], col[fin]
        a = np.interp(lo_t, tf, vf)
        b = np.interp(hi_t, tf, vf)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, j] = np.where(span > 0, (b - a) / span * 60.0, 0.0)
        out[~fin, j] = np.nan
    return out if x.ndim == 2 else out[:, 0]


def nanmean_axis(x: np.ndarray, axis: int) -> np.ndarray:
    """nanmean without the all-NaN warning."""
    fin = np.isfinite(x)
    cnt = fin.sum(axis=axis)
    tot = np.where(fin, x, 0.0).sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)


def trailing(x: np.ndarray, w: int, kind: str) -> np.ndarray:
    """Running min (or max) over the trailing ``w`` samples, ignoring NaN."""
    fill = np.inf if kind == "min" else -np.inf
    y = np.where(np.isfinite(x), x, fill)
    f = ndimage.minimum_filter1d if kind == "min" else ndimage.maximum_filter1d
    c = f(y, size=w, mode="constant", cval=fill)
    h = min((w - 1) // 2, y.size)  # a window longer than the data: the running min/max
    out = np.empty_like(y)
    acc = np.minimum.accumulate(y) if kind == "min" else np.maximum.accumulate(y)
    out[:h] = acc[:h]
    out[h:] = c[: y.size - h]
    return out
