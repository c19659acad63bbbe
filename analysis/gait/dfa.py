"""Detrended fluctuation analysis (DFA) of stride-interval series.

Peng C-K, Havlin S, Stanley HE, Goldberger AL, Chaos 5:82-87 (1995); applied to gait by
Hausdorff JM, Peng C-K, Ladin Z, Wei JY, Goldberger AL, J Appl Physiol 78:349-358 (1995).

1. Integrate the mean-removed series: ``y(k) = sum_{i<=k} (x_i - mean(x))``.
2. For each box size ``n`` cut ``y`` into non-overlapping boxes of ``n`` points, fit a straight
   line in each box (DFA-1) and take the root-mean-square residual over all boxes: ``F(n)``.
   Boxes are laid from the start and again from the end, so the tail that does not fill a box
   at one end is still used (Kantelhardt et al., Physica A 295:441, 2001).
3. ``alpha`` is the slope of ``log F(n)`` against ``log n``.

Box sizes run log-spaced from ``GaitConfig.dfa_min_box_strides`` (4) to
``GaitConfig.dfa_max_box_fraction`` x N (N/4), as in Peng 1995, four per octave.
Interpretation: 0.5 uncorrelated (white) noise, 1.0 1/f noise, 1.5 a random walk (Brownian
noise); healthy young adults walk at about 0.8-0.9 (clinical.md).
"""

from __future__ import annotations

import numpy as np

from analysis.config import GaitConfig

#: Box sizes per factor of two between the smallest and the largest.
_SCALES_PER_OCTAVE = 4


def dfa_scales(
    n_points: int, *, min_box: int | None = None, max_box_fraction: float | None = None
) -> np.ndarray:
    """Log-spaced integer box sizes for a series of ``n_points`` (may be empty)."""
    cfg = GaitConfig()
    lo = int(cfg.dfa_min_box_strides if min_box is None else min_box)
    frac = float(cfg.dfa_max_box_fraction if max_box_fraction is None else max_box_fraction)
    hi = int(np.floor(n_points * frac))
    if hi <= lo:
        return np.array([], dtype=np.int64)
    num = int(np.ceil(np.log2(hi / lo) * _SCALES_PER_OCTAVE)) + 1
    return np.unique(np.round(np.geomspace(lo, hi, num)).astype(np.int64))


def _box_mean_square_residual(y: np.ndarray, n: int) -> float:
    """Mean over boxes of the squared residual of a line fitted per box (vectorised)."""
    m = y.size // n
    boxes = np.concatenate([y[: m * n].reshape(m, n), y[y.size - m * n :].reshape(m, n)])
    xc = np.arange(n, dtype=np.float64) - 0.5 * (n - 1)
    sxx = float(xc @ xc)
    yc = boxes - boxes.mean(axis=1, keepdims=True)
    slope = (yc @ xc) / sxx
    # residual sum of squares of a least-squares line: S_yy - slope^2 * S_xx
    rss = np.einsum("ij,ij->i", yc, yc) - slope * slope * sxx
    return float(np.maximum(rss, 0.0).sum() / (boxes.shape[0] * n))


def dfa_fluctuation(series: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """F(n) for each box size in ``scales`` (non-finite values of ``series`` dropped)."""
    x = np.asarray(series, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    y = np.cumsum(x - x.mean())
    return np.sqrt(np.array([_box_mean_square_residual(y, int(n)) for n in scales]))


def dfa_alpha(
    series: np.ndarray,
    *,
    min_n: int,
    scales: np.ndarray | None = None,
    min_box: int | None = None,
    max_box_fraction: float | None = None,
) -> float | None:
    """DFA scaling exponent alpha of ``series`` (e.g. stride intervals in s).

    ``min_n``: fewest finite values to compute anything (pass
    ``GaitConfig.dfa_min_strides``); below it, or with fewer than 3 usable box sizes, None.
    ``scales``: box sizes to use instead of the default log-spaced 4..N/4. Non-finite values
    are dropped (the series is treated as contiguous).
    """
    x = np.asarray(series, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    if x.size < max(int(min_n), 8):
        return None
    if scales is None:
        sc = dfa_scales(x.size, min_box=min_box, max_box_fraction=max_box_fraction)
    else:
        sc = np.unique(np.asarray(scales, dtype=np.int64))
        sc = sc[(sc >= 3) & (sc <= x.size // 2)]
    if sc.size < 3:
        return None
    f = dfa_fluctuation(x, sc)
    good = f > 0
    if int(good.sum()) < 3:
        return None
    slope = np.polyfit(np.log(sc[good]), np.log(f[good]), 1)[0]
    return float(slope)
