"""The history store on both backends: SQLite (a file in tmp) and a real PostgreSQL server.

scripts/test.sh starts a private PostgreSQL server (scripts/pg-test-server.sh) and exports
SOLEWATCH_TEST_PG_URL. Without it the PostgreSQL variants FAIL, saying what is missing, unless
SOLEWATCH_SKIP_PG=1 is set explicitly. Each PostgreSQL test runs in its own schema, dropped
afterwards, so the database behind the URL is never touched outside it.
"""

from __future__ import annotations

import json
import math
import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from analysis.alerts import CONTRALATERAL_SITE, SUDDEN_RISE, SUSTAINED_PRESSURE, Alert
from analysis.config import TemperatureConfig
from analysis.pipeline import GAIT_SUMMARY_KEYS
from analysis.temperature import analyze_temperature
from solewatch.store import (
    AlertTransitionError,
    NotFoundError,
    Store,
    StoreError,
    local_time,
    sha256_of,
)
from solewatch.store.models import TABLES, Base, DailyTemperature
from solewatch.store.store import GAIT_COLUMNS, SQLITE_BUSY_TIMEOUT_MS
from tests._store_support import snapshot
from tests._temperature_sim import simulate

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
CET = timezone(timedelta(hours=1))
DAY = date(2026, 3, 2)


@pytest.fixture
def ann(store):
    store.add_wearer("ann", time_zone="Europe/Berlin", at=T0)
    return "ann"


def temperature_rows(day: date, *, shift_c: float = 0.0) -> list[dict]:
    rows = []
    for i, site in enumerate(("hallux", "mth1", "mth3", "mth5", "midfoot", "heel",
                              "foot_mean")):
        left = 30.0 + i * 0.1 + shift_c
        rows.append({"date": day, "site": site, "left_c": left, "right_c": left - 0.5,
                     "delta_c": 0.5, "minutes": np.float64(240.0), "enough": np.bool_(True),
                     "room_c": float("nan")})
    rows[1]["right_c"] = float("nan")  # a site without a right reading
    rows[1]["delta_c"] = float("nan")
    return rows


def gait_summary(cadence: float = 101.5) -> dict:
    s = dict.fromkeys(GAIT_SUMMARY_KEYS)
    s.update(cadence_steps_per_min=cadence, steps_left=np.int64(410), steps_right=405,
             stride_time_s_mean=1.18, stride_time_cv_pct=2.4, dfa_alpha=float("nan"))
    return s


PRESSURE = {
    "left": {"heel": {"basis": "pressure", "peak_kpa": 310.0, "pti_kpa_s": 5200.0,
                      "mean_kpa": 42.0, "peak_above_target": np.True_}},
    "right": {"mth1": {"basis": "force", "peak_n": 95.0, "fti_n_s": 1800.0, "mean_n": 12.0}},
}


def hotspot(first_day: date = DAY, delta_c: float = 2.8) -> Alert:
    return Alert(rule=CONTRALATERAL_SITE, foot="left", site="mth1", first_day=first_day,
                 confirmed_day=first_day + timedelta(days=1), delta_c=delta_c,
                 message="Your left foot is warmer at the ball of the foot.",
                 evidence={"threshold_c": 2.2, "days": [{"date": first_day.isoformat(),
                                                         "delta_c": np.float64(delta_c)}],
                           "ongoing": True, "missing": float("nan")})


def foot_alert() -> Alert:  # no site: stored with site "" and read back as None
    return Alert(rule=SUDDEN_RISE, foot="right", site=None, first_day=DAY, confirmed_day=DAY,
                 delta_c=None, message="Your right foot warmed up quickly.",
                 evidence={"rise_c": 3.1, "window_s": 1800})


# -- migrations ------------------------------------------------------------------------------


def test_migrate_creates_the_whole_schema(store_url):
    store = Store.open(store_url)
    assert store.revision() is None
    store.migrate()
    assert store.revision() == store.head_revision() == "0003"
    names = set(sa.inspect(store.engine).get_table_names())
    assert names == {*TABLES, "alembic_version"}
    # The migration creates exactly what the models describe (columns, types, keys, indexes).
    with store.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}),
                                Base.metadata)
    assert diff == []
    uniques = {tuple(u["column_names"])
               for u in sa.inspect(store.engine).get_unique_constraints("daily_temperature")}
    assert ("wearer_id", "day", "site") in uniques
    uniques = {tuple(u["column_names"])
               for u in sa.inspect(store.engine).get_unique_constraints("alerts")}
    assert ("wearer_id", "rule", "foot", "site", "first_day") in uniques
    store.close()


def test_migrating_again_changes_nothing(store, ann):
    store.write_day(ann, DAY, temperature_rows=temperature_rows(DAY), alerts=[hotspot()], at=T0)
    before = snapshot(store)
    store.migrate()
    store.migrate()
    assert store.revision() == "0003"
    assert snapshot(store) == before


def test_gait_columns_are_the_analysis_summary_keys():
    assert GAIT_COLUMNS == GAIT_SUMMARY_KEYS


def test_a_store_without_schema_says_to_migrate(store_url):
    store = Store.open(store_url)
    with pytest.raises(StoreError, match=r"migrate"):
        store.add_wearer("ann")
    store.close()


# -- round trips -----------------------------------------------------------------------------


def test_wearers_round_trip(store, ann):
    w = store.get_wearer(ann)
    assert (w.name, w.time_zone, w.created_at) == ("ann", "Europe/Berlin", T0)
    assert w.created_at.tzinfo is not None
    assert store.ensure_wearer("ann").id == w.id
    store.ensure_wearer("bob")
    assert [x.name for x in store.wearers()] == ["ann", "bob"]
    with pytest.raises(NotFoundError, match="no wearer named 'carl'"):
        store.get_wearer("carl")


def test_devices_and_pairings_round_trip(store, ann):
    left = store.pair_device(ann, "aa:bb:cc:dd:ee:01", "left", at=T0, bonded=True,
                             bond_note="Just Works")
    store.pair_device(ann, "AA:BB:CC:DD:EE:02", "right", at=T0)
    assert store.pair_device(ann, "AA:BB:CC:DD:EE:01", "left").id == left.id  # idempotent
    device = store.get_device("aa:bb:cc:dd:ee:01")
    assert device.address == "AA:BB:CC:DD:EE:01"
    store.add_device("AA:BB:CC:DD:EE:01", side="left", name="SW-L", model="solewatch v1")
    assert store.get_device("AA:BB:CC:DD:EE:01").name == "SW-L"
    current = store.pairings(ann)
    assert [(p.foot, p.bonded, p.bond_note) for p in current] == [
        ("left", True, "Just Works"), ("right", False, "")]
    # A new left insole ends the old pairing at that moment.
    later = T0 + timedelta(days=30)
    store.pair_device(ann, "AA:BB:CC:DD:EE:03", "left", at=later)
    every = store.pairings(ann, current_only=False)
    assert len(every) == 3
    old = next(p for p in every if p.id == left.id)
    assert old.unpaired_at == later
    assert store.unpair(ann, "right", at=later) == 1
    assert [p.foot for p in store.pairings(ann)] == ["left"]


def test_footwear_sessions_and_notes_keep_local_offsets(store, ann):
    shoe = store.add_footwear(ann, "shoe", "walking shoes", note="wide toe box", at=T0)
    assert store.add_footwear(ann, "shoe", "walking shoes").id == shoe.id
    store.add_footwear(ann, "insole", "custom insole v2", at=T0)
    start = datetime(2026, 3, 2, 9, 30, tzinfo=CET)
    session = store.record_session(ann, start, ended_at=start + timedelta(hours=3),
                                   shoe="walking shoes", insole="custom insole v2")
    got = store.sessions(ann)[0]
    assert got.id == session.id and got.started_at == start
    assert got.started_at.utcoffset() == timedelta(0)  # stored in UTC
    assert got.started_offset_min == 60
    assert local_time(got.started_at, got.started_offset_min).isoformat() == \
        "2026-03-02T09:30:00+01:00"
    assert (got.shoe_id, got.insole_id) == (shoe.id, store.footwear(ann)[0].id)
    # Same start again: the same session, updated.
    store.record_session(ann, start, shoe="walking shoes", note="no insole today")
    assert len(store.sessions(ann)) == 1 and store.sessions(ann)[0].insole_id is None
    with pytest.raises(NotFoundError, match="no shoe called 'sandals'"):
        store.record_session(ann, start, shoe="sandals")

    n1 = store.add_note(ann, "symptom", "tingling in the left forefoot", at=start,
                        created_at=T0)
    store.add_note(ann, "exercise", "10 heel raises", at=start + timedelta(hours=1))
    store.add_note(ann, "shoe", "new walking shoes", at=start, footwear_id=shoe.id)
    notes = store.notes(ann)
    assert [n.kind for n in notes] == ["symptom", "shoe", "exercise"]
    assert notes[0].id == n1.id and notes[0].text == "tingling in the left forefoot"
    assert local_time(notes[0].at, notes[0].at_offset_min) == start
    assert [n.kind for n in store.notes(ann, kind="exercise")] == ["exercise"]
    assert len(store.notes(ann, since=start + timedelta(minutes=30))) == 1


def test_recordings_round_trip(store, ann, tmp_path):
    path = tmp_path / "walk.swlog"
    path.write_bytes(b"solewatch raw log")
    digest = sha256_of(path)
    start = datetime(2026, 3, 2, 7, 15, tzinfo=timezone(timedelta(hours=-5)))
    rec = store.register_recording(ann, path, sha256=digest, kind="swlog", start=start,
                                   duration_s=np.float64(3600.5), at=T0)
    assert store.register_recording(ann, path, sha256=digest.upper(), kind="swlog").id == rec.id
    got = store.recordings(ann)[0]
    assert (got.path, got.sha256, got.kind, got.status, got.duration_s) == (
        str(path), digest, "swlog", "new", 3600.5)
    assert got.start_at == start and got.start_offset_min == -300
    store.set_recording_status(rec.id, "failed", reason="frame 12: bad CRC", at=T0)
    assert store.recordings(ann, status="failed")[0].status_reason == "frame 12: bad CRC"
    store.set_recording_status(rec.id, "ingested", at=T0)
    assert store.recordings(status="new") == []
    with pytest.raises(StoreError, match="needs a reason"):
        store.set_recording_status(rec.id, "failed")
    store.add_wearer("bob")
    with pytest.raises(StoreError, match="already registered for another wearer"):
        store.register_recording("bob", path, sha256=digest, kind="swlog")


def test_daily_summaries_round_trip(store, ann):
    assert store.upsert_daily_temperature(ann, temperature_rows(DAY), at=T0) == 7
    rows = store.daily_temperature(ann)
    assert [r.site for r in rows] == ["hallux", "mth1", "mth3", "mth5", "midfoot", "heel",
                                      "foot_mean"]
    assert rows[0].left_c == 30.0 and rows[0].right_c == 29.5 and rows[0].enough is True
    assert rows[1].right_c is None and rows[1].delta_c is None  # NaN -> NULL
    assert rows[0].room_c is None and rows[0].updated_at == T0

    store.upsert_daily_gait(ann, DAY, gait_summary(), at=T0)
    g = store.daily_gait(ann)[0]
    assert (g.day, g.cadence_steps_per_min, g.steps_left, g.steps_right) == (DAY, 101.5, 410,
                                                                           405)
    assert g.dfa_alpha is None and g.pci_pct is None

    assert store.upsert_daily_pressure(ann, DAY, PRESSURE, at=T0) == 2
    p = {(r.foot, r.region): r for r in store.daily_pressure(ann)}
    assert (p["left", "heel"].basis, p["left", "heel"].peak_kpa,
            p["left", "heel"].peak_above_target, p["left", "heel"].peak_n) == (
        "pressure", 310.0, True, None)
    assert (p["right", "mth1"].basis, p["right", "mth1"].fti_n_s,
            p["right", "mth1"].peak_kpa) == ("force", 1800.0, None)
    assert store.upsert_daily_pressure(ann, DAY, None) == 0  # raw counts: nothing to keep
    assert store.daily_temperature(ann, start=DAY + timedelta(days=1)) == []


def test_alerts_round_trip_with_evidence(store, ann):
    stored = store.upsert_alerts(ann, [hotspot(), foot_alert()], at=T0)
    assert [s.status for s in stored] == ["open", "open"]
    got = {a.rule: a for a in store.alerts(ann)}
    a = got[CONTRALATERAL_SITE]
    assert (a.foot, a.site, a.first_day, a.confirmed_day, a.delta_c) == (
        "left", "mth1", DAY, DAY + timedelta(days=1), 2.8)
    # Evidence comes back as plain JSON: numpy numbers as numbers, NaN as null.
    assert a.evidence == {"threshold_c": 2.2, "days": [{"date": DAY.isoformat(),
                                                        "delta_c": 2.8}],
                          "ongoing": True, "missing": None}
    assert a.alert.rule == CONTRALATERAL_SITE and a.alert.advice
    assert got[SUDDEN_RISE].site is None and got[SUDDEN_RISE].delta_c is None
    assert store.get_alert(a.id) == a


def test_alerts_from_a_real_temperature_analysis_round_trip(store, ann):
    sim = simulate(10)
    sim.add("left", ["mth1"], 3.0, np.isin(sim.day, [7, 8, 9]))
    result = analyze_temperature(sim.stream(), TemperatureConfig())
    assert [a.rule for a in result.alerts] == [CONTRALATERAL_SITE]
    days = sorted({r["date"] for r in result.daily})
    for d in days:
        store.write_day(ann, d, temperature_rows=[r for r in result.daily if r["date"] == d],
                        alerts=[a for a in result.alerts if a.first_day == d], at=T0)
    assert len(store.daily_temperature(ann)) == len(result.daily)
    stored = store.alerts(ann)
    assert len(stored) == 1
    original = result.alerts[0]
    back = stored[0].alert
    assert (back.rule, back.foot, back.site, back.first_day, back.confirmed_day) == (
        original.rule, original.foot, original.site, original.first_day,
        original.confirmed_day)
    assert back.delta_c == pytest.approx(original.delta_c)
    assert back.evidence == json.loads(json.dumps(original.to_dict()["evidence"]))
    heel = [r for r in store.daily_temperature(ann) if r.site == "heel"]
    expected = [r for r in result.daily if r["site"] == "heel"]
    for got, want in zip(heel, expected, strict=True):
        assert got.day == want["date"] and got.minutes == pytest.approx(want["minutes"])
        for k in ("left_c", "right_c", "delta_c"):
            if math.isnan(want[k]):
                assert getattr(got, k) is None
            else:
                assert getattr(got, k) == pytest.approx(want[k])


# -- idempotence -----------------------------------------------------------------------------


def test_writing_a_day_twice_changes_nothing(store, ann):
    def write(at):
        store.write_day(ann, DAY, temperature_rows=temperature_rows(DAY), gait=gait_summary(),
                        pressure=PRESSURE, alerts=[hotspot(), foot_alert()], at=at)

    write(T0)
    before = snapshot(store)
    assert {k: len(v) for k, v in before.items() if v} == {
        "wearers": 1, "daily_temperature": 7, "daily_gait": 1, "daily_pressure": 2,
        "alerts": 2, "alert_events": 2}
    write(T0 + timedelta(hours=6))  # the job runs again later with the same data
    assert snapshot(store) == before  # not even updated_at moved

    # Late data changes one site's value: only that row (and its updated_at) changes.
    later = T0 + timedelta(days=1)
    rows = temperature_rows(DAY)
    rows[0]["left_c"] = 31.25
    store.upsert_daily_temperature(ann, rows, at=later)
    after = snapshot(store)["daily_temperature"]
    changed = [(a["site"], a["left_c"], a["updated_at"])
               for a, b in zip(after, before["daily_temperature"], strict=True) if a != b]
    assert changed == [("hallux", 31.25, later)]
    # An alert seen again with a larger delta keeps its id and status, gets the new values.
    store.upsert_alerts(ann, [hotspot(delta_c=3.4)], at=later)
    alerts = snapshot(store)["alerts"]
    assert len(alerts) == 2
    assert next(a for a in alerts if a["site"] == "mth1")["delta_c"] == 3.4


def test_unique_keys_hold(store, ann):
    with pytest.raises(StoreError, match="already in the store"):
        store.add_wearer("ann")
    store.upsert_daily_temperature(ann, temperature_rows(DAY), at=T0)
    wearer_id = store.get_wearer(ann).id
    # A second row for the same (wearer, day, site), bypassing the upsert, is refused.
    with pytest.raises(StoreError, match="refused"), store.transaction() as s:
        s.add(DailyTemperature(wearer_id=wearer_id, day=DAY, site="heel", minutes=1.0,
                               enough=False, updated_at=T0))
    # Alerts: the same (rule, foot, site, first_day) twice in one call is one alert.
    store.upsert_alerts(ann, [hotspot(), hotspot()], at=T0)
    assert len(store.alerts(ann)) == 1
    store.upsert_alerts(ann, [hotspot(first_day=DAY + timedelta(days=5))], at=T0)
    assert len(store.alerts(ann)) == 2
    # Foreign keys are enforced (SQLite only does so with PRAGMA foreign_keys=ON).
    with pytest.raises(StoreError, match="refused"):
        store.add_note(ann, "shoe", "shoe that was never added", at=T0, footwear_id=9999)


# -- alert lifecycle -------------------------------------------------------------------------


def test_alert_lifecycle(store, ann):
    (alert,) = store.upsert_alerts(ann, [hotspot()], at=T0)
    assert alert.status == "open"
    t1, t2 = T0 + timedelta(hours=2), T0 + timedelta(days=1)
    acked = store.acknowledge_alert(alert.id, by="ann", note="resting the foot", at=t1)
    assert acked.status == "acknowledged"
    resolved = store.resolve_alert(alert.id, by="Dr Okafor", note="callus debrided", at=t2)
    assert resolved.status == "resolved" and resolved.updated_at == t2
    history = store.alert_history(alert.id)
    assert [(h.from_status, h.to_status, h.by, h.note, h.at) for h in history] == [
        (None, "open", "solewatch", "rule contralateral_site fired", T0),
        ("open", "acknowledged", "ann", "resting the foot", t1),
        ("acknowledged", "resolved", "Dr Okafor", "callus debrided", t2),
    ]
    with pytest.raises(AlertTransitionError,
                       match=r"alert \d+ \(contralateral_site left mth1, from 2026-03-02\) is "
                             r"already resolved \(by Dr Okafor at .*\); it cannot become "
                             r"resolved"):
        store.resolve_alert(alert.id, by="ann")
    with pytest.raises(AlertTransitionError, match="cannot become acknowledged"):
        store.acknowledge_alert(alert.id, by="ann")
    assert len(store.alert_history(alert.id)) == 3  # refused steps leave no trace
    # The rule firing again for the same episode does not reopen it.
    store.upsert_alerts(ann, [hotspot(delta_c=3.0)], at=t2 + timedelta(days=1))
    assert store.get_alert(alert.id).status == "resolved"
    # open -> resolved directly is allowed.
    (other,) = store.upsert_alerts(ann, [foot_alert()], at=T0)
    assert store.resolve_alert(other.id, by="ann", at=t1).status == "resolved"
    assert [a.rule for a in store.alerts(ann, status="open")] == []
    with pytest.raises(NotFoundError, match="no alert with id 9999"):
        store.acknowledge_alert(9999, by="ann")
    with pytest.raises(StoreError, match="who"):
        store.acknowledge_alert(alert.id, by="  ")


# -- transactions ----------------------------------------------------------------------------


def test_a_failed_wearer_day_leaves_nothing(store, ann):
    before = snapshot(store)
    # Fails after the temperature rows, gait and pressure were written in the transaction.
    with pytest.raises(StoreError, match=r"expected analysis\.alerts\.Alert"):
        store.write_day(ann, DAY, temperature_rows=temperature_rows(DAY), gait=gait_summary(),
                        pressure=PRESSURE, alerts=[hotspot(), "not an alert"], at=T0)
    assert snapshot(store) == before
    # Any exception inside a unit of work rolls all of it back, nested calls included.
    with pytest.raises(RuntimeError, match="killed"), store.transaction():
        store.upsert_daily_temperature(ann, temperature_rows(DAY), at=T0)
        with store.transaction():
            store.upsert_alerts(ann, [hotspot()], at=T0)
        raise RuntimeError("killed mid-day")
    assert snapshot(store) == before
    # A database error mid-way (a row the CHECK constraint refuses) rolls back too.
    with pytest.raises(StoreError, match="refused"), store.transaction() as s:
        store.upsert_daily_temperature(ann, temperature_rows(DAY), at=T0)
        s.execute(sa.text("INSERT INTO daily_gait (wearer_id, day, updated_at) "
                          "VALUES (9999, :d, :t)"), {"d": DAY, "t": T0.replace(tzinfo=None)})
    assert snapshot(store) == before
    store.write_day(ann, DAY, temperature_rows=temperature_rows(DAY), at=T0)
    assert len(store.daily_temperature(ann)) == 7


# -- the embedded default --------------------------------------------------------------------


def test_sqlite_file_is_created_in_solewatch_home_with_wal(tmp_path, monkeypatch):
    home = tmp_path / "not" / "there" / "yet"
    monkeypatch.setenv("SOLEWATCH_HOME", str(home))
    monkeypatch.delenv("SOLEWATCH_DB_URL", raising=False)
    store = Store.open()
    assert store.backend == "sqlite"
    assert (home / "solewatch.db").is_file()
    store.migrate()
    store.add_wearer("ann")
    with store.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
    store.close()
    # Another program sees the same file, in WAL mode.
    raw = sqlite3.connect(home / "solewatch.db")
    assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert raw.execute("SELECT name FROM wearers").fetchall() == [("ann",)]
    raw.close()


# -- bad input -------------------------------------------------------------------------------


def test_bad_urls_are_explained(monkeypatch):
    with pytest.raises(StoreError, match="not a database URL"):
        Store.open("not a url")
    with pytest.raises(StoreError, match=r"'mysql' is not supported"):
        Store.open("mysql://localhost/solewatch")
    with pytest.raises(StoreError, match="cannot open the store"):
        Store.open("postgresql://nobody@/none?host=/nonexistent-socket-dir")
    monkeypatch.setenv("SOLEWATCH_DB_URL", "sqlite:///:memory:")
    with Store.open() as s:
        assert (s.backend, s.engine.url.database) == ("sqlite", ":memory:")


def test_bad_values_are_explained(store, ann):
    with pytest.raises(StoreError, match="has no UTC offset"):
        store.add_note(ann, "symptom", "itch", at=datetime(2026, 3, 2, 9, 0))
    with pytest.raises(StoreError, match=r"note kind must be one of .* found 'mood'"):
        store.add_note(ann, "mood", "fine", at=T0)
    with pytest.raises(StoreError, match="note text must be non-empty"):
        store.add_note(ann, "other", "   ", at=T0)
    rows = temperature_rows(DAY)
    rows[2]["site"] = "knee"
    with pytest.raises(StoreError, match=r"daily temperature row 2 site must be one of"):
        store.upsert_daily_temperature(ann, rows)
    rows = temperature_rows(DAY)
    rows[0]["date"] = "yesterday"
    with pytest.raises(StoreError, match="row 0 date: expected a date"):
        store.upsert_daily_temperature(ann, rows)
    with pytest.raises(StoreError, match="expected a finite number"):
        store.upsert_daily_gait(ann, DAY, {"cadence_steps_per_min": float("inf")})
    with pytest.raises(StoreError, match=r"no column for \['stride_length_m'\]"):
        store.upsert_daily_gait(ann, DAY, {"stride_length_m": 1.2})
    with pytest.raises(StoreError, match="region must be one of"):
        store.upsert_daily_pressure(ann, DAY, {"left": {"arch": {"basis": "pressure"}}})
    with pytest.raises(StoreError, match="sha256 must be 64 hex digits"):
        store.register_recording(ann, "x.swlog", sha256="abc", kind="swlog")
    with pytest.raises(StoreError, match="has no first day"):
        store.upsert_alerts(ann, [Alert(rule=SUSTAINED_PRESSURE, foot="left", site="heel",
                                        first_day=None, confirmed_day=None, delta_c=None,
                                        message="m")])
    with pytest.raises(StoreError, match="other days"):
        store.write_day(ann, DAY + timedelta(days=1), temperature_rows=temperature_rows(DAY))
    with pytest.raises(StoreError, match="not an IANA zone"):
        store.add_wearer("bob", time_zone="Mars/Olympus")
    with pytest.raises(StoreError, match="wearer name"):
        store.add_wearer("")
    with pytest.raises(StoreError, match=r"ends .* before it starts"):
        store.record_session(ann, T0, ended_at=T0 - timedelta(minutes=1))
