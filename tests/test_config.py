"""Every threshold is named, has a unit and a source, and can be overridden safely."""

from __future__ import annotations

import pytest

from analysis.config import AnalysisConfig, config_from_mapping, describe
from analysis.errors import InputError
from solewatch.settings import load_config


def test_every_setting_has_unit_and_source():
    rows = describe()
    assert rows, "no settings described"
    for row in rows:
        assert row["unit"], f"{row['section']}.{row['name']} has no unit"
        assert len(row["source"]) > 20, f"{row['section']}.{row['name']} cites no source"


def test_defaults_are_the_published_ones():
    cfg = AnalysisConfig()
    assert cfg.temperature.contralateral_site_delta_c == 2.2
    assert cfg.temperature.consecutive_days == 2
    assert cfg.pressure.sustained_kpa == pytest.approx(4.666, abs=0.01)  # 35 mmHg
    assert cfg.pressure.sustained_duration_s == 900


def test_toml_override_and_errors(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[temperature]\ncontralateral_site_delta_c = 2\n")
    assert load_config(p).temperature.contralateral_site_delta_c == 2.0
    with pytest.raises(InputError, match=r"temperature\.threshold"):
        config_from_mapping({"temperature": {"threshold": 1}})
    with pytest.raises(InputError, match="expected int"):
        config_from_mapping({"temperature": {"consecutive_days": 1.5}})
    with pytest.raises(InputError, match="unknown section"):
        config_from_mapping({"gaits": {}})
    p.write_text("[temperature\n")
    with pytest.raises(InputError, match="not valid TOML"):
        load_config(p)


def test_reference_ranges_are_numeric_where_charts_need_them():
    """Charts draw the typical band from analysis.references: defined there once."""
    from analysis.references import REFERENCES
    from solewatch.exports.report import GAIT_CHARTS

    for col, _title, unit in GAIT_CHARTS:
        ref = REFERENCES[col]
        assert ref.typical_range is not None, col
        low, high = ref.typical_range
        assert low < high and ref.unit == unit
    assert REFERENCES["pci_pct"].typical_range == pytest.approx((2.05, 4.27))
