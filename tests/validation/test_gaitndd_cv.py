"""Gait figures that hold on unseen people: leave-one-group-out cross-validation on gaitndd.

For each group (ALS, control, Huntington's, Parkinson's) the free detector settings are chosen
on the other three groups only (tests/validation/_gait_cv.py: procedure, grid, objective) and
the held-out group is scored with them. The targets (issue 9) are asserted on the HELD-OUT
figures. The run takes about 8 s on the shared 2-core reference machine (about 6.4 s of CPU; 27
candidates x 33 records, each computed once: 891 detector runs). Run with ``-s`` for the
table; ``python -m benchmarks.gait_cv`` prints it too, ``--grid full`` for the larger grid.

Two targets are not met on held-out groups today (docs/clinical.md says why): the pooled 99%
and "no record below 93%" (als3). They are asserted in a strict xfail test, so the day they
are met the test reports XPASS and fails until the mark is removed; the targets are not
loosened.
"""

from __future__ import annotations

import pytest

from tests.validation._gait_cv import (
    TARGET_GROUP,
    TARGET_POOLED,
    TARGET_RECORD,
    TARGET_STRIDE_MS,
    TARGET_SWING_MS,
    TEST_GRID,
    Evaluator,
    choose,
    default_settings,
    format_folds,
    format_settings,
    held_out_scores,
    load_records,
    logo_cv,
    summarise,
)

pytestmark = [pytest.mark.validation, pytest.mark.slow]


@pytest.fixture(scope="module")
def cv(shared_data):
    records = load_records(shared_data / "gaitndd")
    assert len(records) == 33
    evaluator = Evaluator()
    folds = logo_cv(records, TEST_GRID, evaluator)
    print()
    print(format_folds(folds))
    return records, evaluator, folds


def test_every_group_is_held_out_once_and_never_seen_in_its_own_tuning(cv):
    records, _evaluator, folds = cv
    assert sorted(f.held_out for f in folds) == sorted({r.group for r in records})
    for fold in folds:
        n_train = sum(r.reference["elapsed_s"].size for r in records if r.group != fold.held_out)
        assert fold.train.n_ref == n_train  # the choice saw only the other groups
        assert {name.rstrip("0123456789") for name in fold.records} == {fold.held_out}


def test_held_out_groups_meet_the_group_and_error_targets(cv):
    _records, _evaluator, folds = cv
    pooled = summarise(held_out_scores(folds))
    for fold in folds:
        assert fold.test.share >= TARGET_GROUP, (
            f"held-out {fold.held_out}: {100 * fold.test.share:.2f}% matched"
        )
    assert pooled.stride_med_ms <= TARGET_STRIDE_MS
    assert pooled.swing_med_ms <= TARGET_SWING_MS


@pytest.mark.xfail(
    strict=True,
    reason="not met on held-out groups: pooled 98.98% (target 99%), als3 90.7% (target 93%) "
    "with the ALS fold's settings; docs/clinical.md, gait validation",
)
def test_held_out_pooled_and_record_targets(cv):
    _records, _evaluator, folds = cv
    scores = held_out_scores(folds)
    pooled = summarise(scores)
    assert pooled.share >= TARGET_POOLED
    assert pooled.worst_share >= TARGET_RECORD, pooled.worst_record


def test_shipped_defaults_are_what_the_procedure_picks_on_all_groups(cv):
    records, evaluator, _folds = cv
    settings, _summary = choose(evaluator, records, TEST_GRID)
    assert default_settings(TEST_GRID) == settings, (
        f"the procedure picks {format_settings(settings)} on all groups"
    )
