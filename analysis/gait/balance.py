"""Static balance from quiet standing: centre-of-pressure (COP) sway measures.

:func:`find_quiet_standing` finds intervals of quiet stance in a recording (both feet loaded,
or one foot for single-leg stance; no step; the COP staying within a small area for at least a
minimum duration). :func:`static_balance` measures one COP trajectory; :func:`balance_of_interval`
measures one interval of a two-foot (or one-foot) recording.

Measures (Prieto TE et al., IEEE Trans Biomed Eng 43:956-966, 1996): path length (sum of
distances between successive COP samples), mean velocity (path / duration), AP and ML mean
velocities (sum of |dy| or |dx| / duration; y = anterior-posterior, x = medio-lateral in the
insole frame of :mod:`analysis.layouts`), and the area of the 95% PREDICTION ellipse of the COP
(Schubert P, Kirchner M, "Ellipse area calculations and their applicability in
posturography", Gait Posture 39:518-522, 2014): the region expected to hold 95% of COP
samples, not the (much smaller) confidence region of the mean COP. With the sample
covariance S of n points, ::

    area = pi * k * sqrt(det S),   k = 2 (n - 1) (n + 1) / (n (n - 2)) * F_0.95(2, n - 2)

which tends to chi2_0.95(2) = 5.991 for the thousands of samples of a recording.

Two feet. The insole frame knows each foot's COP but not where the feet stand relative to each
other, so the combined COP (load-weighted mean of both feet's COP) places the feet at a
nominal stance width, ``GaitConfig.stance_width_mm`` (heel centres 17 cm apart, McIlroy & Maki
1997), side by side. Its ML spread therefore scales with that assumed width; the ellipse area of
a two-foot stance is an estimate, not a force-plate measurement. For that reason the path
length and the AP/ML velocities of a two-foot stance are computed per foot (where the assumed
width plays no part) and combined as the load-weighted mean over the interval. One-leg stance,
the condition of the published fallers' values (clinical.md: 10.3 cm², AP 2.9 cm/s,
ML 3.4 cm/s; ``GaitConfig.fallers_*``), uses only the stance foot's COP and needs no assumed
width. Those reference values are settings for the dashboard to show next to the result; no
alert is raised on them.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np
from scipy import signal, stats
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from analysis.config import GaitConfig
from analysis.load import FootLoad
from analysis.sites import FEET

#: Probability content of the prediction ellipse.
ELLIPSE_PROBABILITY = 0.95


@dataclass(frozen=True)
class BalanceResult:
    """Sway measures of one quiet-standing interval (mm, s)."""

    path_length_mm: float
    mean_velocity_mm_s: float
    ap_velocity_mm_s: float
    ml_velocity_mm_s: float
    ellipse95_area_mm2: float
    duration_s: float
    n_samples: int
    feet: tuple[str, ...] = ()


def prediction_ellipse_scale(n: int, probability: float = ELLIPSE_PROBABILITY) -> float:
    """Squared Mahalanobis radius of the bivariate prediction ellipse for ``n`` samples."""
    if n <= 3:
        return float("nan")
    f = stats.f.ppf(probability, 2, n - 2)
    return float(2.0 * (n - 1) * (n + 1) / (n * (n - 2)) * f)


def ellipse95_area_mm2(cop_mm: np.ndarray) -> float:
    """Area of the 95% prediction ellipse of the finite COP samples (Schubert & Kirchner 2014)."""
    c = np.asarray(cop_mm, dtype=np.float64)
    c = c[np.isfinite(c).all(axis=1)]
    n = c.shape[0]
    if n <= 3:
        return float("nan")
    cov = np.cov(c, rowvar=False)
    det = max(float(np.linalg.det(cov)), 0.0)
    return float(np.pi * prediction_ellipse_scale(n) * np.sqrt(det))


def _path(cop: np.ndarray) -> tuple[float, float, float]:
    """Path length, sum |dx| and sum |dy| over consecutive finite samples."""
    d = np.diff(cop, axis=0)
    d = d[np.isfinite(d).all(axis=1)]
    return (
        float(np.hypot(d[:, 0], d[:, 1]).sum()),
        float(np.abs(d[:, 0]).sum()),
        float(np.abs(d[:, 1]).sum()),
    )


@functools.lru_cache(maxsize=32)
def _butter_sos(cutoff_hz: float, rate_hz: float) -> np.ndarray:
    """The low-pass design, made once per (cutoff, rate): a recording has many standing spells."""
    return signal.butter(4, cutoff_hz, fs=rate_hz, output="sos")


def lowpass_cop(cop_mm: np.ndarray, time_s: np.ndarray, cutoff_hz: float) -> np.ndarray:
    """Zero-phase 4th-order Butterworth low-pass of each finite run of a COP trajectory.

    Runs too short to filter (under three filter lengths) are kept as they are; NaNs stay.
    """
    cop = np.array(cop_mm, dtype=np.float64)
    t = np.asarray(time_s, dtype=np.float64)
    if t.size < 2 or not cutoff_hz > 0:
        return cop
    rate_hz = 1.0 / float(np.median(np.diff(t)))
    if cutoff_hz >= 0.5 * rate_hz:
        return cop
    sos = _butter_sos(float(cutoff_hz), rate_hz)
    ok = np.isfinite(cop).all(axis=1)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.view(np.int8), [0]])))
    pad = 3 * (2 * sos.shape[0] + 1)
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if b - a > pad:
            cop[a:b] = signal.sosfiltfilt(sos, cop[a:b], axis=0)
    return cop


def static_balance(
    cop_mm: np.ndarray, time_s: np.ndarray, *, lowpass_hz: float | None = None
) -> BalanceResult:
    """Sway measures of one COP trajectory ``cop_mm`` (n, 2: x = ML, y = AP) at ``time_s``.

    Samples with a NaN COP are skipped (the path is not bridged across them). Duration is
    ``time_s[-1] - time_s[0]``. ``lowpass_hz`` (``GaitConfig.cop_lowpass_hz`` in the
    pipeline) filters the trajectory first, as posturography does (Prieto 1996).
    """
    cop = np.asarray(cop_mm, dtype=np.float64)
    t = np.asarray(time_s, dtype=np.float64)
    if cop.ndim != 2 or cop.shape[1] != 2 or cop.shape[0] != t.size:
        raise ValueError(
            f"cop_mm must be (n, 2) with n = len(time_s) = {t.size}, found {cop.shape}"
        )
    if lowpass_hz:
        cop = lowpass_cop(cop, t, lowpass_hz)
    duration = float(t[-1] - t[0]) if t.size > 1 else 0.0
    path, sx, sy = _path(cop)
    per_s = 1.0 / duration if duration > 0 else float("nan")
    return BalanceResult(
        path_length_mm=path,
        mean_velocity_mm_s=path * per_s,
        ap_velocity_mm_s=sy * per_s,
        ml_velocity_mm_s=sx * per_s,
        ellipse95_area_mm2=ellipse95_area_mm2(cop),
        duration_s=duration,
        n_samples=int(np.isfinite(cop).all(axis=1).sum()),
    )


def foot_offset_mm(foot: str, stance_width_mm: float) -> np.ndarray:
    """Where a foot's insole origin sits in the combined two-foot frame (x, y) in mm."""
    half = 0.5 * stance_width_mm
    return np.array([-half if foot == "left" else half, 0.0])


def combined_cop_mm(
    loads: dict[str, FootLoad], *, stance_width_mm: float, sl: slice = slice(None)
) -> np.ndarray:
    """Load-weighted mean COP of the feet in ``loads`` with the feet ``stance_width_mm`` apart.

    A foot with NaN COP (unloaded) contributes nothing; NaN where no foot is loaded.
    """
    num = None
    den = None
    for foot in FEET:
        if foot not in loads:
            continue
        fl = loads[foot]
        w = np.asarray(fl.total[sl], dtype=np.float64)
        c = np.asarray(fl.cop_mm[sl], dtype=np.float64) + foot_offset_mm(foot, stance_width_mm)
        ok = np.isfinite(c).all(axis=1) & np.isfinite(w) & (w > 0)
        w = np.where(ok, w, 0.0)
        c = np.where(ok[:, None], c, 0.0)
        num = c * w[:, None] if num is None else num + c * w[:, None]
        den = w if den is None else den + w
    if num is None:
        raise ValueError("combined_cop_mm: no foot in loads")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den[:, None]
    out[~(den > 0)] = np.nan
    return out


def balance_of_interval(
    time_s: np.ndarray,
    loads: dict[str, FootLoad],
    interval_s: tuple[float, float],
    *,
    config: GaitConfig,
) -> BalanceResult:
    """Sway measures of one quiet-standing interval (see the module docstring for two feet).

    The feet that are loaded in the interval (median load above zero and a finite COP in most
    samples) take part; one foot gives the one-leg stance measures directly.
    """
    t = np.asarray(time_s, dtype=np.float64)
    i0, i1 = np.searchsorted(t, [interval_s[0], interval_s[1]], side="left")
    i1 = min(int(i1) + 1, t.size)
    sl = slice(int(i0), i1)
    tt = t[sl]
    feet = []
    shares = []
    results = []
    for foot in FEET:
        if foot not in loads:
            continue
        cop = loads[foot].cop_mm[sl]
        if np.isfinite(cop).all(axis=1).mean() < 0.5:
            continue
        feet.append(foot)
        shares.append(float(np.nanmean(loads[foot].total[sl])))
        results.append(static_balance(cop, tt, lowpass_hz=config.cop_lowpass_hz))
    if not feet:
        raise ValueError(f"no loaded foot between {interval_s[0]:.2f} and {interval_s[1]:.2f} s")
    if len(feet) == 1:
        return dataclasses.replace(results[0], feet=tuple(feet))
    w = np.asarray(shares) / np.sum(shares)
    comb = lowpass_cop(
        combined_cop_mm({f: loads[f] for f in feet}, stance_width_mm=config.stance_width_mm,
                        sl=sl),
        tt,
        config.cop_lowpass_hz,
    )

    def mix(name: str) -> float:
        return float(sum(wi * getattr(r, name) for wi, r in zip(w, results, strict=True)))

    duration = float(tt[-1] - tt[0]) if tt.size > 1 else 0.0
    return BalanceResult(
        path_length_mm=mix("path_length_mm"),
        mean_velocity_mm_s=mix("mean_velocity_mm_s"),
        ap_velocity_mm_s=mix("ap_velocity_mm_s"),
        ml_velocity_mm_s=mix("ml_velocity_mm_s"),
        ellipse95_area_mm2=ellipse95_area_mm2(comb),
        duration_s=duration,
        n_samples=int(np.isfinite(comb).all(axis=1).sum()),
        feet=tuple(feet),
    )


def reference_load(total: np.ndarray) -> float:
    """A foot's reference load: the 99th percentile of its finite total load.

    Same reference as :func:`analysis.load.foot_load` uses for its COP cut-off; estimated from
    at most about 200,000 evenly spaced samples, which moves a 99th percentile by well under
    1% and keeps a 10-hour recording cheap.
    """
    a = np.asarray(total)
    step = max(1, a.size // 200_000)
    sub = a[::step]
    sub = sub[np.isfinite(sub)]
    return float(np.percentile(sub, 99)) if sub.size else 0.0


#: Quiet-standing detection looks at the recording every QUIET_STEP_S (10 Hz): a step cannot
#: hide between two looks, since a swing lasts longer (GaitConfig.min_swing_s = 0.15 s), and
#: quiet-stance sway is far slower. Ten times less work on a 100 Hz recording.
QUIET_STEP_S = 0.1


def _window_range(x: np.ndarray, size: int) -> np.ndarray:
    """max - min over a centred window of ``size`` samples (NaN-free input)."""
    return maximum_filter1d(x, size, mode="nearest") - minimum_filter1d(x, size, mode="nearest")


def find_quiet_standing(
    time_s: np.ndarray,
    loads: dict[str, FootLoad],
    *,
    sample_rate_hz: float,
    config: GaitConfig,
) -> np.ndarray:
    """Intervals of quiet standing as an (m, 2) array of [start_s, end_s].

    Per sample, the posture is "both feet" (every insole foot loaded above
    ``quiet_loaded_fraction`` of its reference load, see :func:`reference_load`) or "one foot"
    (one foot loaded, the other below ``quiet_unloaded_fraction``). Standing is quiet where,
    over a centred window of ``quiet_window_s``, the posture stays the same and each loaded
    foot's COP stays within ``quiet_max_cop_range_mm`` in x and in y (a step unloads a foot
    and changes the posture; a weight shift or a turn moves the COP). Runs of quiet standing
    in one posture lasting at least ``quiet_min_duration_s`` are returned. The recording is
    examined every ``QUIET_STEP_S`` (0.1 s), so interval edges are exact to about 0.1 s.
    """
    t_full = np.asarray(time_s, dtype=np.float64)
    feet = [f for f in FEET if f in loads]
    if t_full.size == 0 or not feet:
        return np.empty((0, 2))
    b = max(round(QUIET_STEP_S * sample_rate_hz), 1)
    t = t_full[::b]
    n = t.size
    win = max(round(config.quiet_window_s * sample_rate_hz / b), 1)
    loaded = {}
    unloaded = {}
    for foot in feet:
        full = np.asarray(loads[foot].total)
        ref = reference_load(full)
        total = full[::b]
        with np.errstate(invalid="ignore"):
            loaded[foot] = (total > config.quiet_loaded_fraction * ref) & (ref > 0)
            unloaded[foot] = total < config.quiet_unloaded_fraction * ref
    # posture code: 0 none, 1 both feet, 2 left only, 3 right only
    posture = np.zeros(n, dtype=np.int8)
    if len(feet) == 2:
        posture[loaded["left"] & loaded["right"]] = 1
        posture[loaded["left"] & unloaded["right"]] = 2
        posture[loaded["right"] & unloaded["left"]] = 3
    else:
        posture[loaded[feet[0]]] = 2 if feet[0] == "left" else 3
    # the posture must hold over the whole window
    steady = (_window_range(posture, win) == 0) & (posture > 0)
    for foot in feet:
        cop = np.asarray(loads[foot].cop_mm[::b], dtype=np.float64)
        bad = np.isnan(cop).any(axis=1)
        bad_win = maximum_filter1d(bad.astype(np.int8), win, mode="nearest") > 0
        ok = ~bad_win
        for axis in (0, 1):
            c = np.where(bad, 0.0, cop[:, axis])
            ok &= _window_range(c, win) <= config.quiet_max_cop_range_mm
        # a foot that must be loaded keeps its COP within range; an unloaded foot (NaN COP)
        # is judged by the posture alone
        steady &= ~loaded[foot] | ok
    code = np.where(steady, posture, 0).astype(np.int8)
    change = np.flatnonzero(np.diff(code) != 0) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [n]])
    keep = code[starts] > 0
    starts, ends = starts[keep], ends[keep]
    if starts.size == 0:
        return np.empty((0, 2))
    t0 = t[starts]
    t1 = t_full[np.minimum(ends * b, t_full.size) - 1]
    long_enough = (t1 - t0) >= config.quiet_min_duration_s
    return np.column_stack([t0[long_enough], t1[long_enough]])
