"""The temperature alert rules on the confounder suite (fixtures/confounders.py,
docs/confounders.md), scored against the suite's own truth.

The rules were chosen on TUNE_SEED only; SCORE_SEED is the suite with other random draws (other
offsets, noise, wear days, confounder times and sizes), never tuned on: its figures are the ones
docs/clinical.md reports. Targets (issue 9): every hotspot alerted between one day before and
three days after the day its difference first crosses 2.2 °C (single-foot and diffuse included),
at most 0.5 false alerts per wearer-year, every expected unsafe-temperature warning raised, every
pre-existing asymmetry reported as a baseline finding. A duplicate alert for one episode counts
as a false alert, so "one alert per episode" is checked too.
"""

from __future__ import annotations

import pytest

from fixtures.confounders import DETECT_WINDOW_DAYS, SCORE_SEED, TUNE_SEED, score_suite

pytestmark = pytest.mark.slow

MAX_FALSE_PER_WEARER_YEAR = 0.5


@pytest.fixture(scope="module", params=[SCORE_SEED, TUNE_SEED], ids=["score", "tune"])
def scored(request):
    return score_suite(request.param)


def test_suite_is_large_enough(scored):
    assert scored["wearers"] >= 15 and scored["wearer_days"] >= 500
    assert min(c["days"] for c in scored["cases"]) >= 30


def test_every_hotspot_alerted_in_its_window(scored):
    lo, hi = DETECT_WINDOW_DAYS
    rows = scored["hotspot_rows"]
    assert len(rows) == scored["hotspots"] >= 10
    missed = [r for r in rows if not r["detected_by"]]
    assert not missed, missed
    assert scored["sensitivity"] == 1.0
    for r in rows:
        assert lo <= r["delay_days"] <= hi, r


def test_false_alerts_per_wearer_year(scored):
    false = [(c["name"], c["false_alerts"]) for c in scored["cases"] if c["false_alerts"]]
    assert scored["false_per_wearer_year"] <= MAX_FALSE_PER_WEARER_YEAR, false
    for rule, row in scored["per_rule"].items():
        assert row["false_per_wearer_year"] <= MAX_FALSE_PER_WEARER_YEAR, (rule, false)


def test_unsafe_heat_still_warns_and_old_asymmetries_are_findings(scored):
    assert scored["warnings_found"] == scored["warnings_expected"] >= 1
    assert scored["baseline_found"] == scored["baseline_expected"] >= 2
