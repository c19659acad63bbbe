"""Static balance (COP sway, prediction ellipse, quiet-standing detection) and exercise
repetitions on simulated inputs with known truth."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import stats

from analysis.config import GaitConfig
from analysis.gait.balance import (
    balance_of_interval,
    ellipse95_area_mm2,
    find_quiet_standing,
    prediction_ellipse_scale,
    static_balance,
)
from analysis.gait.exercises import count_exercises
from analysis.layouts import SOLEWATCH_16
from analysis.load import FootLoad, foot_load
from analysis.streams import PressureStream

FS = 100.0

# ----------------------------------------------------------------------------- ellipse


def test_prediction_ellipse_area_matches_known_covariance():
    rng = np.random.default_rng(0)
    cov = np.array([[25.0, 6.0], [6.0, 64.0]])  # mm^2
    cop = rng.multivariate_normal([3.0, 120.0], cov, size=20000)
    expected = np.pi * stats.chi2.ppf(0.95, 2) * np.sqrt(np.linalg.det(cov))
    assert ellipse95_area_mm2(cop) == pytest.approx(expected, rel=0.03)


def test_prediction_ellipse_holds_95_percent_of_new_samples():
    # The defining property of a PREDICTION ellipse: fitted to n samples, it holds on average
    # 95% of new samples (a confidence ellipse of the mean would hold almost none, and the
    # plain chi2 radius holds fewer than 95% for small n).
    rng = np.random.default_rng(1)
    cov = np.array([[16.0, -5.0], [-5.0, 9.0]])
    n, n_fits = 30, 400
    fits = rng.multivariate_normal([0, 0], cov, size=(n_fits, n))
    new = rng.multivariate_normal([0, 0], cov, size=(n_fits, 500))
    mean = fits.mean(axis=1, keepdims=True)
    dev = fits - mean
    s = np.einsum("fni,fnj->fij", dev, dev) / (n - 1)
    d = new - mean
    m2 = np.einsum("fni,fij,fnj->fn", d, np.linalg.inv(s), d)
    k = prediction_ellipse_scale(n)
    assert np.mean(m2 <= k) == pytest.approx(0.95, abs=0.01)
    assert np.mean(m2 <= stats.chi2.ppf(0.95, 2)) < 0.94
    assert prediction_ellipse_scale(100000) == pytest.approx(stats.chi2.ppf(0.95, 2), rel=1e-3)


def test_path_length_and_velocities_of_known_trajectory():
    # AP triangle wave of amplitude A = 5 mm at f = 0.5 Hz for T = 20 s, fixed ML:
    # each cycle travels 4 A, so the path is 4 A f T = 200 mm
    t = np.arange(0, 20.0 + 1e-9, 0.01)
    phase = (t * 0.5) % 1.0
    y = 100.0 + 5.0 * (4 * np.abs(phase - 0.5) - 1)
    cop = np.column_stack([np.full_like(t, 2.0), y])
    res = static_balance(cop, t)
    assert res.duration_s == pytest.approx(20.0)
    assert res.path_length_mm == pytest.approx(4 * 5.0 * 0.5 * 20, rel=1e-6)
    assert res.ap_velocity_mm_s == pytest.approx(10.0, rel=1e-6)
    assert res.ml_velocity_mm_s == pytest.approx(0.0, abs=1e-12)
    assert res.mean_velocity_mm_s == pytest.approx(10.0, rel=1e-6)


def test_circle_path_and_nan_gap():
    t = np.linspace(0, 10, 10001)
    ang = 2 * np.pi * 0.5 * t  # 5 turns of radius 3 mm
    cop = np.column_stack([3 * np.cos(ang), 3 * np.sin(ang)])
    res = static_balance(cop, t)
    assert res.path_length_mm == pytest.approx(5 * 2 * np.pi * 3, rel=1e-4)
    # per turn sum |dx| = sum |dy| = 4 r
    assert res.ml_velocity_mm_s == pytest.approx(5 * 4 * 3 / 10, rel=1e-4)
    assert res.ap_velocity_mm_s == pytest.approx(5 * 4 * 3 / 10, rel=1e-4)
    cop[5000:5010] = np.nan
    assert static_balance(cop, t).path_length_mm < res.path_length_mm
    assert static_balance(cop, t).n_samples == 10001 - 10


# ----------------------------------------------------------------------------- quiet stance


def _loads_scenario(rng):
    """30 s walking, 20 s quiet two-foot stance, 15 s walking, 15 s one-leg (left) stance."""
    parts = []
    # walking: alternating single support, 1.1 s stride, stance 60%
    tw = np.arange(0, 30.0, 1 / FS)
    ph_l = (tw / 1.1) % 1.0
    ph_r = (tw / 1.1 + 0.5) % 1.0
    wl = np.where(ph_l < 0.6, 700 * np.sin(np.pi * ph_l / 0.6), 0.0)
    wr = np.where(ph_r < 0.6, 700 * np.sin(np.pi * ph_r / 0.6), 0.0)
    walk_cop = lambda ph: np.column_stack([np.zeros_like(ph), 30 + 300 * ph])  # noqa: E731
    parts.append((wl, wr, walk_cop(ph_l), walk_cop(ph_r)))
    ts = np.arange(0, 20.0, 1 / FS)
    sway = lambda n: np.cumsum(rng.normal(0, 0.3, (n, 2)), axis=0) * 0.2  # noqa: E731
    parts.append((np.full(ts.size, 350.0), np.full(ts.size, 350.0),
                  np.array([0.0, 110.0]) + sway(ts.size), np.array([0.0, 110.0]) + sway(ts.size)))
    tw2 = np.arange(0, 15.0, 1 / FS)
    ph_l = (tw2 / 1.1) % 1.0
    ph_r = (tw2 / 1.1 + 0.5) % 1.0
    parts.append((np.where(ph_l < 0.6, 700 * np.sin(np.pi * ph_l / 0.6), 0.0),
                  np.where(ph_r < 0.6, 700 * np.sin(np.pi * ph_r / 0.6), 0.0),
                  walk_cop(ph_l), walk_cop(ph_r)))
    to = np.arange(0, 15.0, 1 / FS)
    parts.append((np.full(to.size, 700.0), np.zeros(to.size),
                  np.array([0.0, 110.0]) + 3 * sway(to.size), np.full((to.size, 2), np.nan)))
    tl = np.concatenate([p[0] for p in parts])
    tr = np.concatenate([p[1] for p in parts])
    cl = np.concatenate([p[2] for p in parts])
    cr = np.concatenate([p[3] for p in parts])
    cl[tl <= 0] = np.nan
    cr[tr <= 0] = np.nan
    t = np.arange(tl.size) / FS
    loads = {
        "left": FootLoad("left", tl, cl, "N"),
        "right": FootLoad("right", tr, cr, "N"),
    }
    return t, loads


def test_find_quiet_standing_finds_two_and_one_foot_stance_not_walking():
    t, loads = _loads_scenario(np.random.default_rng(2))
    cfg = GaitConfig()
    iv = find_quiet_standing(t, loads, sample_rate_hz=FS, config=cfg)
    assert iv.shape == (2, 2)
    # two-foot stance 30-50 s, one-leg stance 65-80 s (window edges trim up to ~1 s)
    assert iv[0, 0] == pytest.approx(30.0, abs=1.0) and iv[0, 1] == pytest.approx(50.0, abs=1.0)
    assert iv[1, 0] == pytest.approx(65.0, abs=1.0) and iv[1, 1] == pytest.approx(80.0, abs=1.0)
    longer = dataclasses.replace(cfg, quiet_min_duration_s=16.0)
    assert find_quiet_standing(t, loads, sample_rate_hz=FS, config=longer).shape == (1, 2)


def test_balance_of_interval_one_leg_and_two_feet():
    t, loads = _loads_scenario(np.random.default_rng(3))
    cfg = GaitConfig()
    iv = find_quiet_standing(t, loads, sample_rate_hz=FS, config=cfg)
    two = balance_of_interval(t, loads, tuple(iv[0]), config=cfg)
    one = balance_of_interval(t, loads, tuple(iv[1]), config=cfg)
    assert two.feet == ("left", "right")
    assert one.feet == ("left",)
    # one-leg: exactly the left foot's own COP measures
    sl = (t >= iv[1, 0]) & (t <= iv[1, 1])
    direct = static_balance(loads["left"].cop_mm[sl], t[sl], lowpass_hz=cfg.cop_lowpass_hz)
    assert one.ap_velocity_mm_s == pytest.approx(direct.ap_velocity_mm_s)
    assert one.ellipse95_area_mm2 == pytest.approx(direct.ellipse95_area_mm2)
    # two feet, equal loads: velocities are the mean of the per-foot velocities
    sl2 = (t >= iv[0, 0]) & (t <= iv[0, 1])
    lp = cfg.cop_lowpass_hz
    vl = static_balance(loads["left"].cop_mm[sl2], t[sl2], lowpass_hz=lp).ml_velocity_mm_s
    vr = static_balance(loads["right"].cop_mm[sl2], t[sl2], lowpass_hz=lp).ml_velocity_mm_s
    assert two.ml_velocity_mm_s == pytest.approx(0.5 * (vl + vr), rel=1e-9)
    assert two.ellipse95_area_mm2 > 0


def test_fallers_reference_values_are_settings():
    cfg = GaitConfig()
    assert cfg.fallers_sway_area_mm2 == pytest.approx(1030.0)  # 10.3 cm^2
    assert cfg.fallers_ap_velocity_mm_s == pytest.approx(29.0)
    assert cfg.fallers_ml_velocity_mm_s == pytest.approx(34.0)


# ----------------------------------------------------------------------------- exercises

_REGIONS = np.array(SOLEWATCH_16.regions)
_HEEL = _REGIONS == "heel"
_FORE = np.isin(_REGIONS, ["mth1", "mth3", "mth5", "hallux", "toes"])
_MID = _REGIONS == "midfoot"


def _ramp(n_up: int, hold: int, n_down: int) -> np.ndarray:
    return np.concatenate([np.linspace(0, 1, n_up), np.ones(hold), np.linspace(1, 0, n_down)])


def _foot_frames(heel_kpa: np.ndarray, fore_kpa: np.ndarray) -> np.ndarray:
    out = np.zeros((heel_kpa.size, SOLEWATCH_16.n_sensors), dtype=np.float32)
    out[:, _HEEL] = heel_kpa[:, None]
    out[:, _FORE] = fore_kpa[:, None]
    out[:, _MID] = 0.3 * (heel_kpa + fore_kpa)[:, None] / 2
    return out


def _walking(seconds: float, phase0: float) -> tuple[np.ndarray, np.ndarray]:
    """Heel and forefoot kPa of one foot walking: heel strike, flat, push-off, swing."""
    t = np.arange(0, seconds, 1 / FS)
    ph = (t / 1.1 + phase0) % 1.0
    heel = np.interp(ph, [0, 0.08, 0.35, 0.45, 1], [0, 150, 90, 0, 0])
    fore = np.interp(ph, [0, 0.08, 0.15, 0.35, 0.5, 0.6, 0.61, 1], [0, 0, 80, 90, 200, 0, 0, 0])
    return heel, fore


def _standing(seconds: float) -> tuple[np.ndarray, np.ndarray]:
    n = round(seconds * FS)
    return np.full(n, 80.0), np.full(n, 60.0)


def _raise(kind: str = "calf") -> tuple[np.ndarray, np.ndarray]:
    """From flat stance up (0.5 s), hold 1 s, down (0.5 s), then 1.5 s flat."""
    r = _ramp(50, 100, 50)
    if kind == "calf":
        heel, fore = 80.0 * (1 - r), 60.0 + 100.0 * r
    else:
        heel, fore = 80.0 + 60.0 * r, 60.0 * (1 - r)
    sh, sf = _standing(1.5)
    return np.concatenate([heel, sh]), np.concatenate([fore, sf])


def _cat(*parts):
    return np.concatenate(parts)


def _exercise_stream(rng) -> PressureStream:
    segs_l, segs_r = [], []

    def both(h, f):
        segs_l.append((h, f))
        segs_r.append((h, f))

    wl, wr = _walking(20.0, 0.0), _walking(20.0, 0.5)
    segs_l.append(wl)
    segs_r.append(wr)
    both(*_standing(3.0))
    for _ in range(10):  # ten two-foot calf raises
        both(*_raise("calf"))
    for _ in range(3):  # three one-foot raises on the right, left foot lifted
        h, f = _raise("calf")
        segs_r.append((h, f))
        segs_l.append((np.zeros(h.size), np.zeros(h.size)))
    both(*_standing(2.0))
    for _ in range(4):  # four two-foot toe lifts
        both(*_raise("toe"))
    wl, wr = _walking(20.0, 0.0), _walking(20.0, 0.5)
    segs_l.append(wl)
    segs_r.append(wr)
    left = _foot_frames(_cat(*[s[0] for s in segs_l]), _cat(*[s[1] for s in segs_l]))
    right = _foot_frames(_cat(*[s[0] for s in segs_r]), _cat(*[s[1] for s in segs_r]))
    left += rng.normal(0, 0.5, left.shape).clip(0).astype(np.float32)
    right += rng.normal(0, 0.5, right.shape).clip(0).astype(np.float32)
    t = np.arange(left.shape[0]) / FS
    return PressureStream(time_s=t, left=left, right=right, layout=SOLEWATCH_16, unit="kPa",
                          sample_rate_hz=FS)


def test_calf_raises_and_toe_lifts_counted_walking_not():
    stream = _exercise_stream(np.random.default_rng(4))
    res = count_exercises(stream, GaitConfig())
    assert res["n_calf_raises"] == 13
    assert res["n_calf_raises_both_feet"] == 10
    assert res["n_calf_raises_one_foot"] == 3
    assert all(r.feet == ("right",) for r in res["calf_raises"][10:])
    assert res["n_toe_lifts"] == 4
    first = res["calf_raises"][0]
    # the first raise starts right after 20 s walking + 3 s standing
    assert first.start_s == pytest.approx(23.0, abs=0.3)
    assert first.end_s - first.start_s == pytest.approx(2.0, abs=0.4)
    assert first.hold_s >= 0.8
    assert all(r.peak_forefoot_share > 0.9 for r in res["calf_raises"])
    assert all(r.peak_forefoot_share < 0.1 for r in res["toe_lifts"])
    starts = [r.start_s for r in res["calf_raises"]]
    assert np.all(np.diff(starts) == pytest.approx(3.5, abs=0.1))


def test_walking_alone_has_no_repetitions():
    wl, wr = _walking(60.0, 0.0), _walking(60.0, 0.5)
    left, right = _foot_frames(*wl), _foot_frames(*wr)
    t = np.arange(left.shape[0]) / FS
    stream = PressureStream(time_s=t, left=left, right=right, layout=SOLEWATCH_16, unit="kPa",
                            sample_rate_hz=FS)
    res = count_exercises(stream, GaitConfig(), loads=foot_load(stream))
    assert res["n_calf_raises"] == 0
    assert res["n_toe_lifts"] == 0


def test_lowpass_removes_sensor_noise_from_path_length():
    """A slow sway of known length plus white sensor noise: filtered at 5 Hz (Prieto 1996) the
    path length is close to the true one; unfiltered, noise inflates it several-fold."""
    from analysis.gait.balance import static_balance

    rate_hz, dur_s = 100.0, 30.0
    t = np.arange(int(rate_hz * dur_s)) / rate_hz
    true = np.column_stack([3.0 * np.sin(2 * np.pi * 0.3 * t), 5.0 * np.sin(2 * np.pi * 0.2 * t)])
    true_path = np.hypot(*np.diff(true, axis=0).T).sum()
    noisy = true + np.random.default_rng(4).normal(0.0, 0.5, true.shape)
    raw = static_balance(noisy, t)
    filtered = static_balance(noisy, t, lowpass_hz=5.0)
    assert raw.path_length_mm > 3 * true_path
    assert filtered.path_length_mm == pytest.approx(true_path, rel=0.15)
    # the ellipse area is a property of the spread, barely changed by filtering
    assert filtered.ellipse95_area_mm2 == pytest.approx(raw.ellipse95_area_mm2, rel=0.1)
