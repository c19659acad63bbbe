"""Exports (CSV, Parquet) and the clinician report, on SQLite and PostgreSQL.

A store is filled through the Store API with known rows (a simulated temperature analysis with
one real alert, hand-made gait and pressure summaries, more alerts with lifecycle steps, notes,
footwear and sessions), then exported and read back.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta, timezone
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.alerts import CONTRALATERAL_SITE, SUDDEN_RISE, SUSTAINED_PRESSURE, Alert
from analysis.config import TemperatureConfig
from analysis.pipeline import GAIT_SUMMARY_KEYS
from analysis.temperature import analyze_temperature
from solewatch.cli import main
from solewatch.exports import (
    COLUMNS,
    TABLES,
    ExportError,
    export_tables,
    render_report,
    write_report,
)
from solewatch.exports.tables import collect, table_rows
from solewatch.report import NOT_A_DIAGNOSIS
from solewatch.store import Store
from tests._temperature_sim import simulate

T0 = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
CET = timezone(timedelta(hours=1))
START, END = date(2026, 3, 1), date(2026, 3, 10)
WEARER = "ann"


def fill(store: Store) -> dict:
    """Known history for 2026-03-01..10 (+ rows outside it); returns what was written."""
    store.add_wearer(WEARER, time_zone="Europe/Berlin", at=T0)
    store.add_wearer("bob", at=T0)
    sim = simulate(10)
    sim.add("left", ["mth1"], 3.0, np.isin(sim.day, [6, 7, 8, 9]))
    result = analyze_temperature(sim.stream(), TemperatureConfig())
    assert [a.rule for a in result.alerts] == [CONTRALATERAL_SITE]
    for d in sorted({r["date"] for r in result.daily}):
        store.write_day(WEARER, d, temperature_rows=[r for r in result.daily if r["date"] == d],
                        alerts=[a for a in result.alerts if a.first_day == d], at=T0)
    # A day outside the range must not be exported.
    store.upsert_daily_temperature(WEARER, [{"date": date(2026, 3, 11), "site": "heel",
                                             "left_c": 30.0, "right_c": 29.0, "delta_c": 1.0,
                                             "minutes": 300.0, "enough": True}], at=T0)
    gait = {}
    for i in range(10):
        d = START + timedelta(days=i)
        if i == 4:
            continue  # a day without walking data
        g = dict.fromkeys(GAIT_SUMMARY_KEYS)
        g.update(cadence_steps_per_min=104.0 - i * 0.7, steps_left=2000 + i,
                 steps_right=1990 + i, stride_time_s_mean=1.12 + i * 0.004,
                 stride_time_sd_ms=30.0 + i, stride_time_cv_pct=2.4 + i * 0.12,
                 swing_time_cv_pct=2.1 + i * 0.15, stance_time_cv_pct=2.9,
                 double_support_pct=24.0 + i * 0.5, gait_asymmetry=3.3,
                 symmetry_index_pct=1.7, pci_pct=3.1 + i * 0.2, dfa_alpha=None)
        store.upsert_daily_gait(WEARER, d, g, at=T0)
        gait[d] = g
    store.upsert_daily_gait(WEARER, date(2026, 2, 20), gait[START], at=T0)
    for i in range(10):
        d = START + timedelta(days=i)
        store.upsert_daily_pressure(WEARER, d, {
            "left": {"heel": {"basis": "pressure", "peak_kpa": 180.0 + 4 * i,
                              "pti_kpa_s": 5000.0 + i, "mean_kpa": 40.5,
                              "peak_above_target": 180.0 + 4 * i > 200},
                     "mth1": {"basis": "pressure", "peak_kpa": 230.0 - i * 3.5,
                              "pti_kpa_s": 6100.0, "mean_kpa": 51.25,
                              "peak_above_target": 230.0 - i * 3.5 > 200}},
            "right": {"heel": {"basis": "pressure", "peak_kpa": 170.0 + 2 * i,
                               "pti_kpa_s": 4800.0, "mean_kpa": 38.0,
                               "peak_above_target": False},
                      "toes": {"basis": "force", "peak_n": 95.0, "fti_n_s": 1800.0,
                               "mean_n": 12.0}},
        }, at=T0)
    # Balance on the days with quiet standing (not day 3 or 7), exercises on the days the
    # insoles were examined; one day of each outside the range.
    balance = {}
    for i in range(10):
        if i in (3, 7):
            continue
        d = START + timedelta(days=i)
        balance[d] = {"quiet_standing_intervals": 1 + i % 3, "one_leg_intervals": i % 2,
                      "quiet_standing_s": 20.0 + 7.5 * i, "ellipse95_area_mm2": 180.0 + 9.25 * i,
                      "mean_velocity_mm_s": 12.5 + 0.5 * i, "ap_velocity_mm_s": 11.0,
                      "ml_velocity_mm_s": None if i == 5 else 4.75}
        store.upsert_daily_balance(WEARER, d, balance[d], at=T0)
        store.upsert_daily_exercise(WEARER, d, {"calf_raise": 2 * i, "toe_lift": i % 4}, at=T0)
    store.upsert_daily_balance(WEARER, END + timedelta(days=1), balance[START], at=T0)
    store.upsert_daily_exercise(WEARER, date(2026, 2, 20), {"calf_raise": 5}, at=T0)
    pressure_alert = Alert(
        rule=SUSTAINED_PRESSURE, foot="left", site="mth1", first_day=date(2026, 3, 4),
        confirmed_day=date(2026, 3, 4), delta_c=None,
        message="Your left foot (ball of the foot) carried pressure for at least 20 minutes.",
        evidence={"region": "mth1", "start_s": 3600.0, "duration_s": 1260.0, "mean_kpa": 8.25,
                  "threshold_kpa": 4.67, "threshold_duration_s": 900.0, "max_gap_s": 10.0,
                  "source": "sim"})
    rise = Alert(
        rule=SUDDEN_RISE, foot="right", site=None, first_day=date(2026, 3, 3),
        confirmed_day=date(2026, 3, 3), delta_c=2.75,
        message="Your right foot warmed up by 2.8 °C within 3 hours.",
        evidence={"rise_c": 2.75, "other_foot_rise_c": 0.25, "threshold_c": 2.0,
                  "other_max_c": 0.5, "window_h": 3.0, "start": "2026-03-03T10:00:00+01:00",
                  "end": "2026-03-03T12:30:00+01:00", "last_day": "2026-03-03"})
    outside = Alert(rule=SUSTAINED_PRESSURE, foot="right", site="heel",
                    first_day=date(2026, 2, 10), confirmed_day=date(2026, 2, 10),
                    delta_c=None, message="Outside the range.", evidence={"region": "heel"})
    stored = store.upsert_alerts(WEARER, [pressure_alert, rise, outside], at=T0)
    alerts = {a.rule: a for a in store.alerts(WEARER)}
    store.acknowledge_alert(alerts[CONTRALATERAL_SITE].id, by="nurse Kim",
                            note="called Ann; offloading for 3 days",
                            at=T0 + timedelta(hours=2))
    store.acknowledge_alert(stored[1].id, by="ann", at=T0 + timedelta(hours=1))
    store.resolve_alert(stored[1].id, by="dr Lee", note="new shoe rubbed; changed shoes",
                        at=T0 + timedelta(hours=5))
    store.add_footwear(WEARER, "shoe", "walking shoe A", at=T0)
    store.add_footwear(WEARER, "insole", "custom insole 2", at=T0)
    shoe = next(f for f in store.footwear(WEARER) if f.kind == "shoe")
    store.record_session(WEARER, datetime(2026, 3, 2, 8, 0, tzinfo=CET),
                         ended_at=datetime(2026, 3, 2, 18, 30, tzinfo=CET),
                         shoe="walking shoe A", insole="custom insole 2", note="normal day")
    store.record_session(WEARER, datetime(2026, 3, 9, 7, 45, tzinfo=CET),
                         shoe="walking shoe A")
    store.record_session(WEARER, datetime(2026, 2, 9, 7, 45, tzinfo=CET))  # outside
    store.add_note(WEARER, "symptom", "Tingling in the left forefoot after the walk",
                   at=datetime(2026, 3, 7, 19, 5, tzinfo=CET))
    store.add_note(WEARER, "exercise", "Balance exercises, 10 minutes",
                   at=datetime(2026, 3, 2, 9, 0, tzinfo=CET))
    store.add_note(WEARER, "shoe", "New walking shoes <A> & laces",
                   at=datetime(2026, 3, 1, 0, 30, tzinfo=CET), footwear_id=shoe.id)
    store.add_note(WEARER, "other", "Outside the range",
                   at=datetime(2026, 3, 11, 0, 30, tzinfo=CET))
    # 2026-03-10 23:30 UTC is 2026-03-11 00:30 local: the note's local day is outside.
    return {"temperature": result.daily, "gait": gait, "balance": balance,
            "alerts": store.alerts(WEARER)}


# -- tables ----------------------------------------------------------------------------------


def _same(got, want) -> bool:
    if want is None or (isinstance(want, float) and math.isnan(want)):
        return got is None or (isinstance(got, float) and math.isnan(got)) or got is pd.NaT
    if isinstance(want, datetime):
        return pd.Timestamp(got) == pd.Timestamp(want)
    if isinstance(want, date):
        return pd.Timestamp(got).date() == want if not isinstance(got, date) else got == want
    if isinstance(want, bool):
        return bool(got) == want
    if isinstance(want, float):
        return float(got) == want  # exact: the export must not round
    return got == want


def test_csv_and_parquet_round_trip_the_stored_rows(store, tmp_path):
    fill(store)
    paths = export_tables(store, WEARER, START, END, tmp_path / "out")
    assert len(paths) == 2 * len(TABLES) and all(p.is_file() for p in paths)
    want = table_rows(collect(store, WEARER, START, END))
    assert len(want["daily_temperature"]) == 70 and len(want["daily_gait"]) == 9
    assert len(want["daily_pressure"]) == 40 and len(want["alerts"]) == 3
    assert len(want["notes"]) == 3 and len(want["sessions"]) == 2
    assert len(want["daily_balance"]) == 8 and len(want["daily_exercise"]) == 16
    for table in TABLES:
        names = [c.name for c in COLUMNS[table]]
        csv_path = next(p for p in paths if p.name.endswith(f"_{table}_{START}_{END}.csv"))
        pq_path = csv_path.with_suffix(".parquet")
        parquet = pq.read_table(pq_path)
        assert parquet.column_names == names
        assert parquet.num_rows == len(want[table])
        for col in COLUMNS[table]:  # units in the schema, too
            meta = parquet.schema.field(col.name).metadata
            assert meta[b"unit"].decode() == col.unit
        pq_rows = parquet.to_pylist()
        frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
        assert list(frame.columns) == names
        for i, w in enumerate(want[table]):
            for col in COLUMNS[table]:
                assert _same(pq_rows[i][col.name], w[col.name]), (table, i, col.name)
                cell = frame.iloc[i][col.name]
                value = w[col.name]
                if value is None:
                    assert cell == ""
                elif col.type == "float":
                    assert float(cell) == value, (table, i, col.name)
                elif col.type == "timestamp":
                    assert datetime.fromisoformat(cell) == value
                    assert cell.endswith("+00:00"), cell
                elif col.type == "date":
                    assert date.fromisoformat(cell) == value
                elif col.type == "bool":
                    assert cell == ("true" if value else "false")
                else:
                    assert cell == str(value)
        days = [r.get("day") for r in want[table] if r.get("day") is not None]
        assert all(START <= d <= END for d in days), table


def test_exported_values_are_the_stored_ones(store, tmp_path):
    written = fill(store)
    paths = export_tables(store, WEARER, START, END, tmp_path, formats=("csv",))
    assert all(p.suffix == ".csv" for p in paths)
    temp = pd.read_csv(next(p for p in paths if "daily_temperature" in p.name))
    assert list(temp.columns[:9]) == ["day", "site", "site_label", "left_degC", "right_degC",
                                      "delta_degC", "worn_min", "enough_wear", "room_degC"]
    stored = {(r.day.isoformat(), r.site): r for r in store.daily_temperature(WEARER)}
    for row in temp.itertuples():
        s = stored[row.day, row.site]
        assert row.left_degC == s.left_c and row.delta_degC == s.delta_c
        assert row.worn_min == s.minutes
    by_site = {(str(r["date"]), r["site"]): r for r in written["temperature"]}
    assert len(by_site) == len(temp)
    gait = pd.read_csv(next(p for p in paths if "daily_gait" in p.name))
    assert "cadence_steps_per_min" in gait.columns and "stride_time_mean_s" in gait.columns
    assert gait["dfa_alpha"].isna().all()
    assert gait["cadence_steps_per_min"].tolist() == [
        written["gait"][date.fromisoformat(d)]["cadence_steps_per_min"] for d in gait["day"]]
    alerts = pd.read_csv(next(p for p in paths if p.name.startswith("ann_alerts_")),
                         keep_default_na=False)
    by_rule = {r.rule: r for r in alerts.itertuples()}
    hot = by_rule[CONTRALATERAL_SITE]
    assert (hot.foot, hot.site, hot.status) == ("left", "mth1", "acknowledged")
    assert (hot.acknowledged_by, hot.acknowledged_note) == ("nurse Kim",
                                                           "called Ann; offloading for 3 days")
    assert hot.opened_by == "solewatch" and hot.threshold == 2.2 and hot.threshold_unit == "°C"
    stored_hot = next(a for a in written["alerts"] if a.rule == CONTRALATERAL_SITE)
    assert json.loads(hot.evidence_json) == stored_hot.evidence
    assert "2026-03-08 delta_c" in hot.evidence_summary and "°C" in hot.evidence_summary
    rise = by_rule[SUDDEN_RISE]
    assert (rise.status, rise.resolved_by, rise.resolved_note) == (
        "resolved", "dr Lee", "new shoe rubbed; changed shoes")
    assert rise.resolved_at_utc == "2026-03-12T14:00:00+00:00"
    assert "Outside the range." not in set(alerts["message"])
    # Evidence flattened: each per-day value of the real alert, with day and unit.
    ev = pd.read_csv(next(p for p in paths if "alert_evidence" in p.name),
                     keep_default_na=False)
    hot_ev = ev[(ev.alert_id == stored_hot.id) & (ev["item"] == "delta_c")]
    want = {d["date"]: d["delta_c"] for d in stored_hot.evidence["days"]}
    assert dict(zip(hot_ev["day"], hot_ev["value"].astype(float), strict=True)) == want
    assert set(hot_ev["unit"]) == {"°C"}
    history = pd.read_csv(next(p for p in paths if "alert_history" in p.name),
                          keep_default_na=False)
    steps = history[history.alert_id == rise.alert_id]
    assert steps[["from_status", "to_status", "by"]].values.tolist() == [
        ["", "open", "solewatch"], ["open", "acknowledged", "ann"],
        ["acknowledged", "resolved", "dr Lee"]]
    notes = pd.read_csv(next(p for p in paths if "_notes_" in p.name), keep_default_na=False)
    assert notes["kind"].tolist() == ["shoe", "exercise", "symptom"]
    assert notes["at_local"].tolist()[0] == "2026-03-01T00:30:00+01:00"
    assert notes["at_utc"].tolist()[0] == "2026-02-28T23:30:00+00:00"  # local day counts
    assert notes["footwear"].tolist()[0] == "shoe: walking shoe A"
    sessions = pd.read_csv(next(p for p in paths if "_sessions_" in p.name),
                           keep_default_na=False)
    assert sessions["shoe"].tolist() == ["walking shoe A", "walking shoe A"]
    assert sessions["insole"].tolist() == ["custom insole 2", ""]
    assert float(sessions["duration_h"][0]) == 10.5


def test_balance_and_exercises_export_the_stored_values(store, tmp_path):
    written = fill(store)
    paths = export_tables(store, WEARER, START, END, tmp_path, formats=("csv", "parquet"))
    csv_path = next(p for p in paths if p.name == f"ann_daily_balance_{START}_{END}.csv")
    bal = pd.read_csv(csv_path)
    assert list(bal.columns) == ["day", "quiet_standing_count", "one_leg_count",
                                 "quiet_standing_s", "sway_area95_mm2", "sway_velocity_mm_s",
                                 "sway_velocity_ap_mm_s", "sway_velocity_ml_mm_s",
                                 "updated_at_utc"]
    assert [date.fromisoformat(d) for d in bal["day"]] == sorted(written["balance"])
    for row in bal.itertuples():
        w = written["balance"][date.fromisoformat(row.day)]
        assert (row.quiet_standing_count, row.one_leg_count) == (
            w["quiet_standing_intervals"], w["one_leg_intervals"])
        assert row.quiet_standing_s == w["quiet_standing_s"]
        assert row.sway_area95_mm2 == w["ellipse95_area_mm2"]
        assert row.sway_velocity_mm_s == w["mean_velocity_mm_s"]
        if w["ml_velocity_mm_s"] is None:
            assert math.isnan(row.sway_velocity_ml_mm_s)  # an empty cell
        else:
            assert row.sway_velocity_ml_mm_s == w["ml_velocity_mm_s"]
    schema = pq.read_schema(csv_path.with_suffix(".parquet"))
    assert schema.field("sway_area95_mm2").metadata[b"unit"].decode() == "mm²"
    assert schema.field("sway_velocity_mm_s").metadata[b"unit"].decode() == "mm/s"
    ex = pd.read_csv(next(p for p in paths if p.name == f"ann_daily_exercise_{START}_{END}.csv"))
    got = {(date.fromisoformat(r.day), r.kind): r.repetitions_count for r in ex.itertuples()}
    want = {(d, k): r.repetitions for r in store.daily_exercise(WEARER, start=START, end=END)
            for d, k in [(r.day, r.kind)]}
    assert got == want and len(got) == 16
    assert got[(START + timedelta(days=9), "calf_raise")] == 18
    assert pq.read_table(next(p for p in paths if p.name.startswith("ann_daily_exercise_")
                              and p.suffix == ".parquet")).num_rows == 16


def test_every_column_name_carries_its_unit():
    for table, cols in COLUMNS.items():
        assert len({c.name for c in cols}) == len(cols), table
        for c in cols:
            if c.type == "float" and c.unit not in ("see unit", "see threshold_unit"):
                assert c.unit, (table, c.name)
            if c.type == "timestamp":
                assert c.name.endswith("_utc"), c.name
    temp = {c.name: c.unit for c in COLUMNS["daily_temperature"]}
    assert temp["left_degC"] == "°C" and temp["worn_min"] == "min"
    assert {c.name: c.unit for c in COLUMNS["daily_pressure"]}["peak_kPa"] == "kPa"


def test_bad_input_is_explained(store, tmp_path):
    fill(store)
    with pytest.raises(ExportError, match=r"no wearer named 'nobody'.*wearers: 'ann', 'bob'"):
        export_tables(store, "nobody", START, END, tmp_path)
    with pytest.raises(ExportError, match=r"inverted.*2026-03-10 is after to 2026-03-01"):
        export_tables(store, WEARER, END, START, tmp_path)
    with pytest.raises(ExportError, match=r"'ann' has no data from 2027-01-01 to 2027-01-31 "
                                          r"\(the store has daily summaries on 12 days from "
                                          r"2026-02-20 to 2026-03-11\)"):
        render_report(store, WEARER, "2027-01-01", "2027-01-31")
    with pytest.raises(ExportError, match=r"'bob' has no data.*no daily summaries"):
        render_report(store, "bob", START, END)
    with pytest.raises(ExportError, match="expected a day as YYYY-MM-DD, found '2026-13-01'"):
        render_report(store, WEARER, "2026-13-01", END)
    with pytest.raises(ExportError, match=r"format.*'xlsx'"):
        export_tables(store, WEARER, START, END, tmp_path, formats=("csv", "xlsx"))
    assert not list(tmp_path.glob("*.csv"))


# -- report ----------------------------------------------------------------------------------


class _Doc(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.svgs: list[list[str]] = []  # text inside each <svg>

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "svg":
            self.svgs.append([])

    def handle_data(self, data):
        self.text.append(data)
        if self.svgs:
            self.svgs[-1].append(data)


def _parse(html: str) -> tuple[_Doc, str]:
    doc = _Doc()
    doc.feed(html)
    doc.close()
    return doc, " ".join(" ".join(doc.text).split())


def _section(html: str, ident: str) -> str:
    start = html.index(f'<section id="{ident}">')
    return html[start:html.index("</section>", start)]


def test_report_is_self_contained_and_complete(store, tmp_path):
    written = fill(store)
    html = render_report(store, WEARER, START, END,
                         generated_at=datetime(2026, 3, 12, 10, 0, tzinfo=UTC))
    doc, text = _parse(html)
    # Nothing loads from anywhere: no scripts, links, images, frames, imports or URLs in
    # attributes; any http(s) text is a plain-text citation.
    for tag, attrs in doc.tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed"), tag
        for name, value in attrs.items():
            assert "http:" not in (value or "") and "https:" not in (value or ""), (tag, name)
            assert name not in ("src", "href") or (value or "").startswith("#"), (tag, name)
    assert "@import" not in html and "url(" not in html
    for m in ("http://", "https://"):
        assert m not in html.replace(" ".join(doc.text), "")  # only in text, if at all
    # Header and the not-a-diagnosis statement.
    assert "Wearer ann" in text and "2026-03-01 to 2026-03-10 (10 days" in text
    assert "Generated 2026-03-12 10:00 UTC" in text
    assert " ".join(NOT_A_DIAGNOSIS.split()) in text and "not a diagnosis" in text
    assert "Temperature data 10 of 10 days" in text and "Gait data 9 of 10 days" in text
    # Every alert with its evidence values and lifecycle; open ones first.
    alerts = _section(html, "alerts")
    order = [alerts.index(f'id="alert-{a.id}"') for a in written["alerts"]
             if a.first_day >= START]
    assert len(order) == 3
    by_rule = {a.rule: a for a in written["alerts"]}
    assert alerts.index(f'id="alert-{by_rule[SUSTAINED_PRESSURE].id}"') < min(
        alerts.index(f'id="alert-{by_rule[CONTRALATERAL_SITE].id}"'),
        alerts.index(f'id="alert-{by_rule[SUDDEN_RISE].id}"'))
    assert "Outside the range." not in html
    _, alerts_text = _parse(alerts)
    hot = by_rule[CONTRALATERAL_SITE]
    # The evidence days as a table with plain headers (unit in brackets), one row per day,
    # the values as the rule recorded them to the 0.1 °C shown; no code identifier.
    for day in hot.evidence["days"]:
        row = (f"{day['date']} {day['raw_delta_c']:+.1f} {day['delta_c']:+.1f} "
               f"{day['left_c']:.1f} {day['right_c']:.1f} {day['minutes']:.0f}")
        assert row in alerts_text, row
    assert "difference the rule used, left minus right (°C)" in alerts_text
    assert "time worn and at rest (min)" in alerts_text and "over the threshold" in alerts_text
    told = alerts_text.split("Lifecycle")[0]  # (the store's own step notes name the rule)
    assert "contralateral_site" not in told and "delta_c" not in told and "{" not in told
    assert "left foot" in alerts_text
    assert "ball of the foot, big-toe side" in alerts_text and "threshold 2.2 °C" in alerts_text
    assert "nurse Kim" in alerts_text and "called Ann; offloading for 3 days" in alerts_text
    assert "resolved by dr Lee at 2026-03-12 14:00 UTC" in alerts_text
    assert "new shoe rubbed; changed shoes" in alerts_text
    assert "2026-03-12 11:00 UTC" in alerts_text  # acknowledged at T0 + 2 h
    assert "OPEN" in alerts_text and "Rest the warm foot" in alerts_text  # advice
    # pressure evidence with its values and units: 1260 s held, over 4.67 kPa
    assert "how long 21 min" in alerts_text and "threshold 4.67 kPa" in alerts_text
    # One SVG chart per section, every axis with a unit.
    for ident, unit in (("coverage", "(h)"), ("temperature", "(°C)"), ("gait", "(steps/min)"),
                        ("pressure", "(kPa)")):
        part = _section(html, ident)
        sdoc, _ = _parse(part)
        assert sdoc.svgs, ident
        for texts in sdoc.svgs:
            axis = " ".join(texts)
            assert "day (local date" in axis, ident
            assert "(" in axis and ")" in axis
        assert unit in " ".join(" ".join(t) for t in sdoc.svgs), ident
    gait = " ".join(" ".join(t) for t in _parse(_section(html, "gait"))[0].svgs)
    for unit in ("(steps/min)", "(%)", "(% of stride)"):
        assert unit in gait
    pressure = _section(html, "pressure")
    assert "200 kPa target" in pressure and "force only" in pressure
    assert "±2.2 °C alert threshold" in _section(html, "temperature")
    # Notes (escaped) and the shoe of each session.
    _, notes_text = _parse(_section(html, "notes"))
    assert "New walking shoes <A> & laces" in notes_text and "&lt;A&gt;" in html
    assert "Tingling in the left forefoot" in notes_text and "Outside the range" not in html
    _, sessions_text = _parse(_section(html, "sessions"))
    assert "walking shoe A" in sessions_text and "custom insole 2" in sessions_text
    assert "10.5 h" in sessions_text
    # Colour-blind-safe: only Okabe-Ito colours (plus greys) in the charts.
    okabe = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
             "#CC79A7"}
    import re

    for colour in set(re.findall(r'(?:fill|stroke)="(#[0-9A-Fa-f]{6})"', html)):
        grey = colour[1:3] == colour[3:5] == colour[5:7]
        assert colour.upper() in okabe or grey or colour.lower() == "#ffffff", colour

    path = write_report(store, WEARER, START, END, tmp_path / "r" / "ann.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_of_a_range_without_alerts_says_so(store):
    fill(store)
    html = render_report(store, WEARER, "2026-03-01", "2026-03-02")
    _, text = _parse(html)
    assert "No alert in this range." in text and "Alerts in range none" in text
    assert "Date range 2026-03-01 to 2026-03-02 (2 days" in text
    assert "Tingling" not in text and "Balance exercises" in text


# -- CLI -------------------------------------------------------------------------------------


def test_cli_export_and_report(store, tmp_path, capsys):
    fill(store)
    url = store.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "exp"
    code = main(["export", WEARER, "--from", "2026-03-01", "--to", "2026-03-10", "--out",
                 str(out), "--format", "csv", "--db", url])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert len(list(out.glob("*.csv"))) == len(TABLES) and not list(out.glob("*.parquet"))
    assert "ann_daily_temperature_2026-03-01_2026-03-10.csv" in printed.out
    report = tmp_path / "ann.html"
    code = main(["report", WEARER, "--from", "2026-03-01", "--to", "2026-03-10", "--out",
                 str(report), "--db", url])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert report.is_file() and str(report) in printed.out
    code = main(["report", WEARER, "--from", "2026-03-10", "--to", "2026-03-01", "--db", url])
    err = capsys.readouterr().err
    assert code == 1 and "inverted" in err and "Traceback" not in err
    code = main(["export", "zed", "--from", "2026-03-01", "--to", "2026-03-10", "--db", url,
                 "--out", str(out)])
    assert code == 1 and "no wearer named 'zed'" in capsys.readouterr().err
