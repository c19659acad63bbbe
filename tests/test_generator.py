"""The fixture generator: deterministic, physiologically shaped, and true to its truth."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analysis.layouts import GAITPDB_8, SOLEWATCH_16
from analysis.load import foot_load
from analysis.sites import FEET, SITES
from fixtures.generator import (
    BODY_WEIGHT_N,
    STANCE_WIDTH_MM,
    THERMOGRAM_FOOT_LR_SD_C,
    THERMOGRAM_SITE_LR_SD_C,
    generate_gait,
    generate_temperatures,
)

DURATION_S = 240.0


@pytest.fixture(scope="module")
def healthy():
    return generate_gait(GAITPDB_8, sample_rate_hz=100, duration_s=DURATION_S, seed=21)


@pytest.fixture(scope="module")
def unstable():
    return generate_gait(GAITPDB_8, sample_rate_hz=100, duration_s=DURATION_S, seed=21,
                         scenario="unstable_gait")


def _next(arr: np.ndarray, after: np.ndarray) -> np.ndarray:
    """First element of sorted ``arr`` at or after each of ``after`` (inf if none)."""
    return np.r_[arr, np.inf][np.searchsorted(arr, after)]


def _fractions(truth) -> dict[str, np.ndarray]:
    """Stride time, stance and double-support fractions of steady left strides (from truth)."""
    ic_l, ic_r = truth.initial_contact_s["left"], truth.initial_contact_s["right"]
    fc_l, fc_r = truth.final_contact_s["left"], truth.final_contact_s["right"]
    k = np.flatnonzero(truth.steady_stride["left"][:-1])
    start, end = ic_l[k], ic_l[k + 1]
    stride = end - start
    stance = _next(fc_l, start) - start
    r_ic = _next(ic_r, start)
    ds = (_next(fc_r, start) - start) + (_next(fc_l, r_ic) - r_ic)
    phase = (r_ic - start) / stride
    return {"stride_s": stride, "stance": stance / stride, "ds": ds / stride, "phase": phase}


def _pci_pct(phase: np.ndarray) -> float:
    """Phase coordination index (Plotnik 2007) from phases as fractions of the stride."""
    deg = 360.0 * phase
    return 100.0 * np.std(deg) / np.mean(deg) + 100.0 * np.mean(np.abs(deg - 180.0)) / 180.0


# -- determinism, shapes and units -----------------------------------------------------------


def test_same_seed_same_recording_other_seed_differs():
    a, ta = generate_gait(SOLEWATCH_16, sample_rate_hz=100, duration_s=40, seed=5)
    b, tb = generate_gait(SOLEWATCH_16, sample_rate_hz=100, duration_s=40, seed=5)
    c, _ = generate_gait(SOLEWATCH_16, sample_rate_hz=100, duration_s=40, seed=6)
    np.testing.assert_array_equal(a.left, b.left)
    np.testing.assert_array_equal(a.right, b.right)
    np.testing.assert_array_equal(ta.initial_contact_s["right"], tb.initial_contact_s["right"])
    assert not np.array_equal(a.left, c.left)
    t1, _ = generate_temperatures(days=2, scenario="hotspot", seed=3)
    t2, _ = generate_temperatures(days=2, scenario="hotspot", seed=3)
    t3, _ = generate_temperatures(days=2, scenario="hotspot", seed=4)
    np.testing.assert_array_equal(t1.values_c, t2.values_c)
    assert not np.array_equal(t1.values_c, t3.values_c)


@pytest.mark.parametrize("layout", [GAITPDB_8, SOLEWATCH_16], ids=lambda lay: lay.name)
@pytest.mark.parametrize("rate_hz", [50, 100, 200])
def test_shapes_units_and_magnitudes(layout, rate_hz):
    s, truth = generate_gait(layout, sample_rate_hz=rate_hz, duration_s=60, seed=2)
    n = 60 * rate_hz
    assert s.time_s.shape == (n,) and s.left.shape == s.right.shape == (n, layout.n_sensors)
    assert np.allclose(np.diff(s.time_s), 1.0 / rate_hz)
    assert s.sample_rate_hz == rate_hz and s.start is not None and s.start.tzinfo is not None
    assert (s.left >= 0).all() and np.isfinite(s.left).all()
    assert truth.sample_rate_hz == rate_hz and len(truth.bouts_s) >= 1
    walking = (s.time_s > truth.bouts_s[0, 0] + 2) & (s.time_s < truth.bouts_s[0, 1] - 2)
    if layout.sensor_area_mm2 is None:
        # N: the sensors share the vertical force, peaks 1.1-1.3 body weights while walking
        assert s.unit == "N" and truth.unit == "N"
        peak_bw = np.percentile(s.left[walking].sum(axis=1), 99) / BODY_WEIGHT_N
        assert 1.05 < peak_bw < 1.3
        standing = np.zeros(n, bool)
        a, b = truth.standing_s[0]
        standing[int((a + 1) * rate_hz):int((b - 1) * rate_hz)] = True
        both_bw = (s.left[standing].sum(1) + s.right[standing].sum(1)).mean() / BODY_WEIGHT_N
        assert 0.9 < both_bw < 1.15
    else:
        # kPa: in-shoe peaks of healthy walking, 100-450 kPa; no unit slip
        assert s.unit == "kPa"
        peak = np.percentile(s.left[walking], 99.9, axis=0).max()
        assert 100 < peak < 450
    # the double hump: loading and push-off peaks above body weight, valley below
    if layout is GAITPDB_8:
        k = np.flatnonzero(truth.steady_stride["left"][:-1])[0]
        ic = truth.initial_contact_s["left"][k]
        fc = _next(truth.final_contact_s["left"], np.array([ic]))[0]
        sel = (s.time_s >= ic) & (s.time_s <= fc)
        f = s.left[sel].sum(axis=1) / BODY_WEIGHT_N
        q = np.linspace(0, 1, f.size)
        first, valley, second = f[q < 0.4].max(), f[(q > 0.4) & (q < 0.6)].min(), f[q > 0.6].max()
        assert first > 1.05 and second > 1.05 and 0.65 < valley < 0.85


def test_float32_output():
    """float32 output (what the 10-hour benchmark uses); its speed is measured in benchmarks/."""
    s, _ = generate_gait(SOLEWATCH_16, sample_rate_hz=100, duration_s=1800, seed=1,
                         dtype=np.float32)
    assert s.left.dtype == np.float32 and s.left.shape == (180_000, 16)
    d, _ = generate_gait(SOLEWATCH_16, sample_rate_hz=100, duration_s=1800, seed=1)
    assert np.allclose(s.left, d.left, rtol=1e-5, atol=1e-3)


# -- truth consistency -----------------------------------------------------------------------


def test_contacts_alternate_and_nest(healthy):
    _, tr = healthy
    for a, b in tr.bouts_s:
        ics = [(t, f) for f in FEET for t in tr.initial_contact_s[f] if a <= t <= b]
        fcs = [(t, f) for f in FEET for t in tr.final_contact_s[f] if a <= t <= b]
        feet_ic = [f for _, f in sorted(ics)]
        feet_fc = [f for _, f in sorted(fcs)]
        assert all(x != y for x, y in itertools.pairwise(feet_ic))
        assert all(x != y for x, y in itertools.pairwise(feet_fc))
        assert len(ics) >= 8
    for f in FEET:
        ic, fc = tr.initial_contact_s[f], tr.final_contact_s[f]
        assert len(ic) == len(fc)  # each bout: toe off from standing, ..., land into standing
        # per foot: FC, IC, FC, IC, ... (a contact ends before the next begins)
        merged = np.sort(np.r_[ic, fc])
        kinds = np.isin(merged, ic)
        assert not kinds[0] and np.all(kinds[1:] != kinds[:-1])


def test_stride_stance_double_support_in_physiological_ranges(healthy, unstable):
    h = _fractions(healthy[1])
    u = _fractions(unstable[1])
    assert 1.0 <= h["stride_s"].mean() <= 1.2
    cv_h = 100 * h["stride_s"].std() / h["stride_s"].mean()
    cv_u = 100 * u["stride_s"].std() / u["stride_s"].mean()
    assert 1.2 <= cv_h <= 3.5
    assert cv_u > 1.5 * cv_h
    assert 0.57 <= h["stance"].mean() <= 0.63
    assert 0.37 <= 1 - h["stance"].mean() <= 0.43
    assert 0.16 <= h["ds"].mean() <= 0.24
    assert u["stance"].mean() > h["stance"].mean() + 0.02
    assert u["ds"].mean() > h["ds"].mean() + 0.04
    assert u["stride_s"].mean() > h["stride_s"].mean()
    assert _pci_pct(h["phase"]) < 5.0 < _pci_pct(u["phase"])


def test_force_agrees_with_truth(healthy):
    s, tr = healthy
    thr = 0.05 * BODY_WEIGHT_N
    loaded = {f: s.foot(f).sum(axis=1) > thr for f in FEET}
    fr = _fractions(tr)
    in_bout = np.zeros(s.n_samples, bool)
    for a, b in tr.bouts_s:
        in_bout[(s.time_s > a + 3) & (s.time_s < b - 3)] = True
    # loaded share of bout time ~ stance fraction, both-loaded share ~ double support
    assert loaded["left"][in_bout].mean() == pytest.approx(fr["stance"].mean(), abs=0.04)
    both = (loaded["left"] & loaded["right"])[in_bout].mean()
    assert both == pytest.approx(fr["ds"].mean(), abs=0.04)
    # every true contact is where the force rises past the threshold (within 40 ms)
    for f in FEET:
        rises = s.time_s[1:][np.diff(loaded[f].astype(int)) == 1]
        falls = s.time_s[1:][np.diff(loaded[f].astype(int)) == -1]
        ic = tr.initial_contact_s[f]
        fc = tr.final_contact_s[f]
        d_ic = np.abs(rises[np.clip(np.searchsorted(rises, ic), 0, rises.size - 1)] - ic)
        d_fc = np.abs(falls[np.clip(np.searchsorted(falls, fc - 0.04), 0, falls.size - 1)] - fc)
        assert np.all(d_ic < 0.04) and np.all(d_fc < 0.04)
    # heel sensors load first: at +30 ms after contact the heel carries most of the load
    k = np.flatnonzero(tr.steady_stride["left"])[:10]
    idx = np.searchsorted(s.time_s, tr.initial_contact_s["left"][k] + 0.03)
    heel = np.array(GAITPDB_8.regions) == "heel"
    assert (s.left[idx][:, heel].sum(1) > 0.8 * s.left[idx].sum(1)).all()


def test_standing_sitting_and_calf_raises(healthy):
    s, tr = healthy
    assert tr.calf_raise_count == 10
    assert 1.0 <= tr.sway_area_95_cm2 <= 3.0
    regions = np.array(GAITPDB_8.regions)
    heel = regions == "heel"
    fore = np.isin(regions, ["mth1", "mth3", "mth5", "hallux", "toes"])
    for a, _b in tr.calf_raise_s:
        i = np.searchsorted(s.time_s, a + 1.0)  # holding up on the toes
        for f in FEET:
            v = s.foot(f)[i]
            assert v[heel].sum() < 0.05 * v[fore].sum()
    # the sensors show the truth's whole-body sway: load-weighted COP of both feet
    loads = foot_load(s)
    checked = 0
    for (a, b), area in zip(tr.standing_s, tr.standing_sway_area_95_cm2, strict=True):
        if b - a < 15:
            continue
        i0, i1 = np.searchsorted(s.time_s, [a + 1, b - 1])  # feet settled
        w = {f: loads[f].total[i0:i1] for f in FEET}
        half = np.array([STANCE_WIDTH_MM / 2, 0.0])
        x = {"left": loads["left"].cop_mm[i0:i1] - half,
             "right": loads["right"].cop_mm[i0:i1] + half}
        cop = (x["left"] * w["left"][:, None] + x["right"] * w["right"][:, None]) / (
            w["left"] + w["right"])[:, None]
        c = np.cov(cop.T)
        measured = np.pi * 5.991 * np.sqrt(np.linalg.det(c)) / 100
        assert measured == pytest.approx(area, rel=0.35)
        checked += 1
    assert checked >= 1
    for a, b in tr.sitting_s:
        sel = (s.time_s > a + 1) & (s.time_s < b - 1)
        assert (s.left[sel].sum(1) + s.right[sel].sum(1)).mean() < 0.12 * BODY_WEIGHT_N
    assert len(tr.turns_s) >= 1
    # turn strides are slower than the steady ones of the same walk
    ic = tr.initial_contact_s["left"]
    stride = np.diff(ic)
    turn = np.zeros(stride.size, bool)
    for a, b in tr.turns_s:
        turn |= (ic[:-1] >= a - 1e-9) & (ic[:-1] < b)
    steady = tr.steady_stride["left"][:-1]
    assert stride[turn].mean() > 1.1 * stride[steady].mean()


def test_lost_insole_and_dropped_sensor():
    s, tr = generate_gait(SOLEWATCH_16, sample_rate_hz=100, duration_s=60, seed=3,
                          scenario="lost_insole")
    foot, t0 = tr.lost_insole
    assert foot == "right"
    after = s.time_s >= t0
    assert np.isnan(s.right[after]).all() and np.isfinite(s.right[~after]).all()
    assert np.isfinite(s.left).all()
    s, tr = generate_gait(SOLEWATCH_16, sample_rate_hz=100, duration_s=60, seed=3,
                          scenario="sensor_fault")
    foot, sid, t0 = tr.dropped_sensor
    j = SOLEWATCH_16.sensor_ids.index(sid)
    after = s.time_s >= t0
    assert (s.foot(foot)[after, j] == 0).all() and s.foot(foot)[~after, j].max() > 50


# -- temperatures ----------------------------------------------------------------------------


def _daily_worn_median_lr(stream, truth) -> np.ndarray:
    """(days, sites) median left-minus-right over the samples with the shoe on."""
    day = np.floor(stream.time_s / 86400.0).astype(int)
    d = stream.values_c[:, 0, :] - stream.values_c[:, 1, :]
    return np.array([np.median(d[(day == k) & truth.worn], axis=0) for k in range(day.max() + 1)])


def test_hotspot_truth_and_data_cross_the_rule_at_the_chosen_site_only():
    s, tr = generate_temperatures(days=14, scenario="hotspot", seed=9,
                                  hotspot_foot="left", hotspot_site="mth1")
    fi, si = FEET.index("left"), SITES.index("mth1")
    over = tr.excess_c_daily[:, fi, si] > 2.2
    assert np.any(over[1:] & over[:-1])  # two consecutive days
    others = np.ones(tr.excess_c_daily.shape, bool)
    others[:, fi, si] = False
    assert (tr.excess_c_daily[others] == 0).all()
    assert all((f, site) == ("left", "mth1") for _, f, site in tr.inflamed)
    assert tr.excess_c_daily[:4, fi, si].max() == 0  # nothing before the onset
    med = _daily_worn_median_lr(s, tr)
    hot = med[:, si] > 2.2
    assert np.any(hot[1:] & hot[:-1])
    assert np.abs(np.delete(med, si, axis=1)).max() < 1.5
    assert np.abs(med[:4]).max() < 1.5


def test_healthy_temperatures_are_plausible_and_never_alert():
    s, tr = generate_temperatures(days=7, scenario="healthy", seed=10)
    assert s.values_c.shape == (7 * 1440, 2, 6)
    assert s.start.utcoffset() is not None and not tr.inflamed
    worn = s.values_c[tr.worn]
    assert 27.0 < np.percentile(worn, 10) and np.percentile(worn, 90) < 33.5
    # off at 03:00 the insole sits near room temperature
    hour = (s.time_s % 86400) / 3600
    night = (hour > 3) & (hour < 4)
    assert np.abs(s.values_c[night].mean(axis=(1, 2)) - tr.room_c[night]).max() < 1.0
    # walking warms the foot: end of the longer walks warmer than their start
    edges = np.flatnonzero(np.diff(tr.walking.astype(int)))
    starts, ends = edges[::2] + 1, edges[1::2] + 1
    long = (ends - starts) >= 20
    rise = s.values_c[ends[long]].mean(axis=(1, 2)) - s.values_c[starts[long]].mean(axis=(1, 2))
    assert rise.mean() > 0.4
    med = _daily_worn_median_lr(s, tr)
    assert np.abs(med).max() < 1.5


def test_lr_noise_size_and_stable_offset():
    s, tr = generate_temperatures(days=21, scenario="healthy", seed=12, lr_offset_c=0.8)
    d = (s.values_c[:, 0, :] - s.values_c[:, 1, :])[tr.worn]
    assert tr.lr_offset_c == 0.8
    assert np.mean(d) == pytest.approx(0.8, abs=0.25)
    # the slow site noise gives left-right differences of about the thermogram SD
    assert 0.5 * THERMOGRAM_SITE_LR_SD_C < np.std(d - d.mean(axis=0)) < 1.5 * \
        THERMOGRAM_SITE_LR_SD_C
    _, tr2 = generate_temperatures(days=1, seed=13, lr_offset_c=None)
    assert 0 < abs(tr2.lr_offset_c) < 4 * THERMOGRAM_FOOT_LR_SD_C


def test_temperature_faults():
    s, tr = generate_temperatures(days=3, scenario="lost_insole", seed=1)
    foot, t0 = tr.lost_insole
    fi = FEET.index(foot)
    after = s.time_s >= t0
    assert np.isnan(s.values_c[after, fi]).all() and np.isfinite(s.values_c[~after]).all()
    s, tr = generate_temperatures(days=3, scenario="sensor_fault", seed=1)
    foot, site, t0 = tr.stuck_sensor
    v = s.values_c[s.time_s >= t0, FEET.index(foot), SITES.index(site)]
    assert np.ptp(v) == 0 and v.size > 1000
    other = s.values_c[s.time_s >= t0, FEET.index(foot), SITES.index("mth3")]
    assert np.ptp(other) > 5


@pytest.mark.validation
def test_thermogram_noise_constants_match_the_data(shared_data):
    from fixtures.regenerate import derive_thermogram_noise

    got = derive_thermogram_noise(
        shared_data / "plantar-thermogram" / "plantar_thermogram_regional_means.csv")
    assert got["n_controls"] == 45
    assert round(got["site_lr_sd_c"], 2) == THERMOGRAM_SITE_LR_SD_C
    assert round(got["foot_lr_sd_c"], 2) == THERMOGRAM_FOOT_LR_SD_C


def _dfa_alpha(x: np.ndarray, scales=(4, 6, 8, 12, 16, 24, 32, 48, 64)) -> float:
    y = np.cumsum(x - x.mean())
    f = []
    for n in scales:
        seg = y[: len(y) // n * n].reshape(-1, n)
        t = np.arange(n)
        coef = np.polynomial.polynomial.polyfit(t, seg.T, 1)
        trend = coef[0][:, None] + coef[1][:, None] * t
        f.append(np.sqrt(np.mean((seg - trend) ** 2)))
    return float(np.polyfit(np.log(scales), np.log(f), 1)[0])


@pytest.mark.parametrize("alpha", [0.5, 0.8])
def test_stride_noise_has_the_requested_dfa_alpha(alpha):
    from fixtures.generator import _fractional_noise

    rng = np.random.default_rng(1)
    got = np.mean([_dfa_alpha(_fractional_noise(rng, 1000, alpha)) for _ in range(10)])
    assert got == pytest.approx(alpha, abs=0.07)
