"""Pressure calibration, regional peak / pressure-time integral, and sustained-pressure alerts
on constructed streams whose answers are known by construction."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from analysis.alerts import SUSTAINED_PRESSURE
from analysis.config import PressureConfig
from analysis.errors import InputError
from analysis.layouts import GAITPDB_8, SOLEWATCH_16
from analysis.pressure import (
    Calibration,
    calibrate_counts_to_kpa,
    calibrate_stream,
    pressure_report,
    region_pressure_summary,
    sustained_pressure_alerts,
)
from analysis.streams import PressureStream

K = SOLEWATCH_16.n_sensors
REGIONS = np.array(SOLEWATCH_16.regions)
HEEL = np.flatnonzero(REGIONS == "heel")  # three sensors
MTH1 = np.flatnonzero(REGIONS == "mth1")


def _stream(left, right=None, *, fs=100.0, unit="kPa", layout=SOLEWATCH_16, start=None):
    n = left.shape[0]
    return PressureStream(time_s=np.arange(n) / fs, left=left, right=right, layout=layout,
                          unit=unit, sample_rate_hz=fs, start=start, source="test.csv")


# ----------------------------------------------------------------------------- calibration


@pytest.mark.parametrize("exponent", [None, 1.0, 1.6])
def test_calibration_round_trip(exponent):
    rng = np.random.default_rng(0)
    kpa = rng.uniform(0, 300, (500, K))
    gain = rng.uniform(0.2, 0.5, K)
    offset = rng.uniform(20, 60, K)
    e = np.ones(K) if exponent is None else np.full(K, exponent)
    counts = offset + (kpa / gain) ** (1 / e)  # inverse of the calibration
    back = calibrate_counts_to_kpa(counts, gain_kpa_per_count=gain, offset_counts=offset,
                                   exponent=None if exponent is None else e)
    np.testing.assert_allclose(back, kpa, rtol=1e-9, atol=1e-9)


def test_calibration_clips_negatives_keeps_nan_and_float32():
    counts = np.array([[10.0, 50.0], [np.nan, 80.0]], dtype=np.float32)
    out = calibrate_counts_to_kpa(counts, gain_kpa_per_count=np.array([2.0, 0.5]),
                                  offset_counts=np.array([20.0, 40.0]))
    assert out.dtype == np.float32
    assert out[0, 0] == 0.0  # below offset -> 0, not negative
    assert out[0, 1] == pytest.approx(5.0)
    assert np.isnan(out[1, 0])
    assert out[1, 1] == pytest.approx(20.0)
    assert counts[0, 0] == 10.0  # input untouched


def test_calibrate_stream_per_foot_coefficients():
    n = 200
    raw_l = np.full((n, K), 150.0)
    raw_r = np.full((n, K), 150.0)
    raw_r[5, 3] = np.nan
    cal = Calibration(gain_kpa_per_count=np.stack([np.full(K, 1.0), np.full(K, 2.0)]),
                      offset_counts=np.full(K, 50.0))
    out = calibrate_stream(_stream(raw_l, raw_r, unit="raw"), cal)
    assert out.unit == "kPa"
    assert np.all(out.left == 100.0)
    assert out.right[0, 0] == 200.0
    assert np.isnan(out.right[5, 3])
    assert out.invalid_fraction["right"] == pytest.approx(1 / n)
    with pytest.raises(InputError, match="already in 'kPa'"):
        calibrate_stream(out, cal)
    with pytest.raises(InputError, match="coefficients"):
        calibrate_stream(_stream(raw_l, unit="raw"),
                         Calibration(np.ones(K - 1), np.zeros(K - 1)))


# ----------------------------------------------------------------------------- summary


def test_peak_pti_mean_on_constructed_data():
    fs, seconds = 100.0, 10.0
    n = int(fs * seconds)
    v = np.zeros((n, K))
    v[:, HEEL] = [50.0, 80.0, 110.0]  # region mean 80 kPa, max sensor 110 kPa
    v[: n // 2, MTH1] = 40.0  # 5 s at 40 kPa
    v[100, MTH1[0]] = 250.0  # one sample above the 200 kPa target
    s = region_pressure_summary(_stream(v, fs=fs))
    heel = s["left"]["heel"]
    assert heel["basis"] == "pressure"
    assert heel["peak_kpa"] == pytest.approx(110.0)
    assert heel["mean_kpa"] == pytest.approx(80.0)
    assert heel["pti_kpa_s"] == pytest.approx(80.0 * seconds)
    assert heel["peak_above_target"] is False
    mth1 = s["left"]["mth1"]
    assert mth1["peak_kpa"] == pytest.approx(250.0)
    assert mth1["peak_above_target"] is True
    # PTI: 499 samples at 40 + one sample at mean (250 + 40) / 2 = 145, each 0.01 s
    assert mth1["pti_kpa_s"] == pytest.approx((499 * 40 + 145) / fs)
    assert s["left"]["toes"]["pti_kpa_s"] == 0.0
    assert "right" not in s
    assert set(s["left"]) == set(SOLEWATCH_16.regions)


def test_summary_newtons_with_areas_become_kpa():
    n = 300
    v = np.zeros((n, K))
    v[:, HEEL] = 19.2  # N on 192 mm^2 = 100 kPa
    s = region_pressure_summary(_stream(v, unit="N"))
    assert s["left"]["heel"]["peak_kpa"] == pytest.approx(100.0)
    assert s["left"]["heel"]["mean_kpa"] == pytest.approx(100.0)


def test_summary_newtons_without_areas_reports_force():
    k = GAITPDB_8.n_sensors
    heel = np.flatnonzero(np.array(GAITPDB_8.regions) == "heel")
    n, fs = 500, 100.0
    v = np.zeros((n, k))
    v[:, heel] = [100.0, 200.0, 300.0]
    v[250, heel[0]] = 400.0
    s = region_pressure_summary(_stream(v, unit="N", layout=GAITPDB_8, fs=fs))
    h = s["left"]["heel"]
    assert h["basis"] == "force"
    assert "peak_kpa" not in h
    assert h["peak_n"] == pytest.approx(900.0)  # region total force
    assert h["fti_n_s"] == pytest.approx((600.0 * (n - 1) + 900.0) / fs)
    with pytest.raises(InputError, match="need pressure"):
        sustained_pressure_alerts(_stream(v, unit="N", layout=GAITPDB_8))


def test_summary_raw_is_none():
    assert region_pressure_summary(_stream(np.ones((10, K)), unit="raw")) is None


def test_summary_nan_handling():
    n = 1000
    v = np.zeros((n, K))
    v[:, HEEL] = [60.0, 60.0, 90.0]
    v[:100, HEEL[2]] = np.nan  # one heel sensor invalid: mean of the other two (60)
    v[100:200, HEEL] = np.nan  # whole heel invalid: these samples do not count
    s = region_pressure_summary(_stream(v))["left"]["heel"]
    assert s["mean_kpa"] == pytest.approx((100 * 60 + 800 * 70) / 900)
    assert s["pti_kpa_s"] == pytest.approx((100 * 60 + 800 * 70) / 100.0)
    assert s["peak_kpa"] == pytest.approx(90.0)
    # other regions are unaffected by the heel's NaN
    assert region_pressure_summary(_stream(v))["left"]["toes"]["mean_kpa"] == 0.0


# ----------------------------------------------------------------------------- alerts

FS_ALERT = 2.0  # a slow rate keeps the 30-minute streams small; the rule is time-based


def _heel_stream(segments, *, start=None):
    """Heel region at a given kPa for given seconds: segments = [(seconds, kpa), ...]."""
    parts = []
    for seconds, kpa in segments:
        block = np.zeros((round(seconds * FS_ALERT), K), dtype=np.float32)
        block[:, HEEL] = kpa
        parts.append(block)
    v = np.concatenate(parts)
    return _stream(v, v.copy(), fs=FS_ALERT, start=start)


def test_sustained_fires_after_15_minutes_not_at_14():
    cfg = PressureConfig()
    kpa = 20.0
    assert kpa > cfg.sustained_kpa
    fires = sustained_pressure_alerts(_heel_stream([(60, 0), (15 * 60 + 30, kpa), (60, 0)]),
                                      cfg)
    assert len(fires) == 2  # both feet
    a = fires[0]
    assert a.rule == SUSTAINED_PRESSURE
    assert {x.foot for x in fires} == {"left", "right"}
    assert a.site == "heel"
    assert a.delta_c is None
    assert a.first_day is None and a.confirmed_day is None  # no wall-clock start
    ev = a.evidence
    assert ev["region"] == "heel"
    assert ev["start_s"] == pytest.approx(60.0)
    assert ev["duration_s"] == pytest.approx(15 * 60 + 30)
    assert ev["mean_kpa"] == pytest.approx(kpa)
    assert ev["threshold_kpa"] == pytest.approx(cfg.sustained_kpa)
    assert ev["threshold_duration_s"] == pytest.approx(cfg.sustained_duration_s)
    assert ev["source"] == "test.csv"
    assert "heel" in a.message and "15 minutes" in a.message
    assert sustained_pressure_alerts(_heel_stream([(60, 0), (14 * 60, kpa), (60, 0)]), cfg) == []


def test_brief_weight_shifts_do_not_reset_but_real_breaks_do():
    cfg = PressureConfig()
    kpa = 20.0
    shifted = _heel_stream([(8 * 60, kpa), (5, 0.0), (8 * 60, kpa), (4, 1.0), (60, kpa)])
    alerts = [a for a in sustained_pressure_alerts(shifted, cfg) if a.foot == "left"]
    assert len(alerts) == 1
    ev = alerts[0].evidence
    assert ev["start_s"] == 0.0
    assert ev["duration_s"] == pytest.approx(17 * 60 + 9)
    assert ev["mean_kpa"] == pytest.approx((17 * 60 * kpa + 4 * 1.0) / (17 * 60 + 9))
    broken = _heel_stream([(8 * 60, kpa), (30, 0.0), (8 * 60, kpa)])
    assert sustained_pressure_alerts(broken, cfg) == []
    longer_gap = dataclasses.replace(cfg, sustained_max_gap_s=60.0)
    assert len(sustained_pressure_alerts(broken, longer_gap)) == 2


def test_sustained_episode_day_from_wall_clock_start():
    start = datetime(2026, 3, 1, 23, 55, tzinfo=timezone(timedelta(hours=1)))
    s = _heel_stream([(10 * 60, 0.0), (16 * 60, 20.0)], start=start)
    alerts = sustained_pressure_alerts(s)
    assert alerts[0].first_day == date(2026, 3, 2)  # episode starts at 00:05 local
    assert alerts[0].confirmed_day == date(2026, 3, 2)
    assert "00:05" in alerts[0].message
    assert alerts[0].to_dict()["evidence"]["duration_s"] == pytest.approx(16 * 60)


def test_sustained_nan_samples_count_as_not_above():
    base = _heel_stream([(16 * 60, 20.0)]).left
    i0 = int(8 * 60 * FS_ALERT)
    long_gap = base.copy()
    long_gap[i0 : i0 + int(60 * FS_ALERT)] = np.nan  # a minute of invalid samples
    assert sustained_pressure_alerts(_stream(long_gap, fs=FS_ALERT)) == []
    short_gap = base.copy()
    short_gap[i0 : i0 + int(5 * FS_ALERT)] = np.nan  # five seconds: bridged
    alerts = sustained_pressure_alerts(_stream(short_gap, fs=FS_ALERT))
    assert len(alerts) == 1
    assert alerts[0].evidence["mean_kpa"] == pytest.approx(20.0)


def test_pressure_report_matches_the_separate_functions():
    s = _heel_stream([(60, 0.0), (16 * 60, 20.0), (30, 0.0)])
    report = pressure_report(s)
    assert report.summary == region_pressure_summary(s)
    assert [a.to_dict() for a in report.alerts] == [
        a.to_dict() for a in sustained_pressure_alerts(s)
    ]
    assert len(report.alerts) == 2
    raw = pressure_report(_stream(np.ones((10, K)), unit="raw"))
    assert raw.summary is None and raw.alerts == []


def test_walking_is_not_sustained_pressure():
    fs = 10.0
    t = np.arange(0, 40 * 60, 1 / fs)
    phase = (t / 1.1) % 1.0
    v = np.zeros((t.size, K), dtype=np.float32)
    v[:, HEEL] = np.where(phase < 0.45, 120.0, 0.0)[:, None]  # heel loaded 0.5 s per stride
    assert sustained_pressure_alerts(_stream(v, fs=fs)) == []
    # 14 min standing then 10 min walking: the walking must not extend the standing episode
    stand = np.zeros((int(14 * 60 * fs), K), dtype=np.float32)
    stand[:, HEEL] = 60.0
    mixed = np.concatenate([stand, v[: int(10 * 60 * fs)]])
    assert sustained_pressure_alerts(_stream(mixed, fs=fs)) == []
    shorter_runs = dataclasses.replace(PressureConfig(), sustained_min_run_s=0.1)
    assert len(sustained_pressure_alerts(_stream(mixed, fs=fs), shorter_runs)) == 1
