"""Left-right asymmetry of gait: gait asymmetry (GA) and the symmetry index (SI).

* GA (Plotnik M, Giladi N, Hausdorff JM, Exp Brain Res 181:561-570, 2007):
  ``GA = 100 * |ln(mean swing of the short-swing foot / mean swing of the long-swing foot)|``,
  in percent; 0 is perfect symmetry and it grows with asymmetry whichever foot is slower.
* SI (Robinson RO, Herzog W, Nigg BM, J Manipulative Physiol Ther 10:172-176, 1987):
  ``SI = 100 * (L - R) / (0.5 * (L + R))`` on the mean of any per-stride parameter; signed,
  positive when the left value is larger.

Both take per-stride values of each foot (NaN for a stride that could not be measured) and
return None when a foot is missing or has fewer valid strides than ``min_strides``
(``config.asymmetry_min_strides`` by default). A scalar instead of an array is taken as that
foot's mean, already computed (then the caller has checked the stride count).
"""

from __future__ import annotations

import numpy as np

from analysis.config import GaitConfig


def _foot_mean(values: np.ndarray | float | None, min_strides: int) -> float | None:
    """Mean of one foot's finite per-stride values; a scalar is taken as a mean already."""
    if values is None:
        return None
    v = np.asarray(values, dtype=np.float64)
    if v.ndim == 0:
        return float(v) if np.isfinite(v) else None
    v = v.ravel()
    v = v[np.isfinite(v)]
    if v.size < max(min_strides, 1):
        return None
    return float(v.mean())


def _min_strides(min_strides: int | None, config: GaitConfig | None) -> int:
    if min_strides is not None:
        return int(min_strides)
    return (config or GaitConfig()).asymmetry_min_strides


def gait_asymmetry_pct(
    swing_left_s: np.ndarray | None,
    swing_right_s: np.ndarray | None,
    *,
    min_strides: int | None = None,
    config: GaitConfig | None = None,
) -> float | None:
    """Gait asymmetry GA in percent from per-stride swing times of each foot (Plotnik 2007).

    ``min_strides`` defaults to ``GaitConfig.asymmetry_min_strides``. None when a foot is
    missing, has too few valid swings, or a mean swing is not positive.
    """
    n = _min_strides(min_strides, config)
    left = _foot_mean(swing_left_s, n)
    right = _foot_mean(swing_right_s, n)
    if left is None or right is None or left <= 0.0 or right <= 0.0:
        return None
    short, long_ = min(left, right), max(left, right)
    return float(100.0 * abs(np.log(short / long_)))


def symmetry_index_pct(
    left: np.ndarray | None,
    right: np.ndarray | None,
    *,
    min_strides: int | None = None,
    config: GaitConfig | None = None,
) -> float | None:
    """Symmetry index SI in percent on the means of a per-stride parameter (Robinson 1987).

    Signed: positive when the left mean is larger. None when a foot is missing, has too few
    valid strides, or the two means sum to zero.
    """
    n = _min_strides(min_strides, config)
    mean_l = _foot_mean(left, n)
    mean_r = _foot_mean(right, n)
    if mean_l is None or mean_r is None:
        return None
    denom = 0.5 * (mean_l + mean_r)
    if denom == 0.0:
        return None
    return float(100.0 * (mean_l - mean_r) / denom)
