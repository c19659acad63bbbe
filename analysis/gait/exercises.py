"""Repetitions of foot exercises that self-care guidance recommends, seen in insole pressure.

* Calf raise: the heel leaves the ground while the forefoot stays loaded, then comes back down.
* Toe lift: the forefoot leaves the ground while the heel stays loaded, then comes back down.

(clinical.md, "Exercises from self-care guidance that the insoles can recognise".)

Per foot and sample the heel share ``heel / (heel + forefoot)`` is computed from the layout's
regions (heel sensors vs. mth1, mth3, mth5, hallux and toes; midfoot sensors take no part),
with sensor values turned into force (kPa x sensor area) where the stream is in kPa. Each
sample is then one of

* unloaded: foot load below ``exercise_loaded_fraction`` of its reference load (99th
  percentile, :func:`analysis.gait.balance.reference_load`),
* flat: loaded and ``flat_heel_share_min <= heel share <= 1 - flat_heel_share_min``,
* raised: loaded and heel share below ``raised_heel_share_max`` (heel up),
* lifted: loaded and heel share above ``1 - lifted_forefoot_share_max`` (forefoot up),
* in between (the movement itself, or NaN): ignored.

A repetition is a raised (or lifted) phase of at least ``exercise_min_hold_s`` that follows a
flat phase and returns to a flat phase. Walking does not count: push-off has the heel up with
the forefoot loaded, but it ends in swing (unloaded), not flat; heel strike has the forefoot up
but comes out of swing. Repetitions of the two feet that overlap in time are one repetition
done with both feet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.config import GaitConfig
from analysis.gait.balance import reference_load
from analysis.load import FootLoad, foot_load
from analysis.streams import PressureStream

#: Regions that make up the forefoot for exercise recognition.
FOREFOOT_REGIONS = ("mth1", "mth3", "mth5", "hallux", "toes")
HEEL_REGIONS = ("heel",)

_UNLOADED, _FLAT, _RAISED, _LIFTED, _BETWEEN = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Repetition:
    """One repetition: from leaving flat stance to being flat again.

    ``hold_s`` is the time spent fully raised (or lifted). ``peak_forefoot_share`` is the
    extreme forefoot share of heel + forefoot load during the repetition over the feet
    involved: the largest for a calf raise (near 1), the smallest for a toe lift (near 0).
    """

    start_s: float
    end_s: float
    hold_s: float
    feet: tuple[str, ...]
    peak_forefoot_share: float


def _region_weights(stream: PressureStream) -> np.ndarray:
    """(k, 2) weights giving heel and forefoot force from one foot's sensor values."""
    layout = stream.layout
    regions = layout.region_sensors()
    heel = [i for r in HEEL_REGIONS for i in regions.get(r, ())]
    fore = [i for r in FOREFOOT_REGIONS for i in regions.get(r, ())]
    if not heel or not fore:
        raise ValueError(
            f"layout {layout.name!r} needs heel and forefoot sensors to recognise exercises; "
            f"it has regions {sorted(regions)}"
        )
    scale = np.ones(layout.n_sensors)
    if stream.unit == "kPa" and layout.sensor_area_mm2 is not None:
        scale = layout.sensor_area_mm2 / 1000.0
    w = np.zeros((layout.n_sensors, 2))
    w[heel, 0] = scale[heel]
    w[fore, 1] = scale[fore]
    return w


def _foot_states(
    values: np.ndarray, load: FootLoad, weights: np.ndarray, config: GaitConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample state code and heel share of one foot."""
    hf = values @ weights.astype(values.dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        heel_share = hf[:, 0] / (hf[:, 0] + hf[:, 1])
    del hf
    total = load.total
    ref = reference_load(total)
    thr = config.exercise_loaded_fraction * ref
    state = np.full(total.shape, _BETWEEN, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        loaded = (total > thr) & (ref > 0)
        state[total <= thr] = _UNLOADED
        state[loaded & (heel_share >= config.flat_heel_share_min)
              & (heel_share <= 1.0 - config.flat_heel_share_min)] = _FLAT
        state[loaded & (heel_share < config.raised_heel_share_max)] = _RAISED
        state[loaded & (heel_share > 1.0 - config.lifted_forefoot_share_max)] = _LIFTED
    return state, heel_share


def _foot_repetitions(
    state: np.ndarray, heel_share: np.ndarray, t: np.ndarray, target: int, min_hold_s: float
) -> np.ndarray:
    """(m, 4) array: start_s, end_s, hold_s, peak forefoot share of one foot's repetitions."""
    kept = np.flatnonzero(state != _BETWEEN)
    if kept.size == 0:
        return np.empty((0, 4))
    s = state[kept]
    change = np.flatnonzero(np.diff(s) != 0) + 1
    r0 = np.concatenate([[0], change])  # run starts (compressed index)
    r1 = np.concatenate([change, [s.size]]) - 1  # run ends, inclusive
    code = s[r0]
    inner = np.arange(1, code.size - 1)
    hit = inner[
        (code[inner] == target) & (code[inner - 1] == _FLAT) & (code[inner + 1] == _FLAT)
    ]
    if hit.size == 0:
        return np.empty((0, 4))
    first = kept[r0[hit]]
    last = kept[r1[hit]]
    hold = t[last] - t[first]
    ok = hold >= min_hold_s
    hit, first, last, hold = hit[ok], first[ok], last[ok], hold[ok]
    if hit.size == 0:
        return np.empty((0, 4))
    start = t[kept[r1[hit - 1]]]  # last flat sample before
    end = t[kept[r0[hit + 1]]]  # first flat sample after
    seg = np.column_stack([first, last + 1]).ravel()
    hs = np.nan_to_num(heel_share[first[0] : last[-1] + 1], nan=np.inf if target == _RAISED
                       else -np.inf)
    seg = seg - first[0]
    if target == _RAISED:
        extreme = np.minimum.reduceat(hs, seg[:-1])[::2]
    else:
        extreme = np.maximum.reduceat(hs, seg[:-1])[::2]
    return np.column_stack([start, end, hold, 1.0 - extreme])


def _merge_feet(per_foot: dict[str, np.ndarray], target: int) -> list[Repetition]:
    """Repetitions of both feet overlapping in time become one two-foot repetition."""
    items = [
        (float(r[0]), float(r[1]), float(r[2]), foot, float(r[3]))
        for foot, reps in per_foot.items()
        for r in reps
    ]
    items.sort()
    out: list[Repetition] = []
    for start, end, hold, foot, peak in items:
        if out and start < out[-1].end_s and foot not in out[-1].feet:
            prev = out[-1]
            better = max if target == _RAISED else min
            out[-1] = Repetition(
                start_s=min(prev.start_s, start),
                end_s=max(prev.end_s, end),
                hold_s=max(prev.hold_s, hold),
                feet=tuple(f for f in ("left", "right") if f in (*prev.feet, foot)),
                peak_forefoot_share=better(prev.peak_forefoot_share, peak),
            )
        else:
            out.append(Repetition(start, end, hold, (foot,), peak))
    return out


def count_exercises(
    stream: PressureStream,
    config: GaitConfig,
    *,
    loads: dict[str, FootLoad] | None = None,
) -> dict[str, Any]:
    """Calf raises and toe lifts in ``stream``.

    ``loads``: the stream's :func:`analysis.load.foot_load` result, if already computed.
    Returns ``{"calf_raises": [Repetition], "toe_lifts": [Repetition], "n_calf_raises": int,
    "n_toe_lifts": int, "n_calf_raises_both_feet": int, "n_calf_raises_one_foot": int}``.
    """
    if loads is None:
        loads = foot_load(stream)
    weights = _region_weights(stream)
    t = np.asarray(stream.time_s, dtype=np.float64)
    raises: dict[str, np.ndarray] = {}
    lifts: dict[str, np.ndarray] = {}
    for foot in stream.feet():
        state, heel_share = _foot_states(stream.foot(foot), loads[foot], weights, config)
        raises[foot] = _foot_repetitions(state, heel_share, t, _RAISED,
                                         config.exercise_min_hold_s)
        lifts[foot] = _foot_repetitions(state, heel_share, t, _LIFTED,
                                        config.exercise_min_hold_s)
    calf = _merge_feet(raises, _RAISED)
    toe = _merge_feet(lifts, _LIFTED)
    both = sum(1 for r in calf if len(r.feet) == 2)
    return {
        "calf_raises": calf,
        "toe_lifts": toe,
        "n_calf_raises": len(calf),
        "n_toe_lifts": len(toe),
        "n_calf_raises_both_feet": both,
        "n_calf_raises_one_foot": len(calf) - both,
    }
