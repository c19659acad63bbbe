"""The Live page's static drawing data (dashboard/live/geometry.py), without a browser."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.config import PressureConfig, TemperatureConfig
from analysis.layouts import (
    GAITPDB_8,
    SOLEWATCH_16,
    SOLEWATCH_16_OUTLINE_MM,
    insole_outline_mm,
)
from analysis.sites import SITE_POSITIONS_MM, SITES
from dashboard.live import geometry as g


@pytest.fixture(scope="module")
def geo():
    return g.live_geometry(SOLEWATCH_16)


def _weights(geo, foot):
    return g.decode_weights(geo["feet"][foot]["weights_u16"], geo["n_sensors"])


@pytest.mark.parametrize("foot", ["left", "right"])
def test_weights_of_every_cell_sum_to_one(geo, foot):
    w = _weights(geo, foot)
    assert w.shape == (len(geo["feet"][foot]["cells"]), SOLEWATCH_16.n_sensors)
    assert np.all(w >= 0)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=16 / g.WEIGHT_SCALE)
    points = np.random.default_rng(1).uniform(-40, 40, size=(50, 2)) + np.array([0, 120])
    np.testing.assert_allclose(g.idw_weights(points, SOLEWATCH_16.positions_mm(foot))
                               .sum(axis=1), 1.0, rtol=1e-12)


def test_a_point_on_a_sensor_takes_its_value_and_values_stay_within_the_sensors():
    sensors = SOLEWATCH_16.positions_mm("right")
    values = np.linspace(10.0, 160.0, SOLEWATCH_16.n_sensors)
    w = g.idw_weights(sensors, sensors)
    np.testing.assert_allclose(w @ values, values)
    between = g.idw_weights(np.array([[0.0, 100.0], [10.0, 200.0]]), sensors) @ values
    assert np.all((between > values.min()) & (between < values.max()))


@pytest.mark.parametrize("foot", ["left", "right"])
def test_the_cell_holding_a_sensor_is_led_by_that_sensor(geo, foot):
    f = geo["feet"][foot]
    w = _weights(geo, foot)
    where = {cell: k for k, cell in enumerate(f["cells"])}
    for i, (col, row) in enumerate(f["sensors"]):
        k = where[int(row) * f["cols"] + int(col)]
        assert int(np.argmax(w[k])) == i, geo["sensor_ids"][i]


def test_sensor_without_value_is_skipped_by_renormalising(geo):
    w = _weights(geo, "right")
    values = np.full(SOLEWATCH_16.n_sensors, 50.0)
    values[3] = np.nan
    valid = ~np.isnan(values)
    shown = (w[:, valid] @ values[valid]) / w[:, valid].sum(axis=1)
    np.testing.assert_allclose(shown, 50.0)


def test_outline_of_the_left_is_the_mirror_of_the_right(geo):
    right, left = insole_outline_mm(SOLEWATCH_16, "right"), insole_outline_mm("solewatch-16",
                                                                              "left")
    np.testing.assert_array_equal(right, SOLEWATCH_16_OUTLINE_MM)
    np.testing.assert_array_equal(left[:, 0], -right[:, 0])
    np.testing.assert_array_equal(left[:, 1], right[:, 1])
    fl, fr = geo["feet"]["left"], geo["feet"]["right"]
    assert (fl["cols"], fl["rows"]) == (fr["cols"], fr["rows"])
    cols = fr["cols"]
    assert sorted((c // cols) * cols + (cols - 1 - c % cols) for c in fr["cells"]) == fl["cells"]
    # the big toe sensor is on the inner side: right of centre for the left foot
    hallux = geo["sensor_ids"].index("hallux")
    assert fl["sensors"][hallux][0] > cols / 2 > fr["sensors"][hallux][0]


@pytest.mark.parametrize("foot", ["left", "right"])
def test_every_sensor_and_site_is_inside_the_outline(geo, foot):
    raw = insole_outline_mm(SOLEWATCH_16, foot)
    drawn = g.smooth_outline(raw)
    sign = -1 if foot == "left" else 1
    sites = np.array([(sign * SITE_POSITIONS_MM[s][0], SITE_POSITIONS_MM[s][1]) for s in SITES])
    for points in (SOLEWATCH_16.positions_mm(foot), sites):
        for outline in (raw, drawn):
            assert np.all(g.inside_polygon(points, outline))
            assert g.distance_to_polygon(points, outline).min() >= 8.0
    f = geo["feet"][foot]
    cells = set(f["cells"])
    for col, row in f["sensors"] + f["sites"]:
        assert int(row) * f["cols"] + int(col) in cells


def test_inside_polygon_on_a_square():
    square = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], dtype=float)
    got = g.inside_polygon(np.array([[5, 5], [11, 5], [-1, -1], [9.9, 0.1]]), square)
    assert got.tolist() == [True, False, False, True]


def test_colour_table_has_256_entries_with_rising_luminance(geo):
    lut = g.colour_lut()
    assert lut.shape == (256, 3) and lut.dtype == np.uint8
    assert len(geo["lut"]) == 256 * 3
    lum = g.relative_luminance(lut)
    assert np.all(np.diff(lum) >= 0) and lum[-1] > 10 * lum[0]
    assert lut[0].tolist() == [0x44, 0x01, 0x54] and lut[-1].tolist() == [0xFD, 0xE7, 0x25]
    # no grey in the scale: grey means "no value" on the map
    assert np.all(lut.max(axis=1).astype(int) - lut.min(axis=1) > 20)


def test_static_data_carries_scale_threshold_and_is_json(geo):
    assert geo["kpa_min"] == 0.0
    assert geo["kpa_max"] == PressureConfig().peak_target_kpa
    assert geo["temp_diff_threshold_c"] == TemperatureConfig().contralateral_site_delta_c
    assert geo["sites"] == list(SITES) and len(geo["site_labels"]) == len(SITES)
    assert len(geo["feet"]["left"]["sites"]) == len(SITES)
    assert json.loads(json.dumps(geo, allow_nan=False)) == geo


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"'gaitpdb-8' has no insole outline"):
        g.live_geometry(GAITPDB_8)
    with pytest.raises(ValueError, match="foot must be one of"):
        g.foot_geometry(SOLEWATCH_16, "middle")
    with pytest.raises(ValueError, match="sensors must be"):
        g.idw_weights(np.zeros((1, 2)), np.zeros((0, 2)))
    with pytest.raises(ValueError, match="'#rrggbb'"):
        g.colour_lut(("red", "#ffffff"))
    with pytest.raises(ValueError, match="whole number of rows"):
        g.decode_weights(g.encode_weights(np.full((3, 5), 0.2)), 4)
