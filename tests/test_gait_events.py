"""Gait events, strides and bouts recovered from simulated force with known truth.

The simulated stance curve is the double hump of walking ground reaction force,
``sin(pi u) + 0.25 sin(3 pi u)`` over the stance (u from 0 to 1): a sharp rise at the initial
contact, two peaks around 25% and 75% of stance, a valley between, and back to zero at the
final contact. True contact times lie between samples; the detector must find them within a
sample or two, whatever the sample rate, drift, noise and gaps.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analysis.config import GaitConfig
from analysis.gait.events import detect_events, detect_foot_events
from analysis.gait.strides import build_strides
from analysis.gait.variability import gait_summary
from analysis.layouts import GAITNDD_1
from analysis.streams import PressureStream

CFG = GaitConfig()
BODY_N = 700.0
STEADY_STANCE_S = 0.8


@dataclasses.dataclass
class Walk:
    ic_s: np.ndarray
    fc_s: np.ndarray


def simulate_walk(
    rng: np.random.Generator,
    *,
    n_strides: int,
    stride_s: float = 1.1,
    stance_share: float = 0.62,
    cv: float = 0.02,
    t0_s: float = 1.0,
    strides_s: np.ndarray | None = None,
) -> tuple[Walk, Walk]:
    """True contacts of both feet: the right foot lags the left by half a stride."""
    if strides_s is None:
        strides_s = stride_s * (1.0 + cv * rng.standard_normal(n_strides))
    ic_left = t0_s + np.concatenate(([0.0], np.cumsum(strides_s)))
    stance_left = stance_share * np.concatenate((strides_s, [strides_s[-1]]))
    ic_right = ic_left[:-1] + 0.5 * strides_s
    stance_right = stance_share * strides_s
    left = Walk(ic_left, ic_left + stance_left)
    right = Walk(ic_right, ic_right + stance_right)
    return left, right


def force(
    time_s: np.ndarray, walk: Walk, rng: np.random.Generator, *, noise_n: float, drift_n: float
) -> np.ndarray:
    """Double-hump stance curves at the true contacts, plus slow drift and noise.

    A stance longer than ``STEADY_STANCE_S`` (standing between two steps) loads and unloads at
    walking speed and holds the mid-stance load in between, as a foot does.
    """
    k = np.searchsorted(walk.ic_s, time_s, side="right") - 1
    kc = np.clip(k, 0, walk.ic_s.size - 1)
    since = time_s - walk.ic_s[kc]
    until = walk.fc_s[kc] - time_s
    half = 0.5 * np.minimum(walk.fc_s[kc] - walk.ic_s[kc], STEADY_STANCE_S)
    u = np.where(
        since < half, since / (2 * half), np.where(until < half, 1 - until / (2 * half), 0.5)
    )
    inside = (k >= 0) & (since >= 0) & (until >= 0)
    f = np.where(inside, BODY_N * (np.sin(np.pi * u) + 0.25 * np.sin(3 * np.pi * u)), 0.0)
    span = time_s[-1] - time_s[0]
    f += drift_n * np.sin(2 * np.pi * (time_s - time_s[0]) / span)  # baseline drift
    f += noise_n * rng.standard_normal(time_s.size)
    return f


def nearest_error_s(found: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """For every true event, the signed distance to the nearest detected one."""
    j = np.clip(np.searchsorted(found, truth), 1, max(found.size - 1, 1))
    lo = found[j - 1]
    hi = found[np.minimum(j, found.size - 1)]
    return np.where(np.abs(hi - truth) < np.abs(lo - truth), hi - truth, lo - truth)


def recording(rate_hz: float, seconds: float) -> np.ndarray:
    return np.arange(round(seconds * rate_hz)) / rate_hz


@pytest.mark.parametrize("rate_hz", [50.0, 100.0, 200.0])
def test_contacts_recovered_within_two_samples_despite_drift_and_noise(rate_hz):
    rng = np.random.default_rng(int(rate_hz))
    left, _ = simulate_walk(rng, n_strides=60)
    t = recording(rate_hz, left.fc_s[-1] + 2.0)
    x = force(t, left, rng, noise_n=5.0, drift_n=80.0)
    ev = detect_foot_events(t, x, sample_rate_hz=rate_hz, foot="left", config=CFG)
    assert ev.initial_contacts_s.size == left.ic_s.size
    assert ev.final_contacts_s.size == left.fc_s.size
    dt = 1.0 / rate_hz
    assert np.max(np.abs(nearest_error_s(ev.initial_contacts_s, left.ic_s))) <= 2 * dt
    assert np.max(np.abs(nearest_error_s(ev.final_contacts_s, left.fc_s))) <= 2 * dt
    assert ev.invalid_fraction == 0.0
    assert ev.lost_intervals_s.shape == (0, 2)


def test_initial_contact_is_the_onset_not_the_peak():
    rng = np.random.default_rng(7)
    left, _ = simulate_walk(rng, n_strides=30, cv=0.0)
    t = recording(100.0, left.fc_s[-1] + 2.0)
    x = force(t, left, rng, noise_n=0.0, drift_n=0.0)
    ev = detect_foot_events(t, x, sample_rate_hz=100.0, foot="left", config=CFG)
    # the first hump peaks about 25% into stance (~170 ms): onsets must be far earlier
    err = nearest_error_s(ev.initial_contacts_s, left.ic_s)
    assert np.all(np.abs(err) <= 0.02)
    # strides of a perfectly regular walk come out regular (no peak jumping)
    assert np.std(np.diff(ev.initial_contacts_s)) < 0.005


def test_no_event_in_or_touching_invalid_spans():
    rng = np.random.default_rng(3)
    left, _ = simulate_walk(rng, n_strides=80)
    rate = 100.0
    t = recording(rate, left.fc_s[-1] + 2.0)
    x = force(t, left, rng, noise_n=5.0, drift_n=50.0)
    gaps = [(10.3, 11.9), (30.0, 30.45), (55.55, 58.0)]
    for a, b in gaps:
        x[(t >= a) & (t < b)] = np.nan
    ev = detect_foot_events(t, x, sample_rate_hz=rate, foot="left", config=CFG)
    lost = ev.lost_intervals_s
    assert lost.shape == (3, 2)
    assert np.allclose(lost, np.array(gaps), atol=1.5 / rate)
    found = np.concatenate((ev.initial_contacts_s, ev.final_contacts_s))
    for a, b in lost:
        assert not np.any((found >= a) & (found <= b)), "an event inside a lost span"
    # every detected event is a true one (nothing invented next to the gaps)
    assert np.all(np.abs(nearest_error_s(left.ic_s, ev.initial_contacts_s)) <= 2 / rate)
    assert np.all(np.abs(nearest_error_s(left.fc_s, ev.final_contacts_s)) <= 2 / rate)

    # and every true event away from the gaps is found
    def far(tt):
        return np.all([(tt < a - 0.4) | (tt > b + 0.4) for a, b in gaps], axis=0)

    truth_ic = left.ic_s[far(left.ic_s) & (left.ic_s < t[-1])]
    assert np.all(np.abs(nearest_error_s(ev.initial_contacts_s, truth_ic)) <= 2 / rate)
    assert ev.invalid_fraction == pytest.approx(
        sum(b - a for a, b in gaps) / t.size * rate, abs=0.002
    )


def test_minimum_stance_and_swing_respected():
    rng = np.random.default_rng(11)
    left, _ = simulate_walk(rng, n_strides=40, cv=0.0)
    rate = 200.0
    t = recording(rate, left.fc_s[-1] + 2.0)
    x = force(t, left, rng, noise_n=3.0, drift_n=0.0)
    # a 60 ms spike in the middle of every 5th swing (shorter than min_stance_s)
    for k in range(0, 39, 5):
        mid = 0.5 * (left.fc_s[k] + left.ic_s[k + 1])
        x[(t >= mid - 0.03) & (t < mid + 0.03)] += BODY_N
    # a 50 ms drop-out to zero in the middle of every 7th stance (shorter than min_swing_s)
    for k in range(3, 39, 7):
        mid = 0.5 * (left.ic_s[k] + left.fc_s[k])
        x[(t >= mid - 0.025) & (t < mid + 0.025)] = 0.0
    ev = detect_foot_events(t, x, sample_rate_hz=rate, foot="left", config=CFG)
    assert ev.initial_contacts_s.size == left.ic_s.size
    assert ev.final_contacts_s.size == left.fc_s.size
    stance = ev.final_contacts_s - ev.initial_contacts_s
    swing = ev.initial_contacts_s[1:] - ev.final_contacts_s[:-1]
    assert stance.min() >= CFG.min_stance_s
    assert swing.min() >= CFG.min_swing_s


def _stream(t, left, right, rate):
    return PressureStream(
        time_s=t,
        left=None if left is None else left[:, None],
        right=None if right is None else right[:, None],
        layout=GAITNDD_1,
        unit="N",
        sample_rate_hz=rate,
        source="simulated",
    )


def test_strides_stance_swing_double_support_match_truth():
    rng = np.random.default_rng(5)
    left, right = simulate_walk(rng, n_strides=50, cv=0.03)
    rate = 100.0
    t = recording(rate, left.fc_s[-1] + 2.0)
    s = _stream(
        t,
        force(t, left, rng, noise_n=4.0, drift_n=40.0),
        force(t, right, rng, noise_n=4.0, drift_n=-60.0),
        rate,
    )
    events = detect_events(s, CFG)
    tables = build_strides(events, CFG)
    tol = 2.5 / rate
    for foot, walk, other in (("left", left, right), ("right", right, left)):
        tab = tables[foot]
        assert len(tab) == walk.ic_s.size - 1
        assert np.allclose(tab.start_s, walk.ic_s[:-1], atol=tol)
        assert np.allclose(tab.stride_s, np.diff(walk.ic_s), atol=tol)
        assert np.allclose(tab.stance_s, walk.fc_s[:-1] - walk.ic_s[:-1], atol=tol)
        assert np.allclose(tab.swing_s, walk.ic_s[1:] - walk.fc_s[:-1], atol=tol)
        # true double support: other foot's final contact in early stance, its initial
        # contact before this foot's final contact
        i0, i1 = walk.ic_s[:-1], walk.fc_s[:-1]
        o_fc = other.fc_s[np.searchsorted(other.fc_s, i0) % other.fc_s.size]
        o_ic = other.ic_s[np.searchsorted(other.ic_s, i1) - 1]
        truth = (o_fc - i0) + (i1 - o_ic)
        ok = np.isfinite(tab.double_support_s)
        plausible = (o_fc > i0) & (o_fc < i1) & (o_ic > i0) & (o_ic < i1)
        assert ok.sum() >= len(tab) - 2
        assert np.array_equal(ok, plausible)
        assert np.allclose(tab.double_support_s[ok], truth[ok], atol=2 * tol)
        assert tab.valid.sum() >= len(tab) - 2 * CFG.bout_trim_strides - 3
    summary = gait_summary(tables, events, s.duration_s)
    true_stride = np.diff(left.ic_s)
    assert summary["steps_left"] == left.ic_s.size
    assert summary["steps_right"] == right.ic_s.size
    assert summary["cadence_steps_per_min"] == pytest.approx(120 / true_stride.mean(), rel=0.02)
    assert summary["stride_time_cv_pct"] == pytest.approx(3.0, abs=1.0)
    assert summary["double_support_pct"] == pytest.approx(100 * (2 * 0.62 - 1), abs=1.5)


def test_insole_lost_half_way_and_missing_insole():
    rng = np.random.default_rng(9)
    left, right = simulate_walk(rng, n_strides=60)
    rate = 100.0
    t = recording(rate, left.fc_s[-1] + 2.0)
    xl = force(t, left, rng, noise_n=4.0, drift_n=30.0)
    xr = force(t, right, rng, noise_n=4.0, drift_n=30.0)
    half = t[-1] / 2
    xr_lost = xr.copy()
    xr_lost[t >= half] = np.nan
    both = detect_events(_stream(t, xl, xr, rate), CFG)
    lost = detect_events(_stream(t, xl, xr_lost, rate), CFG)
    # the left foot is untouched by the right insole going silent
    assert np.array_equal(lost["left"].initial_contacts_s, both["left"].initial_contacts_s)
    r = lost["right"]
    assert r.initial_contacts_s.max() < half
    assert r.lost_intervals_s[-1, 0] == pytest.approx(half, abs=1 / rate)
    assert r.invalid_fraction == pytest.approx(0.5, abs=0.01)
    truth_first_half = right.ic_s[right.ic_s < half - 0.5]
    assert np.all(np.abs(nearest_error_s(r.initial_contacts_s, truth_first_half)) <= 2 / rate)
    tables = build_strides(lost, CFG)
    late = tables["left"].start_s > half + 0.1
    assert np.all(np.isnan(tables["left"].double_support_s[late]))
    assert np.all(tables["right"].end_s < half)
    # a missing insole: no entry for that foot, the other foot still analysed
    only_left = detect_events(_stream(t, xl, None, rate), CFG)
    assert set(only_left) == {"left"}
    tables = build_strides(only_left, CFG)
    assert np.all(np.isnan(tables["left"].double_support_s))
    summary = gait_summary(tables, only_left, t[-1])
    assert summary["steps_right"] is None
    assert summary["steps_left"] == left.ic_s.size
    assert summary["double_support_pct"] is None
    assert summary["swing_time_cv_pct"] is not None


def test_bouts_drop_turn_pause_start_and_stop():
    rng = np.random.default_rng(21)
    steady = 1.1 * (1 + 0.015 * rng.standard_normal(80))
    strides = steady.copy()
    turn = [30, 31, 32]
    strides[turn] *= 1.45  # a turn: three long strides
    strides[55] = 4.0  # a pause: standing 3 s between two contacts
    left, _ = simulate_walk(rng, n_strides=strides.size, strides_s=strides)
    rate = 100.0
    t = recording(rate, left.fc_s[-1] + 2.0)
    x = force(t, left, rng, noise_n=4.0, drift_n=20.0)
    events = {"left": detect_foot_events(t, x, sample_rate_hz=rate, foot="left", config=CFG)}
    tab = build_strides(events, CFG)["left"]
    assert np.allclose(tab.stride_s, strides, atol=2.5 / rate)
    assert not tab.valid[turn].any()
    assert not tab.valid[55]
    # the first and last stride of each steady bout (start, stop, around the turn) are dropped
    assert not tab.valid[0] and not tab.valid[-1]
    assert not tab.valid[29] and not tab.valid[33]
    assert not tab.valid[54] and not tab.valid[56]
    # bouts are numbered in order and the steady middle strides are kept
    ids = np.unique(tab.bout[tab.valid])
    assert ids.tolist() == [0, 1, 2]
    assert tab.valid[5:28].mean() > 0.9
    # variability from the kept strides is that of steady walking (1.5%), not the turn's
    summary = gait_summary({"left": tab}, events, t[-1])
    assert summary["stride_time_cv_pct"] == pytest.approx(1.5, abs=0.6)
    all_cv = 100 * np.std(tab.stride_s) / np.mean(tab.stride_s)
    assert all_cv > 3 * summary["stride_time_cv_pct"]


def test_flat_recording_has_no_events():
    t = recording(100.0, 30.0)
    rng = np.random.default_rng(0)
    x = 300.0 + rng.standard_normal(t.size)  # standing still
    ev = detect_foot_events(t, x, sample_rate_hz=100.0, foot="right", config=CFG)
    assert ev.initial_contacts_s.size == 0 and ev.final_contacts_s.size == 0
    tables = build_strides({"right": ev}, CFG)
    assert len(tables["right"]) == 0
    summary = gait_summary(tables, {"right": ev}, 30.0)
    assert summary["cadence_steps_per_min"] is None
    assert summary["stride_time_cv_pct"] is None
