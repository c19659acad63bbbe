"""Swing-time variability on gaitpdb against the published group difference.

PhysioNet gaitpdb page (Yogev 2005; Hausdorff 2007; Frenkel-Toledo 2005): under usual walking,
swing-time CV was 2.7% in Parkinson's patients and 1.3% in controls. Our event detector at
100 Hz must keep the controls' usual walks (``Co``, walk ``01``) below 3% (median) and rank the
patients (``Pt``, walk ``01``) above them.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.config import GaitConfig
from analysis.gait.events import detect_events
from analysis.gait.strides import build_strides
from analysis.gait.variability import gait_summary
from analysis.load import foot_load
from firmware_bridge.readers.physionet import read_gaitpdb

pytestmark = pytest.mark.validation


def test_swing_cv_controls_low_and_below_parkinsons(shared_data):
    files = sorted(
        p
        for p in (shared_data / "gaitpdb").iterdir()
        if p.suffix in (".txt", ".csv") and p.name[2:4] in ("Co", "Pt")
    )
    assert len(files) == 30
    config = GaitConfig()
    swing_cv = {}
    print()
    for path in files:
        stream = read_gaitpdb(path)
        assert stream.problems == (), path.name
        loads = foot_load(stream)
        events = detect_events(stream, config, loads=loads)
        strides = build_strides(events, config)
        summary = gait_summary(strides, events, stream.duration_s)
        assert summary["steps_left"] > 30 and summary["steps_right"] > 30, path.name
        assert 0.8 < summary["stride_time_s_mean"] < 1.7, path.name
        swing_cv[path.stem] = summary["swing_time_cv_pct"]
        print(
            f"{path.stem:10s} steps {summary['steps_left']:3d}/{summary['steps_right']:3d} "
            f"valid {summary['valid_strides_left']:3d}/{summary['valid_strides_right']:3d} "
            f"stride {summary['stride_time_s_mean']:.3f} s CV {summary['stride_time_cv_pct']:.2f}% "
            f"swing CV {summary['swing_time_cv_pct']:.2f}% "
            f"double support {summary['double_support_pct']:.1f}%"
        )
    controls = [v for k, v in swing_cv.items() if k[2:4] == "Co" and k.endswith("_01")]
    patients = [v for k, v in swing_cv.items() if k[2:4] == "Pt" and k.endswith("_01")]
    assert len(controls) == 13 and len(patients) == 14
    co, pt = float(np.median(controls)), float(np.median(patients))
    print(
        f"median swing CV: controls {co:.2f}% (n={len(controls)}), "
        f"Parkinson's {pt:.2f}% (n={len(patients)}); published 1.3% vs 2.7%"
    )
    assert co < 3.0
    assert pt > co
