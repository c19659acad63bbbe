"""Initial and final foot contacts from the total load under each foot.

Method (clinical.md, gait section; every number is a :class:`~analysis.config.GaitConfig`
setting):

1. Low and high load levels (``threshold_low_percentile`` / ``threshold_high_percentile``) are
   estimated in consecutive windows of ``threshold_window_s`` and interpolated between window
   centres, so the thresholds follow baseline drift. Windows without steps (range below
   ``min_walking_range_fraction`` of the recording's range: standing, sitting) take the levels
   of the nearest windows with steps.
2. Two thresholds with hysteresis: a stance starts when the load rises above
   ``low + stance_on_fraction * (high - low)`` and ends when it falls below
   ``low + stance_off_fraction * (high - low)``.
3. Swings shorter than ``min_swing_s`` inside a stance are drop-outs and are filled; stances
   shorter than ``min_stance_s`` are noise and are removed.
4. Each initial contact is moved back from its threshold crossing to where the load first left
   the baseline: the last sample, within ``refine_window_s``, that is within
   ``baseline_tolerance_fraction`` of the range above the local minimum, or where the load rose
   more slowly than ``initial_contact_flat_fraction`` of the steepest rise of that loading (and
   than ``flat_slope_max_fraction_per_s``). Each final contact is moved forward in the same way
   to where the load is back at the baseline or has stopped falling
   (``final_contact_flat_fraction``). Contacts at the baseline level are timed to a fraction of
   a sample by linear interpolation (removes most quantisation jitter at 100 Hz). Timing never
   uses force peaks: on a double-hump stance curve the peak jumps between the humps.
5. Invalid samples (NaN, or gaps in the time base) are never bridged: a contact is reported
   only when the whole transition from the neighbouring phase is valid. Spans without valid
   data are reported in ``lost_intervals_s``.

All steps are vectorised over samples; Python loops run only over feet.

A foot without an insole has no entry in the dict returned by :func:`detect_events`; a foot
whose insole is present but never shows steps gets a :class:`FootEvents` with empty arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.config import GaitConfig
from analysis.load import FootLoad, foot_load
from analysis.sites import check_foot
from analysis.streams import PressureStream

#: Most samples used to estimate the levels of one window (the window is decimated above this;
#: percentiles of 500 samples are as good as those of 3,000 and six times cheaper).
_LEVEL_SAMPLES_PER_WINDOW = 500

# Phase codes of the hysteresis state machine.
_UNKNOWN, _SWING, _STANCE, _INVALID = -1, 0, 1, 2


@dataclass(frozen=True, eq=False)
class FootEvents:
    """Contacts of one foot, in seconds on the stream's time base.

    ``initial_contacts_s`` and ``final_contacts_s`` are sorted. ``thresholds`` records how they
    were found (median on/off thresholds in load units, the settings used).
    ``invalid_fraction`` is the share of samples without valid data; ``lost_intervals_s`` is an
    (m, 2) array of [start, end) spans without valid data (NaN runs, time gaps, a lost insole).
    """

    foot: str
    initial_contacts_s: np.ndarray
    final_contacts_s: np.ndarray
    thresholds: dict
    invalid_fraction: float
    lost_intervals_s: np.ndarray

    @property
    def n_steps(self) -> int:
        return int(self.initial_contacts_s.size)


def _runs(state: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run-length encoding: (starts, ends exclusive, values)."""
    change = np.flatnonzero(state[1:] != state[:-1]) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [state.size]))
    return starts, ends, state[starts]


def _merge_runs(
    starts: np.ndarray, vals: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keep = np.concatenate(([True], vals[1:] != vals[:-1]))
    starts = starts[keep]
    vals = vals[keep]
    ends = np.concatenate((starts[1:], [n]))
    return starts, ends, vals


def _lost_intervals(
    time_s: np.ndarray, invalid: np.ndarray, gap_after: np.ndarray, dt_s: float
) -> np.ndarray:
    """[start, end) spans of invalid samples plus gaps in the time base, merged and sorted."""
    n = time_s.size
    edges = np.diff(np.concatenate(([0], invalid.view(np.int8), [0])))
    s = np.flatnonzero(edges == 1)
    e = np.flatnonzero(edges == -1)  # exclusive
    t_end = np.concatenate((time_s, [time_s[-1] + dt_s])) if n else np.empty(0)
    spans = [np.column_stack((time_s[s], t_end[e]))] if s.size else []
    if gap_after.size:
        spans.append(np.column_stack((time_s[gap_after], time_s[gap_after + 1])))
    if not spans:
        return np.empty((0, 2))
    iv = np.concatenate(spans)
    iv = iv[np.argsort(iv[:, 0], kind="stable")]
    # merge overlapping or touching spans
    run_end = np.maximum.accumulate(iv[:, 1])
    new = np.concatenate(([True], iv[1:, 0] > run_end[:-1]))
    first = np.flatnonzero(new)
    last = np.concatenate((first[1:], [len(iv)])) - 1
    return np.column_stack((iv[first, 0], run_end[last]))


def _window_levels(
    x: np.ndarray, valid: np.ndarray, window_n: int, config: GaitConfig
) -> tuple[np.ndarray, np.ndarray] | None:
    """Low and high load level per sample, interpolated from windows; None without steps."""
    n = x.size
    window_n = max(4, min(window_n, n))
    step = max(1, window_n // _LEVEL_SAMPLES_PER_WINDOW)
    xv = x[::step][valid[::step]]  # decimated like the windows: same levels, cheaper
    if xv.size < 2:
        return None
    g_lo, g_hi = np.percentile(
        xv, [config.threshold_low_percentile, config.threshold_high_percentile]
    )
    global_range = float(g_hi - g_lo)
    if not global_range > 0:
        return None
    xs = x[::step]
    per = window_n // step
    nb = -(-xs.size // per)
    padded = np.full(nb * per, np.nan)
    padded[: xs.size] = xs
    blocks = np.sort(padded.reshape(nb, per), axis=1)  # NaN sort last
    count = per - np.isnan(blocks).sum(axis=1)
    rows = np.arange(nb)

    def level(pct: float) -> np.ndarray:
        k = np.floor(pct / 100.0 * np.maximum(count - 1, 0)).astype(np.int64)
        return blocks[rows, k]

    lo = level(config.threshold_low_percentile)
    hi = level(config.threshold_high_percentile)
    enough = count >= max(4, per // 4)
    walking = enough & (hi - lo >= config.min_walking_range_fraction * global_range)
    if not walking.any():
        return None
    centres = (rows + 0.5) * per * step
    idx = np.arange(n, dtype=np.float64)
    lo_s = np.interp(idx, centres[walking], lo[walking])
    hi_s = np.interp(idx, centres[walking], hi[walking])
    return lo_s, hi_s


def _crossing_time(
    t: np.ndarray,
    x: np.ndarray,
    at: np.ndarray,
    beyond: np.ndarray,
    level: np.ndarray,
    interpolate: np.ndarray,
) -> np.ndarray:
    """Time where the load crosses ``level`` between sample ``at`` (at or below it) and its
    neighbour ``beyond`` (above it), linearly interpolated; ``t[at]`` where not
    ``interpolate``. Sub-sample timing removes most of the quantisation jitter of a 100 Hz
    recording from swing and stance times."""
    xa = x[at]
    xb = x[beyond]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = (level - xa) / (xb - xa)
    ok = interpolate & np.isfinite(frac) & (frac >= 0) & (frac <= 1)
    out = t[at].astype(np.float64)
    out[ok] += frac[ok] * (t[beyond[ok]] - t[at[ok]])
    return out


def _empty(foot: str, thresholds: dict, invalid_fraction: float, lost: np.ndarray) -> FootEvents:
    return FootEvents(
        foot=foot,
        initial_contacts_s=np.empty(0),
        final_contacts_s=np.empty(0),
        thresholds=thresholds,
        invalid_fraction=invalid_fraction,
        lost_intervals_s=lost,
    )


def detect_foot_events(
    time_s: np.ndarray,
    total_force: np.ndarray,
    *,
    sample_rate_hz: float,
    foot: str,
    config: GaitConfig,
) -> FootEvents:
    """Initial and final contacts of one foot from its total load (NaN = invalid sample).

    ``total_force`` may be in N, kPa-weighted N or raw counts: every threshold is relative to
    the recording's own low and high load levels. See the module docstring for the method.
    """
    check_foot(foot)
    if not sample_rate_hz > 0:
        raise ValueError(f"sample_rate_hz must be positive, found {sample_rate_hz!r}")
    t = np.asarray(time_s, dtype=np.float64)
    x = np.array(total_force, dtype=np.float64)  # a copy: gap edges are set to NaN below
    if t.ndim != 1 or x.shape != t.shape:
        raise ValueError(
            f"{foot}: time_s and total_force must be 1-D of equal length, found shapes "
            f"{t.shape} and {x.shape}"
        )
    n = x.size
    dt_s = 1.0 / sample_rate_hz
    thresholds = {
        "stance_on_fraction": config.stance_on_fraction,
        "stance_off_fraction": config.stance_off_fraction,
        "threshold_window_s": config.threshold_window_s,
        "on_median": None,
        "off_median": None,
    }
    if n == 0:
        return _empty(foot, thresholds, 1.0, np.empty((0, 2)))
    # A gap in the time base (skipped rows, lost packets) is invalid data: its edge samples
    # become NaN so that no transition is ever timed across it.
    gap_after = np.flatnonzero(np.diff(t) > 1.5 * dt_s)
    x[gap_after] = np.nan
    x[gap_after + 1] = np.nan
    invalid = ~np.isfinite(x)
    valid = ~invalid
    invalid_fraction = float(invalid.mean())
    lost = _lost_intervals(t, invalid, gap_after, dt_s)

    window_n = round(config.threshold_window_s * sample_rate_hz)
    levels = _window_levels(x, valid, window_n, config)
    if levels is None:
        return _empty(foot, thresholds, invalid_fraction, lost)
    lo, hi = levels
    span = hi - lo
    on = lo + config.stance_on_fraction * span
    off = lo + config.stance_off_fraction * span
    thresholds["on_median"] = float(np.median(on))
    thresholds["off_median"] = float(np.median(off))

    # Hysteresis state machine, vectorised: each sample takes the code of the last sample
    # that was decisively above `on` (stance), below `off` (swing) or invalid.
    with np.errstate(invalid="ignore"):
        code = np.full(n, _UNKNOWN, dtype=np.int8)
        code[x > on] = _STANCE
        code[x < off] = _SWING
    code[invalid] = _INVALID
    last = np.where(code != _UNKNOWN, np.arange(n), 0)
    np.maximum.accumulate(last, out=last)
    state = code[last]  # leading undecided samples keep _UNKNOWN (code[0] is _UNKNOWN)

    starts, ends, vals = _runs(state)
    lengths = ends - starts
    # Minimum swing: a short swing between two stances is a drop-out inside one stance.
    prev_v = np.concatenate(([_UNKNOWN], vals[:-1]))
    next_v = np.concatenate((vals[1:], [_UNKNOWN]))
    short = (vals == _SWING) & (lengths < config.min_swing_s * sample_rate_hz)
    vals = vals.copy()
    vals[short & (prev_v == _STANCE) & (next_v == _STANCE)] = _STANCE
    vals[short & ~((prev_v == _STANCE) & (next_v == _STANCE))] = _UNKNOWN
    starts, ends, vals = _merge_runs(starts, vals, n)
    lengths = ends - starts
    # Minimum stance: a short stance between two swings is noise, not a step.
    prev_v = np.concatenate(([_UNKNOWN], vals[:-1]))
    next_v = np.concatenate((vals[1:], [_UNKNOWN]))
    short = (vals == _STANCE) & (lengths < config.min_stance_s * sample_rate_hz)
    between_swings = (prev_v == _SWING) & (next_v == _SWING)
    vals[short & between_swings] = _SWING
    vals[short & ~between_swings] = _UNKNOWN
    starts, ends, vals = _merge_runs(starts, vals, n)

    prev_v = np.concatenate(([_UNKNOWN], vals[:-1]))
    next_v = np.concatenate((vals[1:], [_UNKNOWN]))
    stance = vals == _STANCE
    ic_run = np.flatnonzero(stance & (prev_v == _SWING))
    fc_run = np.flatnonzero(stance & (next_v == _SWING))

    w = max(2, round(config.refine_window_s * sample_rate_hz))
    tol_level = config.baseline_tolerance_fraction * span

    # Initial contacts: from the up-crossing back, within the preceding swing run.
    ic_s = np.empty(0)
    if ic_run.size:
        c = starts[ic_run]
        floor = starts[ic_run - 1]  # first sample of the swing before
        k = np.arange(w + 1)
        idx = c[:, None] - k[None, :]  # column k = k samples before the crossing
        inside = idx >= floor[:, None]
        v = np.where(inside, x[np.clip(idx, 0, n - 1)], np.inf)
        level = v.min(axis=1) + tol_level[c]
        at_base = v <= level[:, None]
        rise = np.full_like(v, np.inf)
        with np.errstate(invalid="ignore"):  # inf - inf outside the window
            rise[:, :-2] = 0.5 * (v[:, :-2] - v[:, 2:])  # (x[j] - x[j-2]) / 2: less noisy
        finite_rise = np.where(np.isfinite(rise), rise, -np.inf)
        steepest = finite_rise.max(axis=1)
        slow_max = config.flat_slope_max_fraction_per_s * span[c] * dt_s
        slow = np.minimum(config.initial_contact_flat_fraction * steepest, slow_max)
        flat = rise < slow[:, None]
        cand = (at_base | flat) & inside
        cand[:, 0] = False  # the crossing sample itself is above the on threshold
        has = cand.any(axis=1)
        j = (c - np.argmax(cand, axis=1))[has]
        ic_s = _crossing_time(t, x, j, j + 1, level[has], x[j] <= level[has])
    # Final contacts: from the down-crossing forward, within the following swing run.
    fc_s = np.empty(0)
    if fc_run.size:
        c = ends[fc_run]  # first sample of the swing after
        ceil = ends[fc_run + 1]  # exclusive end of that swing
        back = w // 2  # the steepest fall is just before the crossing
        k = np.arange(-back, w + 1)
        idx = c[:, None] + k[None, :]
        after = (idx >= c[:, None]) & (idx < ceil[:, None])
        window = (idx >= starts[fc_run][:, None]) & (idx < ceil[:, None])
        xv = x[np.clip(idx, 0, n - 1)]
        v = np.where(after, xv, np.inf)
        level = v.min(axis=1) + tol_level[c]
        at_base = v <= level[:, None]
        fall = np.full(v.shape, -np.inf)
        fall[:, :-2] = np.where(
            window[:, :-2] & window[:, 2:], 0.5 * (xv[:, :-2] - xv[:, 2:]), -np.inf
        )
        steepest = fall.max(axis=1)
        slow_max = config.flat_slope_max_fraction_per_s * span[c] * dt_s
        slow = np.minimum(config.final_contact_flat_fraction * steepest, slow_max)
        flat = (fall < slow[:, None]) & np.isfinite(fall) & window
        cand = (at_base | flat) & after
        has = cand.any(axis=1)
        first = np.argmax(cand, axis=1)[has]
        j = c[has] + k[first]
        fc_s = _crossing_time(t, x, j, j - 1, level[has], at_base[has, first])
    return FootEvents(
        foot=foot,
        initial_contacts_s=ic_s,
        final_contacts_s=fc_s,
        thresholds=thresholds,
        invalid_fraction=invalid_fraction,
        lost_intervals_s=lost,
    )


def detect_events(
    stream: PressureStream,
    config: GaitConfig,
    loads: dict[str, FootLoad] | None = None,
) -> dict[str, FootEvents]:
    """Contacts of every foot that has an insole.

    ``loads`` is :func:`analysis.load.foot_load` of ``stream`` when the caller already has it
    (the pipeline computes loads once). A missing insole has no entry in the result; a missing
    foot never stops the other one.
    """
    if loads is None:
        loads = foot_load(stream)
    out: dict[str, FootEvents] = {}
    for foot in stream.feet():
        load = loads.get(foot)
        if load is None:
            continue
        out[foot] = detect_foot_events(
            stream.time_s,
            load.total,
            sample_rate_hz=stream.sample_rate_hz,
            foot=foot,
            config=config,
        )
    return out
