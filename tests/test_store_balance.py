"""Daily balance and exercise tables (migration 0002) on SQLite and a real PostgreSQL server:
round trips, idempotent upserts, all-or-nothing days, and the upgrade from a store at 0001
with data in it (and back).

Store fixtures (``store_url``, ``store``) come from tests/conftest.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from analysis.pipeline import GAIT_SUMMARY_KEYS
from solewatch.store import Store, StoreError
from solewatch.store.models import EXERCISE_KINDS, TABLES, Base
from solewatch.store.store import BALANCE_COLUMNS
from tests._store_support import snapshot

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)
NEW_TABLES = ("daily_balance", "daily_exercise")


@pytest.fixture
def ann(store):
    store.add_wearer("ann", time_zone="Europe/Berlin", at=T0)
    return "ann"


def balance(area: float = 152.5, **extra) -> dict:
    return {"quiet_standing_intervals": np.int64(3), "one_leg_intervals": 1,
            "quiet_standing_s": np.float64(61.25), "ellipse95_area_mm2": area,
            "mean_velocity_mm_s": 14.75, "ap_velocity_mm_s": 13.5,
            "ml_velocity_mm_s": float("nan"), **extra}


def temperature_row(day: date) -> dict:
    return {"date": day, "site": "heel", "left_c": 30.5, "right_c": 30.0, "delta_c": 0.5,
            "minutes": 300.0, "enough": True, "room_c": None}


def gait(cadence: float = 104.0) -> dict:
    g = dict.fromkeys(GAIT_SUMMARY_KEYS)
    g.update(cadence_steps_per_min=cadence, steps_left=400, steps_right=398)
    return g


def test_balance_and_exercises_round_trip(store, ann):
    store.upsert_daily_balance(ann, DAY, balance(), at=T0)
    (b,) = store.daily_balance(ann)
    assert (b.day, b.quiet_standing_intervals, b.one_leg_intervals, b.quiet_standing_s) == (
        DAY, 3, 1, 61.25)
    assert (b.ellipse95_area_mm2, b.mean_velocity_mm_s, b.ap_velocity_mm_s) == (
        152.5, 14.75, 13.5)
    assert b.ml_velocity_mm_s is None and b.updated_at == T0  # NaN -> NULL
    assert store.upsert_daily_exercise(ann, DAY, {"calf_raise": np.int64(10),
                                                  "toe_lift": 0}, at=T0) == 2
    store.upsert_daily_exercise(ann, DAY - timedelta(days=1), {"toe_lift": 4.0}, at=T0)
    got = [(r.day, r.kind, r.repetitions) for r in store.daily_exercise(ann)]
    assert got == [(DAY - timedelta(days=1), "toe_lift", 4), (DAY, "calf_raise", 10),
                   (DAY, "toe_lift", 0)]
    assert [r.kind for r in store.daily_exercise(ann, start=DAY)] == list(EXERCISE_KINDS)
    assert store.daily_exercise(ann, end=DAY - timedelta(days=2)) == []
    assert store.daily_balance(ann, start=DAY + timedelta(days=1)) == []
    # Removing a day's rows (recomputed without quiet standing / without exercises counted).
    assert store.delete_daily_balance(ann, DAY) == 1
    assert store.delete_daily_balance(ann, DAY) == 0
    assert store.delete_daily_exercise(ann, DAY) == 2
    assert [r.day for r in store.daily_exercise(ann)] == [DAY - timedelta(days=1)]


def test_balance_columns_are_what_the_daily_job_writes():
    from solewatch.daily import balance_summary

    assert set(balance_summary([_interval(10.0, 100.0, ("left", "right"))])) == \
        set(BALANCE_COLUMNS)


def _interval(duration_s, area, feet):
    from analysis.gait.balance import BalanceResult

    return BalanceResult(path_length_mm=10.0 * duration_s, mean_velocity_mm_s=10.0,
                         ap_velocity_mm_s=9.0, ml_velocity_mm_s=3.0, ellipse95_area_mm2=area,
                         duration_s=duration_s, n_samples=int(duration_s * 100), feet=feet)


def test_a_day_written_twice_changes_nothing_and_late_data_one_row(store, ann):
    def write(at, area=152.5, calf=10):
        store.write_day(ann, DAY, temperature_rows=[temperature_row(DAY)], gait=gait(),
                        balance=balance(area), exercises={"calf_raise": calf, "toe_lift": 0},
                        at=at)

    write(T0)
    before = snapshot(store)
    assert len(before["daily_balance"]) == 1 and len(before["daily_exercise"]) == 2
    write(T0 + timedelta(hours=6))
    assert snapshot(store) == before  # not even updated_at moved
    later = T0 + timedelta(days=1)
    write(later, calf=12)
    after = snapshot(store)
    assert after["daily_balance"] == before["daily_balance"]
    changed = [(a["kind"], a["repetitions"], a["updated_at"])
               for a, b in zip(after["daily_exercise"], before["daily_exercise"], strict=True)
               if a != b]
    assert changed == [("calf_raise", 12, later)]


def test_a_failed_day_leaves_no_balance_or_exercise(store, ann):
    before = snapshot(store)
    with pytest.raises(StoreError, match=r"expected analysis\.alerts\.Alert"):
        store.write_day(ann, DAY, temperature_rows=[temperature_row(DAY)], gait=gait(),
                        balance=balance(), exercises={"calf_raise": 3},
                        alerts=["not an alert"], at=T0)
    assert snapshot(store) == before
    # A constraint the database enforces (repetitions >= 0) rolls the day back too.
    with pytest.raises(StoreError, match="refused"), store.transaction() as s:
        store.upsert_daily_balance(ann, DAY, balance(), at=T0)
        s.execute(sa.text("INSERT INTO daily_exercise (wearer_id, day, kind, repetitions, "
                          "updated_at) VALUES (:w, :d, 'calf_raise', -1, :t)"),
                  {"w": store.get_wearer(ann).id, "d": DAY, "t": T0.replace(tzinfo=None)})
    assert snapshot(store) == before


def test_bad_balance_and_exercise_values_are_explained(store, ann):
    with pytest.raises(StoreError, match=r"at least 1 .* no balance row"):
        store.upsert_daily_balance(ann, DAY, balance(quiet_standing_intervals=0))
    with pytest.raises(StoreError, match=r"quiet_standing_intervals: expected a whole number"):
        store.upsert_daily_balance(ann, DAY, balance(quiet_standing_intervals=2.5))
    with pytest.raises(StoreError, match="one_leg_intervals 4 is more than"):
        store.upsert_daily_balance(ann, DAY, balance(one_leg_intervals=4))
    with pytest.raises(StoreError, match="expected a finite number"):
        store.upsert_daily_balance(ann, DAY, balance(area=float("inf")))
    with pytest.raises(StoreError, match=r"no column for \['path_length_mm'\]"):
        store.upsert_daily_balance(ann, DAY, balance(path_length_mm=300.0))
    with pytest.raises(StoreError, match="quiet_standing_s must be a number >= 0"):
        store.upsert_daily_balance(ann, DAY, balance(quiet_standing_s=-1.0))
    with pytest.raises(StoreError, match=r"exercise 2026-03-02 kind must be one of"):
        store.upsert_daily_exercise(ann, DAY, {"squat": 5})
    with pytest.raises(StoreError, match="calf_raise repetitions: expected a whole number"):
        store.upsert_daily_exercise(ann, DAY, {"calf_raise": -2})
    with pytest.raises(StoreError, match="balance day: expected a date"):
        store.upsert_daily_balance(ann, "monday", balance())
    assert store.daily_balance(ann) == [] and store.daily_exercise(ann) == []


def _schema_diff(store: Store) -> list:
    with store.engine.connect() as c:
        return compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}),
                                Base.metadata)


def test_upgrade_from_0001_keeps_the_data_and_downgrade_removes_only_the_new_tables(store_url):
    store = Store.open(store_url)
    store.migrate("0001")
    assert store.revision() == "0001"
    names = set(sa.inspect(store.engine).get_table_names())
    assert not names & set(NEW_TABLES)
    # A store in use at 0001: a wearer with days of temperature, gait and an alert step.
    store.add_wearer("ann", at=T0)
    for i in range(3):
        d = DAY + timedelta(days=i)
        store.write_day("ann", d, temperature_rows=[temperature_row(d)], gait=gait(100.0 + i),
                        at=T0)
    store.add_note("ann", "exercise", "10 heel raises", at=T0)
    old = snapshot_of(store, exclude=NEW_TABLES)
    assert len(old["daily_temperature"]) == 3 and len(old["daily_gait"]) == 3

    store.migrate("0002")
    assert store.revision() == "0002"
    assert set(sa.inspect(store.engine).get_table_names()) == {*TABLES, "alembic_version"}
    assert _schema_diff(store) == []
    assert snapshot_of(store, exclude=NEW_TABLES) == old  # every row kept, unchanged
    store.upsert_daily_balance("ann", DAY, balance(), at=T0)
    store.upsert_daily_exercise("ann", DAY, {"calf_raise": 10}, at=T0)
    assert len(store.daily_balance("ann")) == 1 and len(store.daily_exercise("ann")) == 1

    store.downgrade("0001")
    assert store.revision() == "0001"
    assert not set(sa.inspect(store.engine).get_table_names()) & set(NEW_TABLES)
    assert snapshot_of(store, exclude=NEW_TABLES) == old
    store.migrate()  # and up again: empty new tables, old data still there
    assert store.daily_balance("ann") == [] and store.daily_exercise("ann") == []
    assert snapshot_of(store, exclude=NEW_TABLES) == old
    store.close()


def snapshot_of(store: Store, *, exclude: tuple[str, ...]) -> dict:
    out = {}
    with store.engine.connect() as c:
        for table in Base.metadata.sorted_tables:
            if table.name in exclude:
                continue
            rows = c.execute(sa.select(table).order_by(table.c.id)).mappings().all()
            out[table.name] = [dict(r) for r in rows]
    return out


def test_0003_admits_the_new_rules_keeps_alerts_and_downgrade_refuses_while_they_are_used(
        store_url):
    from analysis.alerts import BASELINE_DIFFERENCE, PEAK_PRESSURE, RULES, Alert
    from solewatch.store.errors import StoreError

    store = Store.open(store_url)
    store.migrate("0002")
    store.add_wearer("ann", at=T0)
    old_alert = Alert(rule="contralateral_site", foot="left", site="mth1", first_day=DAY,
                      confirmed_day=DAY + timedelta(days=1), delta_c=2.6, message="m",
                      evidence={"days": []})
    store.upsert_alerts("ann", [old_alert], at=T0)
    new = Alert(rule=PEAK_PRESSURE, foot="right", site="heel", first_day=DAY,
                confirmed_day=DAY, delta_c=None, message="m", evidence={"days": []})
    with pytest.raises(StoreError, match="ck_alerts_rule"):  # 0002's CHECK refuses it
        store.upsert_alerts("ann", [new], at=T0)
    before = snapshot_of(store, exclude=NEW_TABLES)

    store.migrate()
    assert store.revision() == store.head_revision() == "0003"
    assert _schema_diff(store) == []
    assert snapshot_of(store, exclude=NEW_TABLES) == before  # every alert kept
    finding = Alert(rule=BASELINE_DIFFERENCE, foot="left", site="midfoot", first_day=DAY,
                    confirmed_day=DAY, delta_c=2.4, message="m", evidence={"days": []})
    store.upsert_alerts("ann", [new, finding], at=T0)
    assert {a.rule for a in store.alerts("ann")} == {"contralateral_site", PEAK_PRESSURE,
                                                      BASELINE_DIFFERENCE}
    with pytest.raises(sa.exc.IntegrityError):  # unknown rules are still refused
        with store.engine.begin() as c:
            c.execute(sa.text("UPDATE alerts SET rule = 'no_such_rule'"))
    # the constraint admits exactly the rules the code knows
    for rule in RULES:
        with store.engine.begin() as c:
            c.execute(sa.text("UPDATE alerts SET rule = :r WHERE rule = :p"),
                      {"r": rule, "p": PEAK_PRESSURE})
        with store.engine.begin() as c:
            c.execute(sa.text("UPDATE alerts SET rule = :p WHERE rule = :r"),
                      {"r": rule, "p": PEAK_PRESSURE})
    with pytest.raises(RuntimeError, match="cannot downgrade below 0003"):
        store.downgrade("0002")
    assert store.revision() == "0003"
    store.close()
