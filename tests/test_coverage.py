"""Never silence that looks like safety: per-day coverage and the overall status, compared with
the generator's truth (which insole stopped when, which days were worn), in the pure analysis,
the CLI JSON and text, the store on SQLite and PostgreSQL, the daily job and the HTML report."""

from __future__ import annotations

import functools
import json
from datetime import date, timedelta

import numpy as np
import pytest

from analysis.alerts import BASELINE_DIFFERENCE, Alert
from analysis.config import TemperatureConfig
from analysis.sites import FEET, SITES
from analysis.streams import TemperatureStream
from analysis.temperature import analyze_temperature
from analysis.temperature.coverage import (
    ATTENTION,
    INCOMPLETE,
    QUIET,
    STATUS_WINDOW_DAYS,
    STATUSES,
    overall_status,
)
from fixtures.generator import generate_temperatures
from solewatch.cli import main
from solewatch.store import StoreError

CONFIG = TemperatureConfig()
PERIOD_S = 300.0
DAYS = 10
COVERAGE_KEYS = {"date", "left_minutes", "right_minutes", "judged", "reason"}


@functools.cache
def generated(scenario: str, days: int = DAYS, seed: int = 11):
    return generate_temperatures(days=days, scenario=scenario, seed=seed,
                                 sample_period_s=PERIOD_S)


def _local_day(stream: TemperatureStream, t_s: float) -> date:
    return (stream.start + timedelta(seconds=t_s)).date()


def lost_truth() -> tuple[date, date]:
    """From the generator's truth: the last day the right insole sent a reading, and the last
    day of the recording."""
    stream, truth = generated("lost_insole")
    foot, t0 = truth.lost_insole
    assert foot == "right"
    return _local_day(stream, t0 - PERIOD_S), _local_day(stream, float(stream.time_s[-1]))


# -- pure analysis ---------------------------------------------------------------------------


def test_silent_right_insole_is_incomplete_with_the_day_it_stopped():
    stream, truth = generated("lost_insole")
    result = analyze_temperature(stream, CONFIG)
    last_right, last_day = lost_truth()
    status = result.status()
    assert status["status"] == INCOMPLETE
    assert status["reasons"][0] == f"no data from the right insole since {last_right}"
    assert status["since"] == {"right": last_right.isoformat()}
    assert status["today"] == last_day.isoformat()
    rows = {r["date"]: r for r in result.coverage}
    assert sorted(rows) == [truth.days[0] + timedelta(days=i) for i in range(DAYS)]
    for day, row in rows.items():
        assert set(row) == COVERAGE_KEYS
        if day > last_right:
            assert (row["judged"], row["reason"], row["right_minutes"]) == (
                False, "no data from the right insole", 0.0)
            assert row["left_minutes"] > 0
        else:
            assert row["judged"] and row["reason"] is None
    # Worn minutes follow the generator's worn time (the insole's thermal lag and shoe-off
    # detection shift them by well under two hours a day).
    idx = np.floor(stream.time_s / 86400.0).astype(int)
    for i, day in enumerate(truth.days):
        worn_truth = float(truth.worn[idx == i].sum()) * PERIOD_S / 60.0
        assert rows[day]["left_minutes"] == pytest.approx(worn_truth, abs=120.0)
    # Every day after the right insole fell silent is in the window's not-judged days, said
    # once by the "since" reason, not once per day.
    window = [last_day - timedelta(days=k) for k in range(STATUS_WINDOW_DAYS)]
    assert status["not_judged"] == sorted(d.isoformat() for d in window if d > last_right)
    assert len(status["reasons"]) == 1


def test_day_with_too_little_rest_is_not_judged_with_the_minutes():
    stream, _ = generated("healthy", days=5)
    values = stream.values_c.copy()
    day = 2
    on_day = (stream.time_s >= day * 86400.0) & (stream.time_s < (day + 1) * 86400.0)
    # Keep only 40 minutes of that day's readings, in the middle of a worn afternoon.
    keep = on_day & (stream.time_s >= day * 86400.0 + 15 * 3600.0) & (
        stream.time_s < day * 86400.0 + 15 * 3600.0 + 40 * 60.0)
    values[on_day & ~keep] = np.nan
    cut = TemperatureStream(time_s=stream.time_s, values_c=values, start=stream.start,
                            source="healthy with a short day")
    result = analyze_temperature(cut, CONFIG)
    short = stream.start.date() + timedelta(days=day)
    row = next(r for r in result.coverage if r["date"] == short)
    table_minutes = max(r["minutes"] for r in result.daily if r["date"] == short)
    assert table_minutes < CONFIG.daily_min_minutes
    assert not row["judged"]
    assert row["reason"] == (f"less than {CONFIG.daily_min_minutes:.0f} min of comparable rest "
                             f"({table_minutes:.0f} min)")
    assert row["left_minutes"] <= 40.0 and row["right_minutes"] <= 40.0
    status = result.status()
    assert status["status"] == INCOMPLETE
    assert f"{short.isoformat()} not judged: {row['reason']}" in status["reasons"]
    # Days before the window do not make a result incomplete.
    later = result.status(today=short + timedelta(days=STATUS_WINDOW_DAYS))
    assert later["not_judged"] == [] and later["status"] == INCOMPLETE  # silent since
    assert later["reasons"] == [f"no data from either insole since {result.coverage[-1]['date']}"]


def test_all_judged_is_quiet_and_an_open_alert_is_attention():
    stream, _ = generated("healthy", days=8)
    result = analyze_temperature(stream, CONFIG)
    assert all(r["judged"] for r in result.coverage)
    assert result.alerts == []
    status = result.status()
    assert (status["status"], status["reasons"], status["since"]) == (QUIET, [], {})
    # A finding (a difference present from the start) is not an alert: still quiet.
    finding = Alert(rule=BASELINE_DIFFERENCE, foot="left", site="mth1", first_day=None,
                    confirmed_day=None, delta_c=2.5, message="already warmer")
    kwargs = dict(today=max(r["date"] for r in result.coverage), feet=FEET,
                  last_data=result.last_data)
    assert overall_status(result.coverage, [finding], **kwargs)["status"] == QUIET
    hot_stream, truth = generated("hotspot")
    hot = analyze_temperature(hot_stream, CONFIG)
    assert any(a.foot == truth.hotspot["foot"] for a in hot.alerts)
    st = hot.status()
    assert st["status"] == ATTENTION and st["open_alerts"] == len(hot.alerts)
    assert st["reasons"][0].endswith("open alert" + ("s" if len(hot.alerts) > 1 else ""))
    # A stored alert a person resolved no longer needs attention.
    resolved = [{"rule": a.rule, "status": "resolved"} for a in hot.alerts]
    kwargs = dict(today=date.fromisoformat(st["today"]), feet=FEET, last_data=hot.last_data)
    without = overall_status(hot.coverage, [], **kwargs)
    assert without["status"] != ATTENTION
    assert overall_status(hot.coverage, resolved, **kwargs) == without


def test_single_foot_wearer_is_judged_on_one_foot():
    stream, _ = generated("healthy", days=8)
    values = stream.values_c.copy()
    values[:, FEET.index("right"), :] = np.nan  # an amputated right foot: never any reading
    one = TemperatureStream(time_s=stream.time_s, values_c=values, start=stream.start,
                            source="left only")
    result = analyze_temperature(one, CONFIG)
    assert result.mode == "single_left" and result.feet == ("left",)
    assert all(r["judged"] and r["right_minutes"] == 0.0 for r in result.coverage)
    assert result.status()["status"] == QUIET


# -- the command line ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lost_csv(tmp_path_factory):
    from firmware_bridge.readers.temperature_csv import write_temperature_csv

    path = tmp_path_factory.mktemp("lost") / "lost.csv"
    write_temperature_csv(generated("lost_insole")[0], path)
    return path


def test_cli_json_has_coverage_and_status(capsys, lost_csv):
    assert main(["analyze", "--json", str(lost_csv)]) == 0
    out = json.loads(capsys.readouterr().out)
    last_right, last_day = lost_truth()
    assert out["status"] in STATUSES and out["status"] == INCOMPLETE
    detail = out["status_detail"]
    assert set(detail) == {"status", "reasons", "since", "today", "open_alerts", "not_judged"}
    assert detail["status"] == out["status"] and detail["today"] == last_day.isoformat()
    assert detail["reasons"] == [f"no data from the right insole since {last_right}"]
    coverage = out["temperature"]["coverage"]
    assert [c["date"] for c in coverage] == [
        (last_day - timedelta(days=DAYS - 1 - i)).isoformat() for i in range(DAYS)]
    for c in coverage:
        assert set(c) == COVERAGE_KEYS
        assert isinstance(c["judged"], bool) and isinstance(c["left_minutes"], float)
        assert (c["reason"] is None) == c["judged"]
        assert c["judged"] == (date.fromisoformat(c["date"]) <= last_right)


def test_cli_text_says_the_status_before_any_no_alerts(capsys, lost_csv):
    assert main(["analyze", str(lost_csv)]) == 0
    text = capsys.readouterr().out
    last_right, _ = lost_truth()
    line = f"Status: incomplete — no data from the right insole since {last_right}"
    assert line in text
    assert "Nothing needs attention" not in text
    assert text.index(line) < text.index("No alerts in what could be judged")


def test_cli_text_of_a_fully_judged_recording_is_quiet(capsys, tmp_path):
    from firmware_bridge.readers.temperature_csv import write_temperature_csv

    stream, truth = generated("healthy", days=8)
    path = tmp_path / "healthy.csv"
    write_temperature_csv(stream, path)
    assert main(["analyze", str(path)]) == 0
    text = capsys.readouterr().out
    assert (f"Status: quiet — every day of the last {STATUS_WINDOW_DAYS} up to "
            f"{truth.days[-1]} was judged and nothing needs attention") in text
    assert "Nothing needs attention in this recording." in text


def test_gait_only_recording_says_temperature_was_not_judged(capsys, fixture_data):
    from analysis.pipeline import NO_TEMPERATURE_REASON

    path = next((fixture_data / "healthy").glob("pressure.txt*"))
    assert main(["analyze", "--json", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["temperature"]["coverage"] == []
    assert NO_TEMPERATURE_REASON in out["status_detail"]["reasons"]
    assert out["status"] == (ATTENTION if out["alerts"] else QUIET)
    assert out["status_detail"]["today"] is None


# -- the store, the daily job, the report ----------------------------------------------------


@pytest.fixture
def lost_store(store, tmp_path):
    from datetime import UTC, datetime

    from solewatch.daily import DailySettings, run_daily
    from tests._daily_data import write_stream_days

    inbox = tmp_path / "inbox"
    write_stream_days(generated("lost_insole")[0], inbox, DAYS, "lost_insole")
    _, last_day = lost_truth()
    now = datetime.combine(last_day, datetime.min.time(), UTC) + timedelta(hours=20)
    report = run_daily(store, wearers=["ann"], inbox=inbox, now=now,
                       settings=DailySettings(retry_total_s=5.0, settle_s=0.0))
    return store, report


def test_store_coverage_lists_every_day_and_says_which_foot(lost_store):
    store, _ = lost_store
    last_right, last_day = lost_truth()
    first = last_day - timedelta(days=DAYS - 1)
    rows = store.coverage("ann", first - timedelta(days=1), last_day + timedelta(days=3))
    assert [r["date"] for r in rows] == [first + timedelta(days=i) for i in range(-1, DAYS + 3)]
    for r in rows:
        assert set(r) == COVERAGE_KEYS
        if r["date"] < first or r["date"] > last_day:
            assert (r["judged"], r["reason"]) == (False, "no data from either insole")
        elif r["date"] > last_right:
            assert (r["judged"], r["reason"]) == (False, "no data from the right insole")
            assert r["right_minutes"] == 0.0 and r["left_minutes"] > 0.0
        else:
            assert r["judged"] and r["reason"] is None
    on_last = store.status("ann", last_day)
    assert on_last["status"] == INCOMPLETE
    # Days before monitoring began do not count as days that could not be judged.
    new_wearer = store.status("ann", first + timedelta(days=2))
    assert (new_wearer["status"], new_wearer["not_judged"]) == (QUIET, [])
    assert on_last["reasons"] == [f"no data from the right insole since {last_right}"]
    later = store.status("ann", last_day + timedelta(days=3))
    assert later["since"] == {"left": last_day.isoformat(), "right": last_right.isoformat()}
    assert later["reasons"] == [f"no data from the left insole since {last_day}",
                                f"no data from the right insole since {last_right}"]


def test_daily_job_reports_incomplete_wearers(lost_store):
    import io

    from solewatch.daily import print_report

    _, report = lost_store
    last_right, last_day = lost_truth()
    assert report.incomplete == ["ann"]
    out = io.StringIO()
    print_report(report, out)
    assert (f"status    ann: incomplete on {last_day}: no data from the right insole since "
            f"{last_right}") in out.getvalue()
    assert "1 wearer(s) incomplete" in out.getvalue()


def test_report_html_puts_the_status_above_the_alerts(lost_store):
    from datetime import UTC, datetime

    from solewatch.exports.report import render_report

    store, _ = lost_store
    last_right, last_day = lost_truth()
    first = last_day - timedelta(days=DAYS - 1)
    html = render_report(store, "ann", first, last_day,
                         generated_at=datetime.combine(last_day + timedelta(days=1),
                                                       datetime.min.time(), UTC))
    status_at = html.index('<section id="status"')
    assert status_at < html.index('<section id="alerts"')
    section = html[status_at:html.index("</section>", status_at)]
    assert 'role="status"' in section and "INCOMPLETE" in section
    assert f"No data from the right insole since {last_right}" in section
    assert f"Status on {last_day}" in section  # the range ends before the wearer's today


def test_single_foot_wearer_in_the_store_is_quiet(store):
    day0 = date(2026, 3, 2)
    rows = [{"date": day0 + timedelta(days=d), "site": site, "left_c": 30.0, "right_c": None,
             "delta_c": None, "minutes": 300.0, "enough": True, "room_c": None}
            for d in range(8) for site in (*SITES, "foot_mean")]
    store.add_wearer("uma")
    store.upsert_daily_temperature("uma", rows)
    today = day0 + timedelta(days=7)
    assert all(r["judged"] for r in store.coverage("uma", day0, today))
    assert store.status("uma", today)["status"] == QUIET
    st = store.status("uma", today + timedelta(days=2))
    assert st["status"] == INCOMPLETE and st["since"] == {"left": today.isoformat()}
    assert st["reasons"] == [f"no data from the left insole since {today}"]
    with pytest.raises(StoreError, match="end 2026-03-01 is before start 2026-03-02"):
        store.coverage("uma", day0, date(2026, 3, 1))


def test_the_current_day_counts_once_judged(store):
    """The wearer's today is still being recorded: no "not judged" and no "since yesterday"
    for it, unless the other insole already sent today's data."""
    day0 = date(2026, 3, 2)
    today = day0 + timedelta(days=7)

    def both(day, right=30.0):
        return [{"date": day, "site": site, "left_c": 30.1, "right_c": right,
                 "delta_c": None if right is None else 0.1, "minutes": 300.0, "enough": True,
                 "room_c": None} for site in (*SITES, "foot_mean")]

    store.add_wearer("vi")
    for d in range(7):  # up to yesterday, both feet
        store.upsert_daily_temperature("vi", both(day0 + timedelta(days=d)))
    morning = store.status("vi", today)
    assert (morning["status"], morning["reasons"]) == (QUIET, [])
    finished = store.status("vi", today, in_progress=False)
    # Judged as a finished day: both insoles silent since yesterday (the day itself is said
    # by that reason, not again as a day not judged).
    assert finished["reasons"] == [f"no data from either insole since {today - timedelta(1)}"]
    assert finished["not_judged"] == [today.isoformat()]
    # The left insole has sent today's readings, the right has not: said the same day.
    store.upsert_daily_temperature("vi", both(today, right=None))
    st = store.status("vi", today)
    assert st["status"] == INCOMPLETE
    assert st["reasons"] == [f"no data from the right insole since {today - timedelta(1)}"]
