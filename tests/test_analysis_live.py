"""analysis.live against the generator's truth (contacts, stride timing), and LatestFrames
against frames made by the profile encoder from known kPa."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from analysis.config import GaitConfig
from analysis.layouts import GAITPDB_8, SOLEWATCH_16
from analysis.live import (
    cop_mm,
    cop_trail_mm,
    count_new_contacts,
    gait_numbers,
    min_window_s,
    temperature_difference,
)
from analysis.sites import SITES
from analysis.streams import PressureStream
from firmware_bridge import profile
from firmware_bridge.ble.peripheral import default_calibration
from firmware_bridge.stream.latest import LatestFrames
from fixtures.generator import generate_gait

HZ = 100.0


@pytest.fixture(scope="module")
def walk():
    return generate_gait(SOLEWATCH_16, sample_rate_hz=HZ, duration_s=120.0, seed=3)


def window(stream: PressureStream, t0: float, t1: float) -> PressureStream:
    i0, i1 = np.searchsorted(stream.time_s, [t0, t1])
    return PressureStream(time_s=stream.time_s[i0:i1], left=stream.left[i0:i1],
                          right=stream.right[i0:i1], layout=stream.layout, unit=stream.unit,
                          sample_rate_hz=stream.sample_rate_hz)


def truth_in(truth, foot: str, t0: float, t1: float, which: str = "initial") -> np.ndarray:
    c = getattr(truth, f"{which}_contact_s")[foot]
    return c[(c >= t0) & (c <= t1)]


def walking_window(truth, length: float = 20.0) -> tuple[float, float]:
    b0, b1 = truth.bouts_s[np.argmax(truth.bouts_s[:, 1] - truth.bouts_s[:, 0])]
    assert b1 - b0 > length + 4.0, "the generated walk needs a bout longer than the window"
    return b0 + 2.0, b0 + 2.0 + length


def test_gait_numbers_match_the_generated_contacts_cadence_and_stance(walk):
    stream, truth = walk
    t0, t1 = walking_window(truth)
    g = gait_numbers(window(stream, t0, t1))
    all_true = []
    for foot in ("left", "right"):
        true_ic = truth_in(truth, foot, t0, t1)
        found = g.contacts_s[foot]
        # every true contact well inside the window is found within 50 ms (clinical.md)
        inner = true_ic[(true_ic > t0 + 0.5) & (true_ic < t1 - 0.5)]
        err = np.abs(found[np.argmin(np.abs(found[:, None] - inner[None, :]), axis=0)] - inner)
        assert inner.size >= 8 and np.all(err < 0.05), (foot, err)
        all_true.append(true_ic)
        # stance: median of the true final minus initial contact of each stride
        fc = truth.final_contact_s[foot]
        stance = [fc[(fc > a) & (fc < b)][0] - a for a, b in pairwise(true_ic)
                  if ((fc > a) & (fc < b)).sum() == 1]
        assert g.stance_s[foot] == pytest.approx(float(np.median(stance)), abs=0.03)
    steps = np.sort(np.concatenate(all_true))
    true_cadence = 60.0 / float(np.median(np.diff(steps)))
    assert g.cadence_steps_per_min == pytest.approx(true_cadence, rel=0.03)


def test_gait_numbers_are_none_when_the_window_is_too_short(walk):
    stream, truth = walk
    t0, _ = walking_window(truth)
    short = min_window_s(GaitConfig()) - 1.0
    g = gait_numbers(window(stream, t0, t0 + short))
    assert g.cadence_steps_per_min is None and g.stance_s == {"left": None, "right": None}
    assert "gait needs" in g.reason
    assert gait_numbers(None).cadence_steps_per_min is None


def test_cadence_is_zero_while_standing_after_walking(walk):
    stream, truth = walk
    b1 = truth.bouts_s[0][1]
    standing = truth.standing_s[truth.standing_s[:, 0] >= b1 - 0.5]
    assert standing.size, "the generated day stands after its first bout"
    s0, s1 = standing[0]
    assert s1 - s0 > 6.0
    # a window that ends well into the standing: steps in it, none for a while
    g = gait_numbers(window(stream, s0 + 6.0 - 20.0, s0 + 6.0))
    assert g.n_steps >= 4 and g.cadence_steps_per_min == 0.0


def test_steps_are_counted_once_across_overlapping_windows(walk):
    stream, truth = walk
    b0, b1 = truth.bouts_s[0]
    last = {"left": None, "right": None}
    total = 0
    end = b0
    while end < b1 + 3.0:  # windows of 20 s, moved on by 0.5 s, as the hub does
        end += 0.5
        g = gait_numbers(window(stream, max(0.0, end - 20.0), end))
        for foot, c in g.contacts_s.items():
            n, last[foot] = count_new_contacts(c, last[foot])
            total += n
    true_steps = sum(truth_in(truth, f, b0 - 1.0, b1 + 3.0).size for f in ("left", "right"))
    assert abs(total - true_steps) <= 2, (total, true_steps)


def test_cop_of_one_frame_is_the_load_weighted_sensor_position():
    k = SOLEWATCH_16.n_sensors
    kpa = np.zeros(k)
    heel = SOLEWATCH_16.sensor_ids.index("heel_medial")
    hallux = SOLEWATCH_16.sensor_ids.index("hallux")
    kpa[heel], kpa[hallux] = 300.0, 100.0  # equal areas: weights 3:1
    x, y = cop_mm(kpa, SOLEWATCH_16, "right")
    want = (3 * SOLEWATCH_16.x_mm[heel] + SOLEWATCH_16.x_mm[hallux]) / 4
    assert x == pytest.approx(want) and y == pytest.approx(
        (3 * SOLEWATCH_16.y_mm[heel] + SOLEWATCH_16.y_mm[hallux]) / 4)
    assert cop_mm(kpa, SOLEWATCH_16, "left")[0] == pytest.approx(-want)  # mirrored
    # a NaN sensor is left out, not the whole frame
    with_nan = kpa.copy()
    with_nan[0] = np.nan
    assert cop_mm(with_nan, SOLEWATCH_16, "right") is not None
    assert cop_mm(np.zeros(k), SOLEWATCH_16, "right") is None
    assert cop_mm(np.full(k, np.nan), SOLEWATCH_16, "right") is None
    with pytest.raises(ValueError, match="16 sensor values"):
        cop_mm(np.zeros(8), SOLEWATCH_16, "right")


def test_cop_trail_follows_the_stance_from_heel_to_toes(walk):
    stream, truth = walk
    ic = truth.initial_contact_s["right"][3]
    fc = truth.final_contact_s["right"][truth.final_contact_s["right"] > ic][0]
    i0, i1 = np.searchsorted(stream.time_s, [ic + 0.03, fc - 0.03])
    trail = cop_trail_mm(stream.right[i0:i1], SOLEWATCH_16, "right")
    ok = np.isfinite(trail).all(axis=1)
    assert ok.mean() > 0.9
    y = trail[ok, 1]
    assert y[-1] - y[0] > 100.0  # heel (about 30 mm) to forefoot (about 180 mm)
    assert cop_trail_mm(np.full((5, 8), np.nan), GAITPDB_8, "left", unit="N").shape == (5, 2)


def test_temperature_difference_per_site():
    left = np.array([30.0, 31.0, np.nan, 29.0, 28.0, 27.5])
    right = np.array([29.0, 28.5, 30.0, np.nan, 28.0, 27.0])
    d = temperature_difference(left, right)
    assert d == [pytest.approx(1.0), pytest.approx(2.5), None, None, pytest.approx(0.0),
                 pytest.approx(0.5)]
    assert temperature_difference(left, None) == [None] * len(SITES)
    with pytest.raises(ValueError, match="6 sites"):
        temperature_difference(left[:4], right[:4])


# -- LatestFrames (firmware_bridge.stream.latest) ----------------------------------------------


def frames_for(kpa: np.ndarray, cal, mtu: int, seq0: int = 0) -> list[bytes]:
    return profile.encode_pressure_frames(cal.to_counts(kpa), seq0=seq0, tick0=0,
                                          ticks_per_sample=10.0, mtu=mtu)


@pytest.mark.parametrize("mtu", [23, 247])
def test_latest_frames_decode_the_newest_sample_in_kpa(mtu):
    cal = default_calibration(16, seed=2)
    rates = profile.Rates(100, 1000, 1000)
    latest = LatestFrames()
    latest.configure("left", profile.encode_layout(SOLEWATCH_16),
                     profile.encode_calibration(cal), profile.encode_rates(rates))
    kpa = np.linspace(0.0, 300.0, 16)[None, :] + np.arange(5)[:, None] * 10.0
    kpa[:, 3] = np.nan  # an invalid sensor stays NaN
    for i, frame in enumerate(frames_for(kpa, cal, mtu)):
        latest.feed("left", 1000.0 + 0.01 * i, profile.PRESSURE_UUID, frame)
    foot = latest.foot("left")
    want = cal.to_kpa(cal.to_counts(kpa[-1:]))[0]
    np.testing.assert_allclose(foot.kpa, want, rtol=1e-6)
    assert np.isnan(foot.kpa[3]) and foot.bad == 0
    t, rows = latest.trail("left", 0.0)
    assert rows.shape == (5, 16) and np.all(np.diff(t) > 0)
    temps = np.array([[30.0, 31.0, 32.0, 33.0, np.nan, 29.5]])
    tf = profile.encode_temperature_frames(temps, ticks_per_sample=1000.0, mtu=mtu)
    latest.feed("left", 1001.0, profile.TEMPERATURE_UUID, tf[0])
    np.testing.assert_allclose(latest.foot("left").temp_c, temps[0])
    assert latest.foot("left").temperature_time_s == 1001.0


def test_latest_frames_count_bad_frames_and_never_raise():
    cal = default_calibration(16)
    latest = LatestFrames()
    good = frames_for(np.full((1, 16), 100.0), cal, 247)[0]
    latest.feed("left", 1.0, "pressure", good)  # not configured yet: counted
    latest.configure("left", SOLEWATCH_16, cal, profile.Rates(100, 1000, 1000))
    latest.feed("left", 2.0, "pressure", good[:5])          # truncated header
    latest.feed("left", 3.0, "pressure", good[:-2])         # truncated body
    latest.feed("left", 4.0, "pressure", b"\x09" + good[1:])  # wrong version
    latest.feed("left", 5.0, "temperature", good)            # pressure frame as temperature
    half = frames_for(np.full((1, 16), 50.0), cal, 23)
    latest.feed("left", 6.0, "pressure", half[1])            # second half without the first
    foot = latest.foot("left")
    assert foot.bad == 6 and foot.kpa is None
    assert foot.reasons["not described"] == 1 and foot.reasons["header"] == 1
    latest.feed("left", 7.0, "pressure", good)
    np.testing.assert_allclose(latest.foot("left").kpa, cal.to_kpa(cal.to_counts(
        np.full((1, 16), 100.0)))[0])
