"""DFA alpha and stride-interval variability on the real Gait Maturation Database.

Data: ../shared/data/gait-maturation, 50 healthy children aged 3-14 years who walked for about
8 minutes at their usual pace (PhysioNet; Hausdorff JM, Zemany L, Peng C-K, Goldberger AL,
"Maturation of gait dynamics: stride-to-stride variability and its temporal organization in
children", J Appl Physiol 86:1040-1047, 1999). Each ``ID-AGEMONTHS.txt`` holds time (s) and
stride interval (s) per stride (README.txt there).

Age groups as in the paper (and the Group column of variable_table.txt): 3-4 years
(40-58 months, n = 11), 6-7 years (79-94 months, n = 20), 11-14 years (133-163 months, n = 12).

Outliers are removed the way these series were analysed: the first 60 s (starting up) are
dropped, then stride intervals more than 3 SD from the series' median (turns, stops) are
removed. This is the procedure Wu Y & Krishnan S describe as Hausdorff et al.'s for this
database (Entropy 15:753-766, 2013).

Published references used:

* Stride-interval CV falls with age: significantly larger in the 3-4 year-olds than in the 6-7
  year-olds, and larger in the 6-7 than in the 11-14 year-olds; 11-14 years: CV 2.1 ± 0.1%,
  close to young adults (1.3 ± 0.1%) (Hausdorff 1999, Results, "Stride time variability
  measures"). The same series analysed by Wu & Krishnan 2013 (same preprocessing): mean stride
  0.904 s with SD 0.058 s at 3-5 years (CV about 6.4%), 0.96 / 0.035 s at 6-8 years (about
  3.6%), 1.059 / 0.027 s at 10-14 years (about 2.5%). Ranges asserted for group medians:
  3-4 y 4-8%, 6-7 y 2.5-5%, 11-14 y 1.5-3%.
* DFA alpha of children's stride intervals: individual values roughly 0.5-1.2, group means
  around 0.7-0.95 at every age (Hausdorff 1999, "Temporal structure measures"; the exact
  group values are in the paper and were not re-checked here, hence the wide range); healthy
  young adults
  are about 0.76-0.83 (Hausdorff 1995 J Appl Physiol 78:349; clinical.md). Asserted: group
  medians 0.7-1.0, at least 90% of children 0.5-1.2. Shuffling a series must bring alpha
  near 0.5 (Peng 1995), which checks that the correlations are real and not an artefact.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from analysis.config import GaitConfig
from analysis.gait.dfa import dfa_alpha

pytestmark = pytest.mark.validation

#: Age groups of Hausdorff 1999, in months (inclusive).
GROUPS = {"3-4 y": (36, 59), "6-7 y": (72, 95), "11-14 y": (132, 179)}
#: Published-value ranges (see the module docstring) for the group medians.
CV_RANGE_PCT = {"3-4 y": (4.0, 8.0), "6-7 y": (2.5, 5.0), "11-14 y": (1.5, 3.0)}
ALPHA_MEDIAN_RANGE = (0.7, 1.0)
ALPHA_INDIVIDUAL_RANGE = (0.5, 1.2)
START_UP_S = 60.0
OUTLIER_SD = 3.0


def _clean(time_s: np.ndarray, stride_s: np.ndarray) -> np.ndarray:
    """Drop the first minute and strides more than 3 SD from the median."""
    x = stride_s[time_s >= START_UP_S]
    keep = np.abs(x - np.median(x)) <= OUTLIER_SD * np.std(x)
    return x[keep]


@pytest.fixture(scope="module")
def children(shared_data: Path) -> list[dict]:
    folder = shared_data / "gait-maturation"
    files = sorted(folder.glob("*-*.txt"))
    assert len(files) == 50, f"expected 50 children in {folder}, found {len(files)}"
    rows = []
    min_n = GaitConfig().dfa_min_strides
    for path in files:
        m = re.fullmatch(r"(\d+)-(\d+)\.txt", path.name)
        assert m, f"{path}: file name is not ID-AGEMONTHS.txt"
        data = np.loadtxt(path)
        assert data.ndim == 2 and data.shape[1] == 2, f"{path}: expected 2 columns"
        x = _clean(data[:, 0], data[:, 1])
        rows.append(
            {
                "id": int(m.group(1)),
                "age_months": int(m.group(2)),
                "n_strides": x.size,
                "cv_pct": 100.0 * x.std(ddof=1) / x.mean(),
                "alpha": dfa_alpha(x, min_n=min_n),
                "alpha_shuffled": dfa_alpha(
                    np.random.default_rng(int(m.group(1))).permutation(x), min_n=min_n
                ),
            }
        )
    return rows


def _group(children: list[dict], name: str) -> list[dict]:
    lo, hi = GROUPS[name]
    return [c for c in children if lo <= c["age_months"] <= hi]


def test_group_sizes_match_the_paper(children):
    assert [len(_group(children, g)) for g in GROUPS] == [11, 20, 12]
    # every series is long enough for DFA after cleaning (about 8 minutes of walking)
    assert min(c["n_strides"] for c in children) >= GaitConfig().dfa_min_strides


@pytest.mark.parametrize("group", list(GROUPS))
def test_stride_cv_group_median_in_published_range(children, group):
    lo, hi = CV_RANGE_PCT[group]
    median = float(np.median([c["cv_pct"] for c in _group(children, group)]))
    assert lo <= median <= hi, f"{group}: median stride CV {median:.2f}% not in {lo}-{hi}%"


def test_stride_cv_decreases_with_age(children):
    medians = [np.median([c["cv_pct"] for c in _group(children, g)]) for g in GROUPS]
    assert medians[0] > medians[1] > medians[2]
    rho, p = stats.spearmanr([c["age_months"] for c in children],
                             [c["cv_pct"] for c in children])
    assert rho < -0.5 and p < 0.001, f"Spearman rho {rho:.2f} (p = {p:.2g})"


@pytest.mark.parametrize("group", list(GROUPS))
def test_dfa_alpha_group_median_in_published_range(children, group):
    alphas = [c["alpha"] for c in _group(children, group)]
    assert all(a is not None for a in alphas)
    median = float(np.median(alphas))
    lo, hi = ALPHA_MEDIAN_RANGE
    assert lo <= median <= hi, f"{group}: median DFA alpha {median:.2f} not in {lo}-{hi}"


def test_dfa_alpha_individuals_and_shuffled(children):
    alphas = np.array([c["alpha"] for c in children])
    lo, hi = ALPHA_INDIVIDUAL_RANGE
    assert np.mean((alphas >= lo) & (alphas <= hi)) >= 0.9
    shuffled = np.array([c["alpha_shuffled"] for c in children])
    # shuffling keeps the values and destroys the order: alpha falls to about 0.5
    assert float(np.median(shuffled)) == pytest.approx(0.5, abs=0.08)
    assert float(np.median(alphas - shuffled)) > 0.2
