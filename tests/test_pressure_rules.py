"""The peak_pressure rule (one alert per episode over daily rows), the per-step peak statistic
checked against the generator's truth, and sustained-pressure episodes merged across days
(analysis.alerts.merge_episodes)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from analysis.alerts import PEAK_PRESSURE, SUSTAINED_PRESSURE, merge_episodes, without_day
from analysis.config import PressureConfig
from analysis.errors import InputError
from analysis.layouts import SOLEWATCH_16
from analysis.pipeline import analyze
from analysis.pressure import daily_step_peaks, pressure_report, sustained_pressure_alerts
from analysis.pressure_rules import peak_pressure_alerts
from analysis.sites import REGION_LABELS, REGIONS
from analysis.streams import PressureStream
from fixtures.generator import generate_gait

CFG = PressureConfig()
D0 = date(2026, 3, 2)
OVER = CFG.peak_target_kpa + 30.0
UNDER = CFG.peak_target_kpa - 40.0
STEPS = CFG.peak_min_steps + 20


def _rows(values, *, foot="left", region="heel", steps=STEPS, start=D0):
    """One row per calendar day from ``start``; a value None is a day without a row."""
    out = []
    for i, v in enumerate(values):
        if v is None:
            continue
        n = steps[i] if isinstance(steps, list) else steps
        out.append({"date": start + timedelta(days=i), "foot": foot, "region": region,
                    "step_peak_kpa": v, "steps": n})
    return out


def _only(alerts):
    assert len(alerts) == 1, [a.to_dict() for a in alerts]
    return alerts[0]


# ----------------------------------------------------------------------------- the rule


def test_two_days_over_target_give_one_alert_confirmed_on_the_second():
    a = _only(peak_pressure_alerts(_rows([UNDER, OVER, OVER, UNDER, UNDER, UNDER, UNDER])))
    assert (a.rule, a.foot, a.site) == (PEAK_PRESSURE, "left", "heel")
    assert a.first_day == D0 + timedelta(days=1)
    assert a.confirmed_day == D0 + timedelta(days=2)
    ev = a.evidence
    assert ev["rule"] == PEAK_PRESSURE and ev["foot"] == "left" and ev["region"] == "heel"
    assert ev["target_kpa"] == CFG.peak_target_kpa
    assert "median" in ev["statistic"]
    assert ev["days"] == [
        {"date": (D0 + timedelta(days=i)).isoformat(), "peak_kpa": OVER, "over": True,
         "steps": STEPS} for i in (1, 2)]
    assert ev["last_day"] == (D0 + timedelta(days=2)).isoformat()
    assert ev["ongoing"] is False  # four judged days under target (> 3) ended it
    assert REGION_LABELS["heel"] in a.message and "heel" == a.site
    assert "200 kPa" in a.message and "left foot" in a.message


def test_five_days_over_target_are_still_one_alert_with_five_days_and_the_latest_value():
    values = [OVER, OVER + 5, OVER + 10, OVER + 15, OVER + 20]
    a = _only(peak_pressure_alerts(_rows(values)))
    assert [d["peak_kpa"] for d in a.evidence["days"]] == values
    assert all(d["over"] for d in a.evidence["days"])
    assert a.evidence["latest_peak_kpa"] == values[-1]
    assert a.evidence["last_day"] == (D0 + timedelta(days=4)).isoformat()
    assert a.evidence["ongoing"] is True
    assert f"{values[-1]:.0f} kPa" in a.message  # the latest value is in the message


def test_one_day_under_target_in_between_continues_the_same_alert():
    a = _only(peak_pressure_alerts(_rows([OVER, OVER, UNDER, OVER])))
    assert a.first_day == D0
    assert [d["over"] for d in a.evidence["days"]] == [True, True, False, True]
    assert a.evidence["last_day"] == (D0 + timedelta(days=3)).isoformat()


def test_a_gap_longer_than_the_setting_starts_a_new_alert():
    gap = CFG.peak_episode_gap_days
    within = peak_pressure_alerts(_rows([OVER, OVER] + [UNDER] * gap + [OVER]))
    assert len(within) == 1
    beyond = _rows([OVER, OVER] + [UNDER] * (gap + 1) + [OVER, OVER])
    alerts = peak_pressure_alerts(beyond)
    assert [a.first_day for a in alerts] == [D0, D0 + timedelta(days=gap + 3)]
    # after the episode ended, a single day over target is not enough for a new alert
    assert len(peak_pressure_alerts(beyond[:-1])) == 1
    wider = dataclasses.replace(CFG, peak_episode_gap_days=gap + 1)
    assert len(peak_pressure_alerts(beyond, wider)) == 1


def test_under_target_or_a_single_day_over_gives_no_alert():
    assert peak_pressure_alerts(_rows([UNDER] * 10)) == []
    assert peak_pressure_alerts(_rows([UNDER, OVER, UNDER, OVER, UNDER])) == []
    at_target = _rows([CFG.peak_target_kpa] * 3)  # "above the target": equal is not over
    assert peak_pressure_alerts(at_target) == []


def test_days_without_walking_are_not_judged_and_break_nothing():
    few = CFG.peak_min_steps - 1
    # day 2: NaN (no valid reading), day 3: too few steps, day 4: no row at all
    rows = _rows([OVER, float("nan"), OVER + 50, None, OVER],
                 steps=[STEPS, 0, few, 0, STEPS])
    a = _only(peak_pressure_alerts(rows))
    assert a.first_day == D0
    assert a.confirmed_day == D0 + timedelta(days=4)  # the second JUDGED day over target
    assert [d["date"] for d in a.evidence["days"]] == [D0.isoformat(),
                                                       (D0 + timedelta(days=4)).isoformat()]
    assert peak_pressure_alerts(_rows([float("nan")] * 5)) == []
    assert peak_pressure_alerts(_rows([None, None])) == []
    none_values = [{"date": D0, "foot": "left", "region": "heel", "step_peak_kpa": None,
                    "steps": None}]
    assert peak_pressure_alerts(none_values) == []


def test_feet_and_regions_are_separate_episodes():
    rows = (_rows([OVER, OVER]) + _rows([OVER, OVER], foot="right")
            + _rows([OVER, OVER], region="mth1") + _rows([UNDER, UNDER], region="toes"))
    alerts = peak_pressure_alerts(rows)
    assert sorted((a.foot, a.site) for a in alerts) == [
        ("left", "heel"), ("left", "mth1"), ("right", "heel")]


def test_bad_rows_are_named():
    with pytest.raises(InputError, match=r"row 0.*region"):
        peak_pressure_alerts([{"date": D0, "foot": "left", "region": "ankle",
                               "step_peak_kpa": 1.0, "steps": 20}])
    with pytest.raises(InputError, match=r"row 1.*second row for left heel"):
        peak_pressure_alerts(_rows([OVER]) + _rows([OVER]))
    with pytest.raises(InputError, match="foot"):
        peak_pressure_alerts([{"date": D0, "foot": "middle", "region": "heel"}])


# ------------------------------------------------------------------- against the generator


def _truth_step_peaks(stream: PressureStream, truth, foot: str, region: str,
                      split_s: float | None = None) -> list[tuple[float, int]]:
    """The generator's own steps (its initial and final contacts): the highest reading of the
    region's sensors during each stance, then the median and the count of steps (before and
    from ``split_s``, when given)."""
    cols = [i for i, r in enumerate(stream.layout.regions) if r == region]
    values = stream.foot(foot)[:, cols]
    t = stream.time_s
    ics, fcs = truth.initial_contact_s[foot], truth.final_contact_s[foot]
    peaks, starts = [], []
    for i, ic in enumerate(ics):  # a stance: a heel strike to the toe off that follows it
        later = fcs[fcs > ic]
        if later.size and (i + 1 == ics.size or later[0] <= ics[i + 1]):
            peaks.append(values[(t >= ic) & (t < later[0])].max())
            starts.append(ic)
    peaks, starts = np.array(peaks), np.array(starts)
    groups = ([np.ones(peaks.size, bool)] if split_s is None
              else [starts < split_s, starts >= split_s])
    return [(float(np.median(peaks[g])), int(g.sum())) for g in groups]


def _scaled(stream: PressureStream, region: str, factor: float) -> PressureStream:
    cols = [i for i, r in enumerate(stream.layout.regions) if r == region]
    feet = {}
    for foot in ("left", "right"):
        v = stream.foot(foot).copy()
        v[:, cols] *= factor
        feet[foot] = v
    return dataclasses.replace(stream, left=feet["left"], right=feet["right"])


def test_step_peak_statistic_matches_the_generator_truth():
    stream, truth = generate_gait(SOLEWATCH_16, sample_rate_hz=100.0, duration_s=300.0, seed=4)
    # the generated ball of the foot (1st metatarsal head) walks at about 120 kPa: raise it
    # above the target; the generated heel is already above it
    base = _truth_step_peaks(stream, truth, "left", "mth1")[0][0]
    factor = 1.4 * CFG.peak_target_kpa / base
    stream = _scaled(stream, "mth1", factor)
    result = analyze(pressure=stream, source="generated")
    for foot in ("left", "right"):
        for region in REGIONS:
            got = result.pressure[foot][region]
            want, n = _truth_step_peaks(stream, truth, foot, region)[0]
            assert got["step_peak_kpa"] == pytest.approx(want, rel=0.02), (foot, region)
            assert abs(got["steps"] - n) <= 2, (foot, region)
            # the single highest reading is never below the typical step
            assert got["peak_kpa"] >= got["step_peak_kpa"]
    over = {(f, r) for f in ("left", "right") for r in REGIONS
            if _truth_step_peaks(stream, truth, f, r)[0][0] > CFG.peak_target_kpa}
    assert over == {(f, r) for f in ("left", "right") for r in ("mth1", "heel")}
    # one day alone does not confirm: no alert, but the note says which regions were over
    assert not [a for a in result.alerts if a.rule == PEAK_PRESSURE]
    over_notes = [n for n in result.notes if "over the 200 kPa target" in n]
    assert len(over_notes) == len(over)
    assert all("mth1" not in n for n in over_notes)  # plain words, no code names


def test_a_recording_over_two_days_alerts_with_the_truth_as_evidence():
    # seed 2 walks at 8-192 s and 514-765 s: midnight at 300 s splits them over two days
    start = datetime(2026, 3, 2, 23, 55, tzinfo=timezone(timedelta(hours=1)))
    stream, truth = generate_gait(SOLEWATCH_16, sample_rate_hz=100.0, duration_s=900.0,
                                  seed=2, start=start)
    result = analyze(pressure=stream, source="generated")
    alerts = [a for a in result.alerts if a.rule == PEAK_PRESSURE]
    assert sorted((a.foot, a.site) for a in alerts) == [("left", "heel"), ("right", "heel")]
    for a in alerts:
        want = _truth_step_peaks(stream, truth, a.foot, "heel", split_s=300.0)
        assert a.first_day == date(2026, 3, 2) and a.confirmed_day == date(2026, 3, 3)
        days = a.evidence["days"]
        assert [d["date"] for d in days] == ["2026-03-02", "2026-03-03"]
        for d, (peak, n) in zip(days, want, strict=True):
            assert d["peak_kpa"] == pytest.approx(peak, rel=0.02)
            assert abs(d["steps"] - n) <= 2
            assert d["over"] is True
    # the rows the rule judged are the recording's per-day rows
    contacts = {f: (truth.initial_contact_s[f], truth.final_contact_s[f]) for f in ("left",)}
    rows = daily_step_peaks(stream, contacts)
    assert {r["date"] for r in rows} == {date(2026, 3, 2), date(2026, 3, 3)}


def test_step_peaks_need_pressure():
    stream, truth = generate_gait(SOLEWATCH_16, sample_rate_hz=100.0, duration_s=60.0, seed=1)
    raw = dataclasses.replace(stream, unit="raw")
    contacts = {"left": (truth.initial_contact_s["left"], truth.final_contact_s["left"])}
    with pytest.raises(InputError, match="need pressure"):
        daily_step_peaks(raw, contacts)
    assert pressure_report(raw, contacts=contacts).days == []


# ------------------------------------------------------------ sustained-pressure episodes


FS = 2.0


def _sitting_day(day: date, minutes: float = 20.0) -> list:
    """Sustained heel pressure (both feet) from 10:00 on ``day`` for ``minutes``."""
    start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    n = int(minutes * 60 * FS)
    v = np.zeros((n + int(60 * FS), SOLEWATCH_16.n_sensors))
    heel = [i for i, r in enumerate(SOLEWATCH_16.regions) if r == "heel"]
    v[:n, heel] = 20.0
    s = PressureStream(time_s=np.arange(v.shape[0]) / FS, left=v, right=None,
                       layout=SOLEWATCH_16, unit="kPa", sample_rate_hz=FS, start=start,
                       source=f"sit {day}")
    return sustained_pressure_alerts(s)


def test_sustained_pressure_on_nearby_days_is_one_episode():
    gap = CFG.sustained_episode_gap_days
    days = [D0, D0 + timedelta(days=1), D0 + timedelta(days=2 + gap)]  # gap days in between
    per_day = [a for d in days for a in _sitting_day(d)]
    assert len(per_day) == 3
    a = _only(merge_episodes(per_day, gap_days=gap))
    assert (a.rule, a.foot, a.site) == (SUSTAINED_PRESSURE, "left", "heel")
    assert a.first_day == D0 and a.confirmed_day == D0
    assert [r["date"] for r in a.evidence["days"]] == [d.isoformat() for d in days]
    assert all(r["start"] == "10:00" for r in a.evidence["days"])
    assert a.evidence["last_day"] == days[-1].isoformat() and a.evidence["n_days"] == 3
    assert "3 days" in a.message
    # merging the merged alert with the same days again changes nothing
    assert merge_episodes([a, *per_day], gap_days=gap) == [a]
    far = per_day[:2] + _sitting_day(D0 + timedelta(days=1 + gap + 2))
    assert [len(x.evidence["days"]) for x in merge_episodes(far, gap_days=gap)] == [2, 1]


def test_a_recomputed_day_is_replaced_not_added_twice():
    gap = CFG.sustained_episode_gap_days
    per_day = [a for d in (D0, D0 + timedelta(days=1)) for a in _sitting_day(d)]
    merged = _only(merge_episodes(per_day, gap_days=gap))
    again = _sitting_day(D0 + timedelta(days=1), minutes=30.0)  # the day, recomputed
    stripped = without_day(merged, D0 + timedelta(days=1))
    assert stripped is not None and len(stripped.evidence["days"]) == 1
    redone = _only(merge_episodes([stripped, *again], gap_days=gap))
    assert [r["duration_s"] for r in redone.evidence["days"]] == [20 * 60.0, 30 * 60.0]
    first_only = without_day(merged, D0)
    assert first_only.first_day == D0 + timedelta(days=1)
    assert without_day(_only(merge_episodes(again, gap_days=gap)),
                       D0 + timedelta(days=1)) is None


def test_pipeline_gives_one_alert_for_the_stretches_of_one_day():
    start = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    heel = [i for i, r in enumerate(SOLEWATCH_16.regions) if r == "heel"]
    n = int(20 * 60 * FS)
    v = np.zeros((3 * n, SOLEWATCH_16.n_sensors))
    v[:n, heel] = 20.0  # 20 min sitting, 20 min off the heel, 20 min sitting again
    v[2 * n:, heel] = 20.0
    s = PressureStream(time_s=np.arange(v.shape[0]) / FS, left=v, right=None,
                       layout=SOLEWATCH_16, unit="kPa", sample_rate_hz=FS, start=start,
                       source="two stretches")
    assert len(sustained_pressure_alerts(s)) == 2
    got = [a for a in analyze(pressure=s).alerts if a.rule == SUSTAINED_PRESSURE]
    a = _only(got)
    assert [r["start"] for r in a.evidence["days"]] == ["10:00", "10:40"]
    assert a.first_day == start.date() and a.evidence["n_days"] == 1
