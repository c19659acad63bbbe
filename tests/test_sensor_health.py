"""Broken pressure sensors are found and named, and never cost a whole foot."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analysis.config import AnalysisConfig, PressureConfig
from analysis.layouts import SOLEWATCH_16
from analysis.load import foot_load
from analysis.pipeline import analyze
from analysis.sensor_health import pressure_sensor_faults
from analysis.streams import PressureStream
from fixtures.generator import generate_gait

CFG = PressureConfig()


def _replace(stream: PressureStream, **arrays) -> PressureStream:
    return dataclasses.replace(stream, **arrays)


@pytest.mark.parametrize("rate_hz", [50, 100, 200])
def test_sensor_that_goes_silent_is_found_at_its_onset(rate_hz):
    stream, truth = generate_gait(
        SOLEWATCH_16, sample_rate_hz=rate_hz, duration_s=180, scenario="sensor_fault", seed=3
    )
    foot, sensor, onset_s = truth.dropped_sensor
    faults = pressure_sensor_faults(stream, foot_load(stream), CFG)
    assert [(f.foot, f.sensor_id, f.kind) for f in faults] == [(foot, sensor, "silent")]
    # the onset is the last response under load before the failure: within one stance
    assert onset_s - 1.5 <= faults[0].start_s <= onset_s + 0.1
    assert sensor in faults[0].reason and "not monitored" in faults[0].reason


def test_healthy_insoles_have_no_faults():
    for seed in range(3):
        stream, _ = generate_gait(SOLEWATCH_16, sample_rate_hz=100, duration_s=180, seed=seed)
        assert pressure_sensor_faults(stream, foot_load(stream), CFG) == []


def test_real_gaitpdb_recordings_have_no_silent_sensor(shared_data):
    """On 30 real recordings no working sensor is called broken (false faults erode trust)."""
    from firmware_bridge.readers.physionet import read_gaitpdb

    files = sorted((shared_data / "gaitpdb").glob("[GJS]*_*.*"))
    assert len(files) == 30
    for path in files:
        stream = read_gaitpdb(path)
        assert pressure_sensor_faults(stream, foot_load(stream), CFG) == [], path.name


def test_calf_raises_do_not_make_heel_sensors_look_dead():
    """Heels unloaded during a set of calf raises at the very end are not a sensor failure."""
    stream, truth = generate_gait(SOLEWATCH_16, sample_rate_hz=100, duration_s=180, seed=1)
    t0, t1 = truth.calf_raise_s[0, 0], truth.calf_raise_s[-1, 1]
    keep = stream.time_s <= t1 + 0.5  # the recording ends right after the raises
    cut = dataclasses.replace(
        stream, time_s=stream.time_s[keep], left=stream.left[keep], right=stream.right[keep]
    )
    assert t1 - t0 > 20
    assert pressure_sensor_faults(cut, foot_load(cut), CFG) == []


def test_invalid_sensor_is_left_out_and_the_foot_is_kept():
    stream, truth = generate_gait(SOLEWATCH_16, sample_rate_hz=100, duration_s=180, seed=2)
    right = stream.right.copy()
    j = SOLEWATCH_16.sensor_ids.index("mth5")
    right[:, j] = np.nan  # the sensor's wire broke: every reading invalid
    right[5000:5010, :] = np.nan  # and a short dropout of the whole insole
    broken = _replace(stream, right=right)
    loads = foot_load(broken)
    assert loads["right"].excluded_sensors == ("mth5",)
    assert np.isnan(loads["right"].total[5000:5010]).all()
    assert np.isfinite(loads["right"].total[:5000]).all()
    faults = pressure_sensor_faults(broken, loads, CFG)
    assert [(f.foot, f.sensor_id, f.kind) for f in faults] == [("right", "mth5", "invalid")]
    # the right foot's contacts are still found, as well as with the intact insole
    result = analyze(pressure=broken, config=AnalysisConfig())
    found = result.gait.events["right"].initial_contacts_s
    true = truth.initial_contact_s["right"]
    matched = np.abs(found[:, None] - true[None, :]).min(axis=0) < 0.05
    assert matched.mean() > 0.9
    assert any("mth5" in n for n in result.notes)
