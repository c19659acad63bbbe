"""The daily job (solewatch.daily) on both store backends: the alert it finds against the
generator's truth, idempotence, late data, lifecycle states kept, the CLI and --watch; the daily
balance and exercise repetitions against the gait generator's truth.

Store fixtures (``store`` on SQLite and a real PostgreSQL) come from tests/conftest.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from analysis.alerts import CONTRALATERAL_SITE
from analysis.config import AnalysisConfig
from solewatch.daily import (
    DailySettings,
    analyze_wearer_day,
    recording_days,
    run_daily,
    watch,
)
from solewatch.store.models import TEMPERATURE_SITES
from tests._daily_data import DAYS, day_file_name, truth_days, write_days
from tests._store_support import snapshot

NOW = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)
FAST = DailySettings(settle_s=0.0, retry_total_s=5.0)
CFG = AnalysisConfig()


def run(store, inbox, *, now=NOW, wearer="ann"):
    return run_daily(store, wearers=[wearer], inbox=inbox, now=now, settings=FAST)


def truth_alert():
    """(foot, site, first day, confirmed day) the generator's truth calls for: the first day
    the hotspot's daily excess is over 2.2 °C, confirmed ``consecutive_days`` later."""
    _days, inflamed, hotspot = truth_days("hotspot")
    spots = sorted(d for d, f, s in inflamed if (f, s) == (hotspot["foot"], hotspot["site"]))
    n = CFG.temperature.consecutive_days
    assert spots[:n] == [spots[0] + timedelta(days=i) for i in range(n)]
    return hotspot["foot"], hotspot["site"], spots[0], spots[n - 1]


def days_in_store(store, wearer="ann"):
    by_day: dict = {}
    for r in store.daily_temperature(wearer):
        by_day.setdefault(r.day, []).append(r.site)
    return by_day


def test_hotspot_fortnight_raises_the_truths_alert(store, tmp_path):
    inbox = tmp_path / "inbox"
    write_days(inbox, "hotspot")
    report = run(store, inbox)
    days, _, _ = truth_days("hotspot")
    assert len(report.ingested) == DAYS and report.skipped == [] and report.errors == []
    assert [d for _, d in report.days] == list(days)
    # Every day has its seven temperature rows (six sites and the foot mean).
    stored = days_in_store(store)
    assert sorted(stored) == list(days)
    assert all(sorted(v) == sorted(TEMPERATURE_SITES) for v in stored.values())
    assert all(r.status == "ingested" for r in store.recordings("ann"))
    foot, site, first, confirmed = truth_alert()
    alerts = store.alerts("ann")
    assert [(a.rule, a.foot, a.site, a.first_day, a.confirmed_day, a.status) for a in alerts] \
        == [(CONTRALATERAL_SITE, foot, site, first, confirmed, "open")]
    assert [a.id for a in report.alerts_opened] == [alerts[0].id]
    # The alerted difference is over the rule's threshold on the stored rows of those days.
    rows = {(r.day, r.site): r for r in store.daily_temperature("ann")}
    assert rows[(first, site)].delta_c > CFG.temperature.contralateral_site_delta_c
    assert rows[(confirmed, site)].delta_c > CFG.temperature.contralateral_site_delta_c


def test_healthy_fortnight_raises_no_alert(store, tmp_path):
    inbox = tmp_path / "inbox"
    write_days(inbox, "healthy")
    report = run(store, inbox)
    assert len(report.days) == DAYS and report.alerts_opened == []
    assert store.alerts("ann") == []
    assert len(store.daily_temperature("ann")) == DAYS * len(TEMPERATURE_SITES)


def test_running_twice_changes_nothing(store, tmp_path):
    inbox = tmp_path / "inbox"
    write_days(inbox, "hotspot")
    run(store, inbox)
    (alert,) = store.alerts("ann")
    store.acknowledge_alert(alert.id, by="ann", note="resting", at=NOW + timedelta(hours=1))
    before = snapshot(store)
    # Again, a day later: nothing new in the inbox -> no row added, changed or re-dated.
    report = run(store, inbox, now=NOW + timedelta(days=1))
    assert (report.ingested, report.days, report.alerts_opened) == ([], [], [])
    assert len(report.already) == DAYS
    assert snapshot(store) == before
    # Recomputing every day from its recordings gives the same values: still no change.
    for day in sorted(days_in_store(store)):
        analyze_wearer_day(store, "ann", day, at=NOW + timedelta(days=2))
    run(store, inbox, now=NOW + timedelta(days=2))
    assert snapshot(store) == before
    assert store.get_alert(alert.id).status == "acknowledged"  # a person's step is kept


def test_a_late_day_re_evaluates_the_days_around_it(store, tmp_path):
    foot, site, first, confirmed = truth_alert()
    days, _, _ = truth_days("hotspot")
    late = list(days).index(confirmed)  # the day that confirms the truth's episode
    inbox = tmp_path / "inbox"
    write_days(inbox, "hotspot", [i for i in range(DAYS) if i != late])
    run(store, inbox)
    assert confirmed not in days_in_store(store)
    # Without that day the run goes on across the missing day (TemperatureConfig.
    # confirm_skip_days) and is confirmed by the next day over the threshold instead.
    (early,) = store.alerts("ann")
    assert (early.foot, early.site, early.first_day) == (foot, site, first)
    assert early.confirmed_day > confirmed
    # The day arrives late: it is recomputed, and so is the consecutive-day evaluation: the
    # same alert (one episode) is now confirmed on the day that arrived.
    write_days(inbox, "hotspot", [late])
    report = run(store, inbox, now=NOW + timedelta(days=1))
    assert report.ingested == [str((inbox / day_file_name(late)).resolve())]
    assert [d for _, d in report.days] == [confirmed]
    assert sorted(days_in_store(store)[confirmed]) == sorted(TEMPERATURE_SITES)
    current = store.alerts("ann", status="open")
    assert [(a.id, a.rule, a.foot, a.site, a.first_day, a.confirmed_day) for a in current] == [
        (early.id, CONTRALATERAL_SITE, foot, site, first, confirmed)]
    assert report.alerts_superseded == []


def test_a_changed_file_is_a_new_recording_that_replaces_the_old(store, tmp_path):
    inbox = tmp_path / "inbox"
    (path,) = write_days(inbox, "hotspot", [3])
    run(store, inbox)
    (day,) = days_in_store(store)
    before = {r.site: r.left_c for r in store.daily_temperature("ann")}
    # The same path now holds another day's worth (healthy data of the same date).
    (other,) = write_days(tmp_path / "other", "healthy", [3])
    path.write_bytes(other.read_bytes())
    os.utime(path, (time.time() - 3600,) * 2)
    report = run(store, inbox, now=NOW + timedelta(days=1))
    assert report.ingested == [str(path.resolve())] and [d for _, d in report.days] == [day]
    recs = store.recordings("ann")
    assert len(recs) == 2 and {r.status for r in recs} == {"ingested"}
    after = {r.site: r.left_c for r in store.daily_temperature("ann")}
    assert after != before and len(store.daily_temperature("ann")) == len(TEMPERATURE_SITES)


def test_recording_days_are_local_days(store, tmp_path):
    inbox = tmp_path / "inbox"
    write_days(inbox, "hotspot", [0, 1])
    run(store, inbox)
    days, _, _ = truth_days("hotspot")
    assert [recording_days(r) for r in store.recordings("ann")] == [[days[0]], [days[1]]]


def test_cli_daily_prints_what_it_did(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"  # the library tests cover PostgreSQL
    inbox = tmp_path / "inbox"
    write_days(inbox, "hotspot")
    (inbox / "notes.bin").write_bytes(b"\x00\x01garbage")
    os.utime(inbox / "notes.bin", (time.time() - 3600,) * 2)
    env = {**os.environ, "SOLEWATCH_HOME": str(tmp_path / "home")}
    cmd = [sys.executable, "-m", "solewatch", "daily", "--db", url, "--wearer", "ann",
           "--inbox", str(inbox)]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    foot, site, day1, day2 = truth_alert()
    assert first.returncode == 1, first.stderr  # one file skipped
    assert f"skipped   {inbox / 'notes.bin'}: " in first.stdout
    assert "binary content, not a text recording" in first.stdout
    assert first.stdout.count("ingested  ") == DAYS
    assert (f"alert     ann: contralateral_site {foot} {site} from {day1.isoformat()}, "
            f"confirmed {day2.isoformat()}") in first.stdout
    assert f"summary   {DAYS} ingested, 1 skipped" in first.stdout
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    # The unreadable file is registered as failed: the same bytes are not tried again.
    lines = again.stdout.strip().splitlines()
    assert lines[-1] == (f"summary   0 ingested, 0 skipped, {DAYS + 1} already in the store, "
                         "0 day(s) recomputed, 0 alert(s) opened, 0 wearer(s) incomplete")
    # Nothing else changed; the status says what the history lets one say today (the open
    # alert, and that the insoles sent nothing after the fortnight).
    days, _, _ = truth_days("hotspot")
    [status] = lines[:-1]
    assert status.startswith("status    ann: attention on ")
    assert status.endswith(f": 1 open alert; no data from either insole since {days[-1]}")


def test_usage_errors_exit_2(tmp_path):
    env = {**os.environ, "SOLEWATCH_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-m", "solewatch", "daily", "--db",
                           f"sqlite:///{tmp_path / 's.db'}", "--inbox", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2 and "need exactly one --wearer" in done.stderr


def test_the_default_inbox_is_per_wearer_in_solewatch_home(store, tmp_path, monkeypatch):
    monkeypatch.setenv("SOLEWATCH_HOME", str(tmp_path / "home"))
    folder = tmp_path / "home" / "inbox" / "ann"
    write_days(folder, "healthy", [0, 1])
    report = run_daily(store, now=NOW, settings=FAST)  # every wearer with an inbox folder
    assert len(report.ingested) == 2 and [w.name for w in store.wearers()] == ["ann"]
    # A wearer named on the command line gets an inbox folder on first use.
    run_daily(store, wearers=["bob"], now=NOW, settings=FAST)
    assert (tmp_path / "home" / "inbox" / "bob").is_dir()


def test_a_file_still_being_written_waits_for_the_next_run(store, tmp_path):
    inbox = tmp_path / "inbox"
    (path,) = write_days(inbox, "healthy", [0])
    os.utime(path)  # just modified
    report = run_daily(store, wearers=["ann"], inbox=inbox, now=NOW,
                       settings=DailySettings(settle_s=30.0))
    assert report.ingested == [] and "left for the next run" in report.skipped[0].reason
    assert store.recordings("ann") == []


def test_watch_runs_again_when_a_recording_arrives(store, tmp_path):
    inbox = tmp_path / "inbox"
    write_days(inbox, "healthy", [0])
    reports = []

    def arrive():
        while not reports:
            time.sleep(0.05)
        write_days(inbox, "healthy", [1])  # what `solewatch record` would drop in

    t = threading.Thread(target=arrive)
    t.start()
    runs = watch(store, interval_s=0.1, max_runs=2, on_report=reports.append,
                 wearers=["ann"], inbox=inbox, now=NOW, settings=FAST)
    t.join()
    assert runs == 2
    assert [len(r.ingested) for r in reports] == [1, 1]
    assert len(days_in_store(store)) == 2


@pytest.mark.parametrize("hours", [0])
def test_analyze_wearer_day_of_a_day_without_data_stores_nothing(store, tmp_path, hours):
    store.ensure_wearer("ann")
    before = snapshot(store)
    result = analyze_wearer_day(store, "ann", NOW.date(), at=NOW)
    assert result.empty and result.recordings == []
    assert snapshot(store) == before


def test_ble_pairings_are_mirrored_into_the_store_with_their_history(store):
    """`solewatch pair` writes the pairings file; the daily job records it in the store: which
    insole was on which foot from when, and the end of a pairing when it is removed."""
    from datetime import UTC, datetime

    from firmware_bridge.ble.pairing import PairedInsole, Pairing
    from solewatch.daily import sync_pairings

    t0 = datetime(2026, 3, 1, 8, tzinfo=UTC)
    ann = Pairing("ann", PairedInsole("D4:5E:00:00:3A:7F", "SWL-3A7F", True, "Just Works"),
                  PairedInsole("D4:5E:00:00:3A:80", "SWR-3A80", True, "Just Works"),
                  paired_unix_s=t0.timestamp())
    changes = sync_pairings(store, {"ann": ann}, now=t0)
    assert len(changes) == 2
    current = {p.foot: p for p in store.pairings("ann")}
    assert set(current) == {"left", "right"} and current["left"].bonded
    assert store.get_device("D4:5E:00:00:3A:7F").side == "left"
    assert sync_pairings(store, {"ann": ann}, now=t0) == []  # idempotent
    # a new right insole replaces the old one; the old pairing ends, history kept
    t1 = datetime(2026, 4, 1, 8, tzinfo=UTC)
    ann2 = Pairing("ann", ann.left, PairedInsole("D4:5E:00:00:3A:99", "SWR-3A99"),
                   paired_unix_s=t1.timestamp())
    assert sync_pairings(store, {"ann": ann2}, now=t1) == [
        "ann: right insole D4:5E:00:00:3A:99 paired"]
    history = store.pairings("ann", current_only=False)
    assert len(history) == 3 and sum(p.unpaired_at is not None for p in history) == 1
    # unpaired in the file: the store's pairings end
    t2 = datetime(2026, 5, 1, 8, tzinfo=UTC)
    assert sorted(sync_pairings(store, {}, now=t2)) == [
        "ann: left insole unpaired", "ann: right insole unpaired"]
    assert store.pairings("ann") == []


# -- balance and exercises -------------------------------------------------------------------


def write_walk(folder, name, *, day, duration_s, seed):
    """A generated walk of both solewatch-16 insoles at 10:00 local on ``day``, logged as the
    receiver would (.swlog over simulated links), dated an hour ago; returns (path, truth)."""
    from analysis.layouts import SOLEWATCH_16
    from fixtures.clinic import TZ, WALK_LINKS
    from fixtures.generator import generate_gait
    from fixtures.recordings import write_log

    start = datetime(day.year, day.month, day.day, 10, tzinfo=TZ)
    stream, truth = generate_gait(SOLEWATCH_16, sample_rate_hz=100.0, duration_s=duration_s,
                                  seed=seed, start=start, dtype=np.float32)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if path.exists():
        path.unlink()
    write_log(path, stream, None, start=start, links=WALK_LINKS, wearer="ann")
    os.utime(path, (time.time() - 3600,) * 2)
    return path, truth


def truth_standing(truth):
    """The generator's quiet-standing intervals long enough for the analysis to measure
    (GaitConfig.quiet_min_duration_s); none may be within 1 s of that limit, so the count
    does not hang on where the analysis puts an interval's edges."""
    shortest = CFG.gait.quiet_min_duration_s
    durations = [float(b - a) for a, b in truth.standing_s]
    assert all(abs(d - shortest) > 1.0 for d in durations), durations
    return [i for i, d in enumerate(durations) if d >= shortest]


def test_balance_and_exercises_of_a_day_against_the_generators_truth(store, tmp_path):
    inbox = tmp_path / "inbox"
    day = date(2026, 3, 3)
    quiet_day = day + timedelta(days=1)
    _, truth = write_walk(inbox, "standing.swlog", day=day, duration_s=200.0, seed=7)
    _, short = write_walk(inbox, "short.swlog", day=quiet_day, duration_s=45.0, seed=8)
    long_enough = truth_standing(truth)
    assert long_enough and truth.calf_raise_count > 0  # the day under test has both
    assert truth_standing(short) == [] and short.calf_raise_count == 0
    report = run(store, inbox)
    assert sorted(d for _, d in report.days) == [day, quiet_day] and report.errors == []

    (bal,) = store.daily_balance("ann")  # the day without quiet standing has no row
    assert bal.day == day
    assert bal.quiet_standing_intervals == len(long_enough)
    assert bal.one_leg_intervals == 0  # the generator stands on both feet
    durations = [float(truth.standing_s[i, 1] - truth.standing_s[i, 0]) for i in long_enough]
    # the analysis looks every 0.1 s with a 1 s window: edges within about half a second
    assert bal.quiet_standing_s == pytest.approx(sum(durations), abs=1.0 * len(durations))
    # the truth's sway area is of the noise-free body sway; the insoles add sensor noise
    want_mm2 = 100.0 * float(np.median(truth.standing_sway_area_95_cm2[long_enough]))
    assert bal.ellipse95_area_mm2 == pytest.approx(want_mm2, rel=0.3)
    assert bal.mean_velocity_mm_s > 0 and bal.ap_velocity_mm_s > 0

    counted = {(r.day, r.kind): r.repetitions for r in store.daily_exercise("ann")}
    # the generator makes calf raises only (no toe lifts); a day examined with none is 0
    assert counted == {(day, "calf_raise"): truth.calf_raise_count, (day, "toe_lift"): 0,
                       (quiet_day, "calf_raise"): 0, (quiet_day, "toe_lift"): 0}

    # A second run, and recomputing both days, change nothing.
    before = snapshot(store)
    again = run(store, inbox, now=NOW + timedelta(days=1))
    assert (again.ingested, again.days) == ([], [])
    for d in (day, quiet_day):
        analyze_wearer_day(store, "ann", d, at=NOW + timedelta(days=2))
    assert snapshot(store) == before


def test_a_day_recomputed_without_quiet_standing_loses_its_balance_row(store, tmp_path):
    inbox = tmp_path / "inbox"
    day = date(2026, 3, 3)
    path, _ = write_walk(inbox, "walk.swlog", day=day, duration_s=200.0, seed=7)
    run(store, inbox)
    assert [b.day for b in store.daily_balance("ann")] == [day]
    # The file is replaced (same path, new bytes) by a walk without quiet standing or raises.
    _, short = write_walk(tmp_path / "other", "walk.swlog", day=day, duration_s=45.0, seed=8)
    assert truth_standing(short) == [] and short.calf_raise_count == 0
    path.write_bytes((tmp_path / "other" / "walk.swlog").read_bytes())
    os.utime(path, (time.time() - 3600,) * 2)
    report = run(store, inbox, now=NOW + timedelta(days=1))
    assert [d for _, d in report.days] == [day]
    assert store.daily_balance("ann") == []  # no row, not zeros
    assert {r.kind: r.repetitions for r in store.daily_exercise("ann")} == {
        "calf_raise": 0, "toe_lift": 0}
