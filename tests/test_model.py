"""The data model validates once, with errors that say what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from analysis.errors import InputError
from analysis.layouts import GAITPDB_8, LAYOUTS, SOLEWATCH_16, SensorLayout, get_layout
from analysis.sites import FEET, REGIONS, SITES
from analysis.streams import PressureStream, TemperatureStream

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def _pressure(**kw):
    n = kw.pop("n", 50)
    args = dict(
        time_s=np.arange(n) / 100.0,
        left=np.ones((n, 16)),
        right=np.ones((n, 16)),
        layout=SOLEWATCH_16,
        unit="kPa",
        sample_rate_hz=100.0,
        source="test.csv",
    )
    args.update(kw)
    return PressureStream(**args)


def test_layouts_mirror_left_foot_and_cover_regions():
    for layout in LAYOUTS.values():
        right = layout.positions_mm("right")
        left = layout.positions_mm("left")
        assert np.allclose(left[:, 0], -right[:, 0])
        assert np.allclose(left[:, 1], right[:, 1])
        assert set(layout.region_sensors()) <= set(REGIONS)
    assert set(SOLEWATCH_16.region_sensors()) == set(REGIONS)
    assert GAITPDB_8.n_sensors == 8
    assert get_layout("solewatch-16") is SOLEWATCH_16
    with pytest.raises(ValueError, match="unknown sensor layout"):
        get_layout("nope")


def test_layout_rejects_unknown_region_and_bad_shapes():
    with pytest.raises(ValueError, match="unknown regions"):
        SensorLayout("x", ("a",), np.zeros(1), np.zeros(1), ("ankle",))
    with pytest.raises(ValueError, match="2 sensors but x_mm"):
        SensorLayout("x", ("a", "b"), np.zeros(3), np.zeros(2), ("heel", "heel"))


def test_pressure_stream_records_invalid_fraction():
    left = np.ones((50, 16))
    left[10:20, 3] = np.nan
    s = _pressure(left=left, right=None)
    assert s.invalid_fraction == {"left": pytest.approx(0.2), "right": 1.0}
    assert s.feet() == ("left",)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_s": np.array([0.0, 0.01, 0.01] + [0.02 + i / 100 for i in range(47)])},
         "times must increase strictly: sample 2"),
        ({"left": np.ones((50, 8))}, r"left insole: expected shape \(50, 16\)"),
        ({"unit": "psi"}, "unit must be one of"),
        ({"left": None, "right": None}, "neither a left nor a right insole"),
        ({"right": np.full((50, 16), 250_000.0)}, "is the unit wrong"),
        ({"sample_rate_hz": 0}, "sample_rate_hz must be a positive number"),
    ],
)
def test_pressure_stream_errors_say_what_is_wrong(kwargs, message):
    with pytest.raises(InputError, match=message) as info:
        _pressure(**kwargs)
    assert "test.csv" in str(info.value)


def test_pressure_stream_rejects_infinity_with_sample_number():
    right = np.ones((50, 16))
    right[7, 2] = np.inf
    with pytest.raises(InputError, match="sample 7 holds an infinite value"):
        _pressure(right=right)


def test_temperature_stream_shapes_and_units():
    n = 4
    v = np.full((n, len(FEET), len(SITES)), 30.0)
    v[1, 0, 2] = np.nan
    s = TemperatureStream(time_s=np.arange(n) * 60.0, values_c=v, start=T0)
    assert s.foot("left").shape == (n, 6)
    assert s.has_foot("right")
    with pytest.raises(InputError, match=r"°F\?"):
        TemperatureStream(time_s=np.arange(n) * 60.0, values_c=v * 3, start=T0)
    with pytest.raises(InputError, match="kelvin"):
        TemperatureStream(time_s=np.arange(n) * 60.0, values_c=v + 273.15, start=T0)
    with pytest.raises(InputError, match="aware datetime"):
        TemperatureStream(time_s=np.arange(n) * 60.0, values_c=v, start=T0.replace(tzinfo=None))
    with pytest.raises(InputError, match=r"expected shape \(4, 2, 6\)"):
        TemperatureStream(time_s=np.arange(n) * 60.0, values_c=v[:, :, :5], start=T0)
