"""Temperature rules against real left/right plantar temperatures (Plantar Thermogram Database,
Hernandez-Contreras et al. 2019: 45 controls, 122 people with diabetes, one barefoot
thermogram each).

Published facts checked:

(a) Healthy feet are nearly symmetric: clinical.md gives a mean left-right difference of
    0.65-0.78 °C in healthy feet, far below the 2.2 °C alert threshold (Lavery 2004/2007). The
    controls' whole-sole |L-R| must be small: mean and median at most that range's upper end
    (0.78 °C) and every control below 2.2 °C. (In this barefoot database the controls' mean is
    lower, about 0.3 °C; the in-shoe figure of clinical.md is an upper bound here, not a match.)
    People with diabetes are more asymmetric than controls (the database paper's finding).

(b) The alert rules stay quiet on controls: each control's per-region left/right values are fed
    as two identical consecutive days through the real rules (evaluate_rules), the regions
    mapped onto sites as follows (by anatomy: the medial plantar artery supplies the medial
    forefoot and hallux, the lateral plantar artery the lateral forefoot and midfoot, the
    calcaneal branches the heel):

        hallux <- MPA, mth1 <- MPA, mth3 <- General (whole sole), mth5 <- LPA,
        midfoot <- LPA, heel <- mean of LCA and MCA, foot_mean <- General.

    Two identical days are the worst case for the two-day confirmation (a reading that would
    alert once alerts twice). Expected: no contralateral alerts at all among the 45 controls
    (allowed: at most 1 of 45, about 2%, documented tolerance for one asymmetric healthy foot).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from analysis.alerts import CONTRALATERAL_FOOT_MEAN, CONTRALATERAL_SITE
from analysis.config import TemperatureConfig
from analysis.temperature import evaluate_rules, thermogram_noise_model
from firmware_bridge.readers.thermogram import read_plantar_thermogram

pytestmark = pytest.mark.validation

SITE_FROM_REGIONS = {
    "hallux": ("mpa",),
    "mth1": ("mpa",),
    "mth3": ("general",),
    "mth5": ("lpa",),
    "midfoot": ("lpa",),
    "heel": ("lca", "mca"),
    "foot_mean": ("general",),
}


@pytest.fixture(scope="module")
def thermo(shared_data):
    return read_plantar_thermogram(
        shared_data / "plantar-thermogram" / "plantar_thermogram_regional_means.csv"
    )


def test_reader_reads_every_subject(thermo):
    assert len(thermo) == 167
    assert (thermo["group"] == "control").sum() == 45
    assert (thermo["group"] == "diabetes").sum() == 122
    assert thermo.attrs["problems"] == ()
    # Plantar skin temperatures, °C.
    for col in ("general_left_c", "mpa_right_c"):
        assert thermo[col].between(18, 40).all()


def test_healthy_feet_are_nearly_symmetric(thermo):
    ctrl = thermo[thermo["group"] == "control"]
    dm = thermo[thermo["group"] == "diabetes"]
    d_ctrl = (ctrl["general_left_c"] - ctrl["general_right_c"]).abs()
    d_dm = (dm["general_left_c"] - dm["general_right_c"]).abs()
    assert 0.1 < d_ctrl.mean() <= 0.78
    assert 0.1 < d_ctrl.median() <= 0.78
    assert d_ctrl.max() < TemperatureConfig().contralateral_site_delta_c
    assert d_dm.mean() > d_ctrl.mean()
    assert (d_dm > 2.2).sum() > (d_ctrl > 2.2).sum()


def _two_days(row) -> list[dict]:
    rows = []
    for k in range(2):
        day = date(2019, 1, 1) + timedelta(days=k)
        for site, regions in SITE_FROM_REGIONS.items():
            left = float(np.mean([row[f"{r}_left_c"] for r in regions]))
            right = float(np.mean([row[f"{r}_right_c"] for r in regions]))
            rows.append({"date": day, "site": site, "left_c": left, "right_c": right,
                         "delta_c": left - right, "minutes": 120.0})
    return rows


def test_rules_stay_quiet_on_controls(thermo):
    cfg = TemperatureConfig()
    ctrl = thermo[thermo["group"] == "control"]
    alerted = []
    for _, row in ctrl.iterrows():
        alerts = evaluate_rules(_two_days(row), cfg)
        if any(a.rule in (CONTRALATERAL_SITE, CONTRALATERAL_FOOT_MEAN) for a in alerts):
            alerted.append(row["subject"])
    assert len(alerted) <= 1, alerted
    # The same rules do fire on some people with diabetes (they are not simply mute).
    dm = thermo[thermo["group"] == "diabetes"]
    fired = sum(
        any(a.rule == CONTRALATERAL_SITE for a in evaluate_rules(_two_days(r), cfg))
        for _, r in dm.iterrows()
    )
    assert fired >= 1


def test_noise_model_from_the_database(thermo):
    diffs = {
        g: np.concatenate([
            (sub[f"{r}_left_c"] - sub[f"{r}_right_c"]).to_numpy()
            for r in ("lca", "lpa", "mca", "mpa")
        ])
        for g, sub in thermo.groupby("group")
    }
    model = thermogram_noise_model(diffs)
    assert model["control"]["n"] == 45 * 4 and model["diabetes"]["n"] == 122 * 4
    # Controls: left-right spread of a few tenths of a degree; diabetes: wider.
    assert 0.1 < model["control"]["robust_sd_c"] < 1.0
    assert model["diabetes"]["sd_c"] > model["control"]["sd_c"]
