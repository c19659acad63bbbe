"""Gait asymmetry, symmetry index, phase coordination index and DFA on known-truth inputs."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.config import GaitConfig
from analysis.gait.asymmetry import gait_asymmetry_pct, symmetry_index_pct
from analysis.gait.dfa import dfa_alpha, dfa_scales
from analysis.gait.pci import phase_coordination, phase_coordination_index_pct

# ----------------------------------------------------------------------------- GA and SI


def test_gait_asymmetry_hand_computed():
    left = np.full(20, 0.40)
    right = np.full(20, 0.44)
    # 100 * |ln(0.40 / 0.44)| = 100 * ln(1.1) = 9.5310...
    assert gait_asymmetry_pct(left, right) == pytest.approx(9.531018, rel=1e-6)
    assert gait_asymmetry_pct(right, left) == pytest.approx(9.531018, rel=1e-6)
    assert gait_asymmetry_pct(left, left) == 0.0


def test_gait_asymmetry_uses_means_and_ignores_nan():
    left = np.array([0.38, 0.42] * 10 + [np.nan])  # mean 0.40
    right = np.array([0.50, 0.30, 0.52] * 5)  # mean 0.44
    assert gait_asymmetry_pct(left, right) == pytest.approx(100 * math.log(1.1), rel=1e-9)


def test_symmetry_index_hand_computed():
    left = np.full(12, 1.1)
    right = np.full(12, 1.0)
    # 100 * (1.1 - 1.0) / (0.5 * 2.1) = 9.5238...
    assert symmetry_index_pct(left, right) == pytest.approx(100 * 0.1 / 1.05, rel=1e-9)
    assert symmetry_index_pct(right, left) == pytest.approx(-100 * 0.1 / 1.05, rel=1e-9)


def test_asymmetry_none_when_not_computable():
    n = GaitConfig().asymmetry_min_strides
    ok = np.full(n, 0.4)
    assert gait_asymmetry_pct(None, ok) is None
    assert gait_asymmetry_pct(ok, None) is None
    assert gait_asymmetry_pct(ok[: n - 1], ok) is None
    assert gait_asymmetry_pct(np.full(n, np.nan), ok) is None
    assert symmetry_index_pct(ok, ok[: n - 1]) is None
    assert symmetry_index_pct(np.zeros(n), np.zeros(n)) is None
    assert gait_asymmetry_pct(ok[:3], ok[:3], min_strides=3) == 0.0


@settings(max_examples=50, deadline=None)
@given(
    st.floats(0.2, 1.0), st.floats(0.2, 1.0), st.integers(10, 40)
)
def test_ga_symmetric_and_si_antisymmetric(a, b, n):
    left, right = np.full(n, a), np.full(n, b)
    assert gait_asymmetry_pct(left, right) == pytest.approx(gait_asymmetry_pct(right, left))
    assert gait_asymmetry_pct(left, right) >= 0.0
    assert symmetry_index_pct(left, right) == pytest.approx(-symmetry_index_pct(right, left))


# ----------------------------------------------------------------------------- PCI


def _walk(n_strides: int, phase_sd_frac: float, *, stride_s: float = 1.1, seed: int = 0,
          phase_frac: float = 0.5):
    """Left ICs every ``stride_s``; right IC at ``phase_frac`` of the stride plus noise."""
    rng = np.random.default_rng(seed)
    left = np.arange(n_strides + 1) * stride_s
    right = left[:-1] + stride_s * (phase_frac + phase_sd_frac * rng.standard_normal(n_strides))
    return left, right


def test_pci_zero_for_perfect_antiphase():
    left, right = _walk(200, 0.0)
    assert phase_coordination_index_pct(left, right, reference_foot="left") == pytest.approx(
        0.0, abs=1e-9
    )


def test_pci_constant_phase_offset_is_pure_accuracy_term():
    # phi = 170 deg every stride: phi_CV = 0, P_phi_ABS = 100 * 10 / 180
    left, right = _walk(200, 0.0, phase_frac=170 / 360)
    res = phase_coordination(left, right, reference_foot="left")
    assert res.phi_cv_pct == pytest.approx(0.0, abs=1e-9)
    assert res.pci_pct == pytest.approx(100 * 10 / 180, rel=1e-9)


@pytest.mark.parametrize("sd_deg", [3.0, 6.0, 12.0])
def test_pci_grows_with_phase_noise_as_expected(sd_deg):
    # phi ~ N(180, sd^2): phi_CV = 100 sd / 180, E|phi - 180| = sd sqrt(2 / pi)
    left, right = _walk(4000, sd_deg / 360.0, seed=int(sd_deg))
    expected = 100 * sd_deg / 180 + 100 * sd_deg * math.sqrt(2 / math.pi) / 180
    got = phase_coordination_index_pct(left, right, reference_foot="left")
    assert got == pytest.approx(expected, rel=0.05)


def test_pci_increases_monotonically_with_noise():
    values = [
        phase_coordination_index_pct(*_walk(1000, sd / 360, seed=1), reference_foot="left")
        for sd in (1, 4, 8, 16)
    ]
    assert values == sorted(values)


def test_pci_reference_foot_is_the_longer_swing():
    left, right = _walk(100, 0.0)
    res = phase_coordination(left, right, swing_left_s=np.full(100, 0.40),
                             swing_right_s=np.full(100, 0.45))
    assert res.reference_foot == "right"
    # right as reference: the left IC sits at the other half of each right stride -> 180 deg
    assert res.pci_pct == pytest.approx(0.0, abs=1e-9)


def test_pci_skips_strides_across_bout_breaks():
    l1, r1 = _walk(50, 0.0)
    l2, r2 = _walk(50, 0.0)
    offset = l1[-1] + 20.0  # a 20 s pause with one shuffling right step, then a new bout
    shuffle = np.array([l1[-1] + 5.0])
    left = np.concatenate([l1, l2 + offset])
    right = np.concatenate([r1, shuffle, r2 + offset])
    bout_l = np.repeat([0, 1], [l1.size, l2.size])
    bout_r = np.repeat([0, -1, 1], [r1.size, 1, r2.size])
    with_bouts = phase_coordination(left, right, left_bout=bout_l, right_bout=bout_r,
                                    reference_foot="left")
    assert with_bouts.n_strides == 100
    assert with_bouts.pci_pct == pytest.approx(0.0, abs=1e-9)
    without = phase_coordination_index_pct(left, right, reference_foot="left")
    assert without > 1.0  # the 20 s "stride" across the pause pollutes the result


def test_pci_valid_mask_and_minimum():
    left, right = _walk(40, 0.01)
    n_min = GaitConfig().pci_min_strides
    assert phase_coordination_index_pct(left[: n_min], right[: n_min],
                                        reference_foot="left") is None
    valid = np.ones(left.size, bool)
    valid[::2] = False  # every stride touches an invalid IC
    assert phase_coordination_index_pct(left, right, left_valid=valid,
                                        reference_foot="left") is None
    assert phase_coordination_index_pct(left, right, reference_foot="left") is not None


# ----------------------------------------------------------------------------- DFA


def _power_law_noise(n: int, beta: float, rng: np.random.Generator) -> np.ndarray:
    """Noise with power spectrum ~ 1/f^beta by spectral synthesis (random phases)."""
    f = np.fft.rfftfreq(n)
    amp = np.zeros_like(f)
    amp[1:] = f[1:] ** (-beta / 2)
    spec = amp * (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size))
    return np.fft.irfft(spec, n)


def _mean_alpha(make, n_series: int = 8) -> float:
    rng = np.random.default_rng(42)
    vals = [dfa_alpha(make(rng), min_n=100) for _ in range(n_series)]
    return float(np.mean(vals))


def test_dfa_white_noise_is_half():
    assert _mean_alpha(lambda r: r.standard_normal(2048)) == pytest.approx(0.5, abs=0.06)


def test_dfa_one_over_f_noise_is_one():
    assert _mean_alpha(lambda r: _power_law_noise(2048, 1.0, r)) == pytest.approx(1.0, abs=0.08)


def test_dfa_random_walk_is_one_and_a_half():
    assert _mean_alpha(lambda r: np.cumsum(r.standard_normal(2048))) == pytest.approx(
        1.5, abs=0.08
    )


def test_dfa_shuffling_destroys_correlations():
    rng = np.random.default_rng(7)
    x = _power_law_noise(2048, 1.0, rng)
    assert dfa_alpha(x, min_n=100) > 0.85
    assert dfa_alpha(rng.permutation(x), min_n=100) == pytest.approx(0.5, abs=0.12)


def test_dfa_none_below_minimum_and_scales_span_4_to_n_over_4():
    n_min = GaitConfig().dfa_min_strides
    x = np.random.default_rng(0).standard_normal(n_min - 1)
    assert dfa_alpha(x, min_n=n_min) is None
    assert dfa_alpha(np.append(x, 0.3), min_n=n_min) is not None
    sc = dfa_scales(400)
    assert sc[0] == 4 and sc[-1] == 100
    assert np.all(np.diff(np.log(sc)) > 0)


def test_dfa_ignores_nan_and_accepts_explicit_scales():
    rng = np.random.default_rng(3)
    x = rng.standard_normal(1024)
    y = x.copy()
    y[::50] = np.nan
    a = dfa_alpha(y, min_n=100)
    assert a == pytest.approx(0.5, abs=0.12)
    assert dfa_alpha(x, min_n=100, scales=[8, 16, 32, 64]) == pytest.approx(0.5, abs=0.12)


def test_config_sets_the_minimum_and_scalars_are_means():
    cfg = dataclasses.replace(GaitConfig(), asymmetry_min_strides=3, pci_min_strides=5)
    short = np.full(4, 0.4)
    assert gait_asymmetry_pct(short, short) is None
    assert gait_asymmetry_pct(short, short, config=cfg) == 0.0
    assert symmetry_index_pct(1.1, 1.0) == pytest.approx(100 * 0.1 / 1.05, rel=1e-9)
    assert symmetry_index_pct(None, 1.0) is None
    left, right = _walk(8, 0.0)
    assert phase_coordination_index_pct(left, right, reference_foot="left") is None
    assert phase_coordination_index_pct(left, right, reference_foot="left",
                                        config=cfg) == pytest.approx(0.0, abs=1e-9)
