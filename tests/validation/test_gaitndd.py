"""Gait events with the SHIPPED defaults against the authors' own per-stride reference of
gaitndd (Hausdorff 1997/2000), on all 33 records.

These defaults were chosen on the same 33 records (tests/validation/test_gaitndd_cv.py checks
that they are what the leave-one-group-out procedure picks on all four groups), so these are
in-sample figures: they guard against regressions. The figures that say something about an
unseen person are the held-out ones of test_gaitndd_cv.py.

Each ``.ts`` row holds the time of a LEFT initial contact and the left stride and swing that
end there (tests/validation/_gait_cv.py scores a record). Run with ``-s`` to see the
per-record figures.
"""

from __future__ import annotations

import pytest

from analysis.config import GaitConfig
from tests.validation._gait_cv import (
    TARGET_GROUP,
    TARGET_POOLED,
    TARGET_RECORD,
    TARGET_STRIDE_MS,
    TARGET_SWING_MS,
    format_records,
    format_summary,
    load_records,
    score_record,
    summarise,
)

pytestmark = pytest.mark.validation


def test_left_initial_contacts_match_reference(shared_data):
    records = load_records(shared_data / "gaitndd")
    assert len(records) == 33
    config = GaitConfig()
    scores = {r.name: score_record(r, config) for r in records}
    summary = summarise(scores)
    print()
    print(format_records(scores))
    print(f"ALL (in-sample, shipped defaults): {format_summary(summary)}")
    assert summary.share >= TARGET_POOLED
    assert summary.worst_group_share >= TARGET_GROUP
    assert summary.worst_share >= TARGET_RECORD, summary.worst_record
    assert summary.stride_med_ms <= TARGET_STRIDE_MS
    assert summary.swing_med_ms <= TARGET_SWING_MS
