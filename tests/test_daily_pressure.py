"""Pressure alerts in the daily job and the store, on SQLite and a real PostgreSQL server: the
peak_pressure rule over the stored history (one alert per episode, updated day by day, checked
against the gait generator's truth), sustained pressure merged across days, and migration 0004
(the per-step peak columns) keeping data.

Store fixtures (``store`` on both backends) come from tests/conftest.py.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta
from html import escape

import numpy as np
import pytest
import sqlalchemy as sa

from analysis.alerts import PEAK_PRESSURE, SUSTAINED_PRESSURE
from analysis.config import AnalysisConfig
from analysis.layouts import SOLEWATCH_16
from analysis.sites import FEET, REGIONS
from analysis.streams import PressureStream
from solewatch.daily import DailySettings, analyze_wearer_day, run_daily
from solewatch.evidence import RULE_TITLES, column_title
from solewatch.store import Store, local_time
from tests._store_support import snapshot

NOW = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)
FAST = DailySettings(settle_s=0.0, retry_total_s=5.0)
CFG = AnalysisConfig()
D0 = date(2026, 3, 3)
HEEL = [i for i, r in enumerate(SOLEWATCH_16.regions) if r == "heel"]


def run(store, inbox, *, now=NOW):
    return run_daily(store, wearers=["ann"], inbox=inbox, now=now, settings=FAST)


def _dated_an_hour_ago(path):
    os.utime(path, (time.time() - 3600,) * 2)


def write_walk(folder, day, *, seed, duration_s=120.0):
    """A generated walk of both insoles at 10:00 local on ``day``, logged as the receiver
    would; returns the generated stream and its truth."""
    from fixtures.clinic import TZ, WALK_LINKS
    from fixtures.generator import generate_gait
    from fixtures.recordings import write_log

    start = datetime(day.year, day.month, day.day, 10, tzinfo=TZ)
    stream, truth = generate_gait(SOLEWATCH_16, sample_rate_hz=100.0, duration_s=duration_s,
                                  seed=seed, start=start, dtype=np.float32)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"walk-{day.isoformat()}.swlog"
    write_log(path, stream, None, start=start, links=WALK_LINKS, wearer="ann")
    _dated_an_hour_ago(path)
    return stream, truth


def write_sitting(folder, day, *, minutes=17.0):
    """Both heels loaded at 20 kPa (above the 4.7 kPa sustained threshold) from 10:00 local on
    ``day`` for ``minutes``, then a minute unloaded."""
    from fixtures.clinic import TZ, WALK_LINKS
    from fixtures.recordings import write_log

    fs = 100.0
    start = datetime(day.year, day.month, day.day, 10, tzinfo=TZ)
    n = int(minutes * 60 * fs)
    v = np.zeros((n + int(60 * fs), SOLEWATCH_16.n_sensors), dtype=np.float32)
    v[:n, HEEL] = 20.0
    stream = PressureStream(time_s=np.arange(v.shape[0]) / fs, left=v, right=v.copy(),
                            layout=SOLEWATCH_16, unit="kPa", sample_rate_hz=fs, start=start,
                            source="sitting")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"sit-{day.isoformat()}.swlog"
    write_log(path, stream, None, start=start, links=WALK_LINKS, wearer="ann")
    _dated_an_hour_ago(path)


def truth_day_peak(stream, truth, foot, region) -> tuple[float, int]:
    """From the generator's own contacts: the median over steps of the highest reading of the
    region's sensors during each stance, and the number of steps."""
    cols = [i for i, r in enumerate(stream.layout.regions) if r == region]
    values, t = stream.foot(foot)[:, cols], stream.time_s
    ics, fcs = truth.initial_contact_s[foot], truth.final_contact_s[foot]
    peaks = []
    for i, ic in enumerate(ics):
        later = fcs[fcs > ic]
        if later.size and (i + 1 == ics.size or later[0] <= ics[i + 1]):
            peaks.append(float(values[(t >= ic) & (t < later[0])].max()))
    return float(np.median(peaks)), len(peaks)


def peak_alerts(store):
    return sorted((a for a in store.alerts("ann") if a.rule == PEAK_PRESSURE),
                  key=lambda a: (a.foot, a.site))


def test_peak_pressure_alert_is_opened_once_and_updated_day_by_day(store, tmp_path):
    inbox = tmp_path / "inbox"
    target = CFG.pressure.peak_target_kpa
    walks = {}
    for i, day in enumerate((D0, D0 + timedelta(days=1))):
        walks[day] = write_walk(inbox, day, seed=20 + i)
    report = run(store, inbox)
    assert report.errors == []

    # the stored statistic is the truth's median step peak (through 12-bit counts and links)
    stored = {(r.day, r.foot, r.region): r for r in store.daily_pressure("ann")}
    over = set()
    for day, (stream, truth) in walks.items():
        for foot in FEET:
            for region in REGIONS:
                want, n = truth_day_peak(stream, truth, foot, region)
                row = stored[day, foot, region]
                assert row.step_peak_kpa == pytest.approx(want, rel=0.03), (day, foot, region)
                assert abs(row.steps - n) <= 2
                if want > target:
                    over.add((foot, region))
    assert over == {("left", "heel"), ("right", "heel")}  # the generator's heel: ~330 kPa

    alerts = peak_alerts(store)
    assert [(a.foot, a.site) for a in alerts] == sorted(over)
    assert {a.id for a in report.alerts_opened} >= {a.id for a in alerts}
    for a in alerts:
        assert (a.first_day, a.confirmed_day, a.status) == (D0, D0 + timedelta(days=1), "open")
        days = a.evidence["days"]
        assert [d["date"] for d in days] == [D0.isoformat(), (D0 + timedelta(days=1)).isoformat()]
        for d in days:
            row = stored[date.fromisoformat(d["date"]), a.foot, a.site]
            assert d["peak_kpa"] == pytest.approx(row.step_peak_kpa, abs=0.05)
            assert d["steps"] == row.steps and d["over"] is True
        assert a.evidence["target_kpa"] == target and a.evidence["ongoing"] is True
    first_ids = [a.id for a in alerts]

    # Two more days, with a day without walking between them: the same alerts grow.
    later = (D0 + timedelta(days=2), D0 + timedelta(days=4))
    for i, day in enumerate(later):
        write_walk(inbox, day, seed=30 + i)
    again = run(store, inbox, now=NOW + timedelta(hours=1))
    assert again.alerts_opened == [] and again.errors == []
    alerts = peak_alerts(store)
    assert [a.id for a in alerts] == first_ids
    for a in alerts:
        assert [d["date"] for d in a.evidence["days"]] == [
            d.isoformat() for d in (D0, D0 + timedelta(days=1), *later)]
        assert a.evidence["last_day"] == later[-1].isoformat()
        latest = stored_peak(store, later[-1], a.foot, a.site)
        assert a.evidence["latest_peak_kpa"] == pytest.approx(latest, abs=0.05)
        assert f"{latest:.0f} kPa on {later[-1].isoformat()}" in a.message
    # A person acknowledged one: the next run keeps that status, nothing else changes.
    store.acknowledge_alert(first_ids[0], by="nurse", at=NOW + timedelta(hours=2))
    before = snapshot(store)
    assert run(store, inbox, now=NOW + timedelta(hours=3)).days == []
    for day in later:  # recomputing days changes nothing either
        analyze_wearer_day(store, "ann", day, at=NOW + timedelta(hours=4))
    from solewatch.daily import evaluate_history

    evaluate_history(store, "ann", at=NOW + timedelta(hours=4))
    assert snapshot(store) == before


def stored_peak(store, day, foot, region):
    (row,) = [r for r in store.daily_pressure("ann", start=day, end=day)
              if (r.foot, r.region) == (foot, region)]
    return row.step_peak_kpa


def test_sustained_pressure_on_nearby_days_is_one_stored_alert(store, tmp_path):
    inbox = tmp_path / "inbox"
    gap = CFG.pressure.sustained_episode_gap_days
    write_sitting(inbox, D0)
    write_sitting(inbox, D0 + timedelta(days=1))
    assert run(store, inbox).errors == []
    starts = sorted(f"{local_time(r.start_at, r.start_offset_min):%H:%M}"
                    for r in store.recordings("ann"))
    alerts = [a for a in store.alerts("ann") if a.rule == SUSTAINED_PRESSURE]
    assert sorted((a.foot, a.site) for a in alerts) == [("left", "heel"), ("right", "heel")]
    for a in alerts:
        assert a.first_day == D0 and a.status == "open"
        assert [d["date"] for d in a.evidence["days"]] == [
            D0.isoformat(), (D0 + timedelta(days=1)).isoformat()]
        # the stretch starts with the recording, on the clock the store keeps for it
        assert [d["start"] for d in a.evidence["days"]] == starts
        assert a.evidence["duration_s"] == pytest.approx(17 * 60, abs=1.0)
    ids = sorted(a.id for a in alerts)
    # The second day recomputed: replaced, not counted twice.
    analyze_wearer_day(store, "ann", D0 + timedelta(days=1), at=NOW + timedelta(hours=1))
    again = [a for a in store.alerts("ann") if a.rule == SUSTAINED_PRESSURE]
    assert sorted(a.id for a in again) == ids
    assert all(len(a.evidence["days"]) == 2 for a in again)
    # Further away than the gap: a new episode, a new alert.
    far = D0 + timedelta(days=1 + gap + 2)
    write_sitting(inbox, far)
    run(store, inbox, now=NOW + timedelta(hours=2))
    now = [a for a in store.alerts("ann") if a.rule == SUSTAINED_PRESSURE]
    assert len(now) == 4
    assert sorted({a.first_day for a in now}) == [D0, far]
    # A day in between arriving late joins both into one episode: the later alert is resolved
    # with a note naming the one it was merged into.
    write_sitting(inbox, D0 + timedelta(days=1 + (gap + 2) // 2))
    run(store, inbox, now=NOW + timedelta(hours=3))
    final = [a for a in store.alerts("ann") if a.rule == SUSTAINED_PRESSURE]
    open_ = [a for a in final if a.status == "open"]
    assert sorted(a.id for a in open_) == ids and all(len(a.evidence["days"]) == 4
                                                       for a in open_)
    resolved = [a for a in final if a.status == "resolved"]
    assert len(resolved) == 2
    for a in resolved:
        steps = store.alert_history(a.id)
        assert "merged into alert" in steps[-1].note and steps[-1].by == "solewatch"


def test_migration_0004_adds_the_step_columns_and_keeps_every_row(store_url):
    store = Store.open(store_url)
    store.migrate("0003")
    t0 = datetime(2026, 3, 1, 8, tzinfo=UTC)
    store.add_wearer("ann", at=t0)
    # a row as the code of revision 0003 stored it (the models already have the new columns)
    with store.engine.begin() as c:
        c.execute(sa.text(
            "INSERT INTO daily_pressure (wearer_id, day, foot, region, basis, peak_kpa, "
            "pti_kpa_s, mean_kpa, peak_above_target, updated_at) SELECT id, :day, 'left', "
            "'heel', 'pressure', 310.0, 5200.0, 42.0, :flag, :at FROM wearers"),
            {"day": D0, "flag": True, "at": t0.replace(tzinfo=None)})
    summary = {"left": {"heel": {"basis": "pressure", "peak_kpa": 310.0, "pti_kpa_s": 5200.0,
                                 "mean_kpa": 42.0, "peak_above_target": True}}}
    with store.engine.connect() as c:
        old = [dict(r) for r in c.execute(sa.text("SELECT * FROM daily_pressure")).mappings()]
    store.migrate()
    (row,) = store.daily_pressure("ann")
    assert (row.peak_kpa, row.mean_kpa, row.peak_above_target) == (310.0, 42.0, True)
    assert row.step_peak_kpa is None and row.steps is None  # not judged until recomputed
    summary["left"]["heel"].update(step_peak_kpa=305.0, steps=np.int64(80))
    store.upsert_daily_pressure("ann", D0, summary, at=t0)
    (row,) = store.daily_pressure("ann")
    assert (row.step_peak_kpa, row.steps) == (305.0, 80)
    with pytest.raises(Exception, match="steps"):
        summary["left"]["heel"]["steps"] = -1
        store.upsert_daily_pressure("ann", D0, summary, at=t0)
    store.downgrade("0003")
    with store.engine.connect() as c:
        back = [dict(r) for r in c.execute(sa.text("SELECT * FROM daily_pressure")).mappings()]
    # the columns gone, every row and value as before (updated_at was rewritten by the upsert
    # above: the same instant, which SQLite stores as text in another format)
    assert [{k: v for k, v in r.items() if k != "updated_at"} for r in back] == [
        {k: v for k, v in r.items() if k != "updated_at"} for r in old]
    store.close()


def test_pressure_alerts_are_on_the_alerts_page_and_in_the_report(store, tmp_path):
    from dashboard.views import alert_cards
    from solewatch.exports.report import render_report

    inbox = tmp_path / "inbox"
    for i, day in enumerate((D0, D0 + timedelta(days=1))):
        write_walk(inbox, day, seed=40 + i, duration_s=60.0)
    # (on a day of its own: of several pressure recordings of a day the longest is summarised)
    write_sitting(inbox, D0 + timedelta(days=2))
    run(store, inbox)
    stored = {(a.rule, a.foot): a for a in store.alerts("ann")}
    assert {r for r, _ in stored} == {PEAK_PRESSURE, SUSTAINED_PRESSURE}
    cards = alert_cards(store, "ann")
    assert len(cards) == len(stored)  # none filtered out as "temperature only"
    peak = [c for c in cards if c.title == RULE_TITLES[PEAK_PRESSURE]]
    assert len(peak) == 2 and all("Heel" in c.where or "heel" in c.where for c in peak)
    for c in peak:
        a = stored[PEAK_PRESSURE, c.where.split()[0].lower()]
        assert f"latest {a.evidence['latest_peak_kpa']:.0f} kPa" in c.delta
        assert "200 kPa" in c.delta and "no value" not in c.delta
    sitting = [c for c in cards if c.title == RULE_TITLES[SUSTAINED_PRESSURE]]
    assert len(sitting) == 2 and all("17 minutes" in c.delta for c in sitting)
    html = render_report(store, "ann", D0, D0 + timedelta(days=2), generated_at=NOW)
    for a in stored.values():
        assert f'id="alert-{a.id}"' in html
    assert RULE_TITLES[PEAK_PRESSURE] in html
    assert escape(column_title("peak_kpa")) in html  # the evidence table's column


def test_a_late_earlier_day_moves_the_episode_and_supersedes_only_its_own_region(store,
                                                                                 tmp_path):
    inbox = tmp_path / "inbox"
    for i, day in enumerate((D0 + timedelta(days=1), D0 + timedelta(days=2))):
        write_walk(inbox, day, seed=50 + i, duration_s=60.0)
    run(store, inbox)
    before = {a.foot: a for a in peak_alerts(store)}
    assert set(before) == {"left", "right"}
    assert all(a.first_day == D0 + timedelta(days=1) for a in before.values())
    write_walk(inbox, D0, seed=52, duration_s=60.0)  # the day before arrives late
    report = run(store, inbox, now=NOW + timedelta(hours=1))
    now = peak_alerts(store)
    opened = [a for a in now if a.status == "open"]
    assert sorted((a.foot, a.first_day) for a in opened) == [("left", D0), ("right", D0)]
    assert all(len(a.evidence["days"]) == 3 for a in opened)
    assert sorted(a.id for a in report.alerts_superseded) == sorted(a.id for a in
                                                                   before.values())
    for a in report.alerts_superseded:
        new = next(x for x in opened if x.foot == a.foot)
        note = store.alert_history(a.id)[-1].note
        assert note.startswith(f"superseded by alert {new.id}")  # same foot AND region
