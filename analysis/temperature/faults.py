"""Sensor faults of a temperature stream: found per foot and site, excluded with a reason.

A fault is never an alert: its samples are simply left out of every comparison, and the fault is
reported so the wearer or a technician can fix the insole. Kinds:

* ``out_of_range``: outside ``fault_low_c``..``fault_high_c`` (not skin).
* ``disconnected``: a site missing for ``fault_gap_min`` while other sites of the same insole
  report, or a jump of ``fault_rail_jump_c`` to a value that then stays flat (a rail).
* ``stuck``: not one ``sensor_resolution_c`` step of change for ``fault_stuck_min`` (and at least 12
  samples) while most other sites of the same insole vary.
* ``spiky``: single samples ``fault_spike_c`` away from the median of their 5 neighbours
  (sampling at least every 75 s).
* ``noisy``: mean |second difference| over 10 minutes above ``fault_noise_c``.

Everything is vectorised over (samples x 12 channels); scipy's running min/max/median filters
keep it linear in the number of samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from analysis.config import TemperatureConfig
from analysis.sites import FEET, SITES
from analysis.streams import TemperatureStream
from analysis.temperature._signal import (
    run_duration_filter,
    runs_2d,
    sample_period_s,
    samples_for,
)

KINDS = ("out_of_range", "disconnected", "stuck", "spiky", "noisy")
#: Fault stretches of one kind closer than this are reported as one.
MERGE_GAP_S = 600.0
NOISE_WINDOW_S = 600.0
#: A flat stretch must span at least this many samples to be called stuck (with slow sampling,
#: e.g. one reading per 15 min, four noisy readings within one sensor step happen by chance).
MIN_STUCK_SAMPLES = 12
#: Spikes are only judged at sample periods up to this (5 samples within 5 minutes).
SPIKE_MAX_PERIOD_S = 75.0


@dataclass(frozen=True)
class SensorFault:
    """One stretch of one kind of fault at one foot and site; ``start_s``/``end_s`` in stream
    seconds (end = time of the last faulty sample)."""

    foot: str
    site: str
    kind: str
    start_s: float
    end_s: float
    reason: str


@dataclass(frozen=True, eq=False)
class FaultResult:
    """``valid[sample, foot, site]``: finite and not faulty. ``faults``: what was excluded."""

    valid: np.ndarray
    faults: list[SensorFault]
    fault_mask: dict[str, np.ndarray]


def _ffill(x: np.ndarray) -> np.ndarray:
    """Forward-fill NaNs along axis 0 (leading NaNs: the column's first finite value)."""
    n, k = x.shape
    fin = np.isfinite(x)
    idx = np.where(fin, np.arange(n)[:, None], -1)
    idx = np.maximum.accumulate(idx, axis=0)
    first = np.argmax(fin, axis=0)
    idx = np.where(idx < 0, first[None, :], idx)
    out = x[idx, np.arange(k)[None, :]]
    return np.where(np.isfinite(out), out, 0.0)


def _med3(p: np.ndarray, q: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.maximum(np.minimum(p, q), np.minimum(np.maximum(p, q), r))


def _running_median5(x: np.ndarray) -> np.ndarray:
    """Median of each sample and its 2+2 neighbours along axis 0 (the two samples at each end
    are their own median), with a min/max network: much faster than a general running median."""
    n = x.shape[0]
    out = x.copy()
    a, b, e, c, d = (x[k:n - 4 + k] for k in range(5))
    f = np.maximum(np.minimum(a, b), np.minimum(c, d))
    g = np.minimum(np.maximum(a, b), np.maximum(c, d))
    out[2:n - 2] = _med3(e, f, g)
    return out


def detect_faults(stream: TemperatureStream, config: TemperatureConfig) -> FaultResult:
    """Find sensor faults; return the valid-sample mask and the fault list (pure)."""
    t = stream.time_s
    n = t.size
    nf, ns = len(FEET), len(SITES)
    v = stream.values_c.reshape(n, nf * ns).astype(np.float64, copy=False)
    fin = np.isfinite(v)
    empty = {k: np.zeros((n, nf * ns), dtype=bool) for k in KINDS}
    if n == 0:
        return FaultResult(np.zeros((0, nf, ns), bool), [], {
            k: m.reshape(0, nf, ns) for k, m in empty.items()})
    period = sample_period_s(t)
    res = config.sensor_resolution_c
    vf = v if fin.all() else _ffill(v)
    masks = empty

    masks["out_of_range"] = fin & ((v < config.fault_low_c) | (v > config.fault_high_c))

    # Spikes: far from the running median of 5 samples. Only judged when 5 samples span a few
    # minutes (period <= SPIKE_MAX_PERIOD_S): with slower sampling a brief real excursion (shoe
    # off for 15 minutes) looks the same. A spike needs a big step into it: skip the filter
    # when there is none.
    if (n >= 5 and period <= SPIKE_MAX_PERIOD_S
            and (np.abs(np.diff(vf, axis=0)) > config.fault_spike_c).any()):
        med5 = _running_median5(vf)
        masks["spiky"] = fin & (np.abs(vf - med5) > config.fault_spike_c)
        clean = np.where(masks["spiky"], med5, vf)
    else:
        clean = vf

    # Rails: a big jump into a flat run of at least 2 samples.
    jump = np.zeros((n, nf * ns), dtype=bool)
    if n >= 2:
        step = np.abs(np.diff(clean, axis=0))
        jump[1:] = (step > config.fault_rail_jump_c) & fin[1:]
    if jump.any():
        link = np.zeros((n, nf * ns), dtype=bool)
        link[1:] = (step <= res) & fin[1:] & fin[:-1]
        seg_start = np.maximum.accumulate(np.where(~link, np.arange(n)[:, None], 0), axis=0)
        seg_id = (np.cumsum(~link, axis=0) + np.arange(nf * ns)[None, :] * (n + 1)).ravel()
        seg_len = np.bincount(seg_id)[seg_id].reshape(n, nf * ns)
        cols = np.arange(nf * ns)[None, :]
        masks["disconnected"] = fin & jump[seg_start, cols] & (seg_len >= 2)

    # Missing while the rest of the insole reports.
    missing = ~fin
    others = fin.reshape(n, nf, ns).any(axis=2)  # (n, feet)
    missing &= np.repeat(others, ns, axis=1)
    gaps = run_duration_filter(missing, t, config.fault_gap_min * 60.0, period)
    masks["disconnected"] |= gaps

    # Stuck and noisy are judged on one-minute blocks (block min/max/mean), which keeps
    # hour-long running windows cheap at 1 Hz; the result is expanded back to samples.
    bsz = max(1, round(60.0 / period))
    nb = -(-n // bsz)
    pad = nb * bsz - n

    def blocks(x: np.ndarray) -> np.ndarray:
        if pad:
            x = np.concatenate([x, np.repeat(x[-1:], pad, axis=0)])
        return x.reshape(nb, bsz, x.shape[1])

    def expand(b: np.ndarray) -> np.ndarray:
        return np.repeat(b, bsz, axis=0)[:n]

    cb = blocks(clean)
    fin_b = blocks(fin.astype(np.float64)).mean(axis=1)
    bmin, bmax = cb.min(axis=1), cb.max(axis=1)

    # Stuck: flat over the window while most other sites of the same insole vary (a quiet
    # room at night keeps every site flat: that is the environment, not a fault), with the
    # window mostly covered by real samples (forward-filled gaps are not "flat"). Once seen,
    # the whole flat stretch around it is stuck, also where the other sites rest.
    # (At least MIN_STUCK_SAMPLES samples: a few slow samples can agree by chance.)
    w = max(samples_for(config.fault_stuck_min * 60.0, period * bsz),
            -(-MIN_STUCK_SAMPLES // bsz))
    if nb >= w and w >= 3:
        rng = (ndimage.maximum_filter1d(bmax, size=w, axis=0, mode="nearest")
               - ndimage.minimum_filter1d(bmin, size=w, axis=0, mode="nearest"))
        cover = ndimage.uniform_filter1d(fin_b, size=w, axis=0, mode="nearest")
        # Flat = not one step of change (a steady real sensor still toggles between two
        # adjacent steps; a stuck one repeats the same value).
        flat = (rng < 0.5 * res) & (cover >= 0.8)
        vary = (rng > 4 * res) & (cover >= 0.8)
        per_foot = vary.reshape(nb, nf, ns)
        others = (per_foot.sum(axis=2, keepdims=True) - per_foot).reshape(nb, nf * ns)
        centre = flat & (others * 2 >= ns - 1)
        if centre.any():
            spread = ndimage.maximum_filter1d(flat.astype(np.uint8), size=w, axis=0,
                                              mode="constant").astype(bool)
            col, a, b = runs_2d(spread)
            hits = np.concatenate([np.zeros((1, nf * ns), np.int64),
                                   np.cumsum(centre, axis=0)])
            keep = hits[b, col] - hits[a, col] > 0
            marks = np.zeros((nb + 1, nf * ns), dtype=np.int32)
            np.add.at(marks, (a[keep], col[keep]), 1)
            np.add.at(marks, (b[keep], col[keep]), -1)
            stuck = np.cumsum(marks, axis=0)[:-1] > 0
            masks["stuck"] = expand(stuck) & fin & ~masks["disconnected"]

    # Noise: mean |second difference| (spikes removed, clipped) over 10 minutes.
    wn = samples_for(NOISE_WINDOW_S, period * bsz)
    if n >= 3 and NOISE_WINDOW_S / period >= 5:
        d2 = np.zeros_like(clean)
        d2[1:-1] = np.abs(clean[2:] - 2 * clean[1:-1] + clean[:-2])
        d2 = np.minimum(d2, 4 * config.fault_noise_c)
        d2[~fin] = 0.0
        level = ndimage.uniform_filter1d(blocks(d2).mean(axis=1), size=wn, axis=0,
                                         mode="nearest")
        masks["noisy"] = fin & expand(level > config.fault_noise_c)

    bad = np.zeros((n, nf * ns), dtype=bool)
    for k in KINDS:
        bad |= masks[k]
    valid = (fin & ~bad).reshape(n, nf, ns)
    faults = _describe(masks, v, t, period)
    return FaultResult(valid, faults, {k: m.reshape(n, nf, ns) for k, m in masks.items()})


def _describe(
    masks: dict[str, np.ndarray], v: np.ndarray, t: np.ndarray, period: float
) -> list[SensorFault]:
    out: list[SensorFault] = []
    ns = len(SITES)
    for kind in KINDS:
        m = masks[kind]
        if not m.any():
            continue
        # Report nearby stretches as one: close the short gaps between them.
        long_gap = run_duration_filter(~m, t, MERGE_GAP_S, period)
        idx = np.arange(t.size)[:, None]
        any_m = m.any(axis=0)
        first = np.where(any_m, np.argmax(m, axis=0), t.size)
        last = np.where(any_m, t.size - 1 - np.argmax(m[::-1], axis=0), -1)
        closed = ~long_gap & (idx >= first[None, :]) & (idx <= last[None, :])
        col, start, stop = runs_2d(closed)
        for c, a, b in zip(col, start, stop, strict=True):
            foot, site = FEET[c // ns], SITES[c % ns]
            seg = v[a:b, c]
            n_bad = int(m[a:b, c].sum())
            minutes = (t[b - 1] - t[a] + period) / 60.0
            out.append(SensorFault(foot, site, kind, float(t[a]), float(t[b - 1]),
                                   _reason(kind, foot, site, seg, n_bad, minutes)))
    out.sort(key=lambda f: (f.start_s, f.foot, f.site, f.kind))
    return out


def _reason(kind: str, foot: str, site: str, seg: np.ndarray, n_bad: int, minutes: float) -> str:
    where = f"{foot} {site}"
    fin = seg[np.isfinite(seg)]
    span = f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"
    if kind == "out_of_range":
        return (f"{where}: {n_bad} readings outside the range skin can have "
                f"({fin.min():.1f}..{fin.max():.1f} °C) over {span}; sensor fault, excluded")
    if kind == "disconnected":
        if fin.size:
            return (f"{where}: sensor jumped to {float(np.median(fin)):.2f} °C and stayed there "
                    f"or dropped out ({span}); looks disconnected, excluded")
        return f"{where}: no readings for {span} while the rest of the insole reported; " \
               "looks disconnected"
    if kind == "stuck":
        return (f"{where}: reading stuck at {float(np.median(fin)):.2f} °C for {span} while "
                "the other sensors changed; excluded")
    if kind == "spiky":
        return f"{where}: {n_bad} isolated jumps (spikes) within {span}; those readings excluded"
    return f"{where}: readings too noisy for {span} to compare; excluded"
