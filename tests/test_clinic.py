"""Clinic-scale re-analysis on a real dask.distributed LocalCluster (2 worker processes, 1
thread each) against the real PostgreSQL test server (SOLEWATCH_TEST_PG_URL; see
tests/test_store.py for how it is provided or skipped).

The data: 4 wearers x 3 days from the fixture generator (fixtures/clinic.py: a day's
temperatures a minute and a 20 s walk at 100 Hz per wearer-day; wearer-002 has a hotspot, so
alerts are compared too), ingested by the serial daily job. Speed is measured by
benchmarks/clinic.py, never here.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from solewatch.cli import main
from solewatch.clinic import ClinicError, reanalyze
from solewatch.daily import DailySettings, run_daily
from solewatch.store import Store
from solewatch.store.models import DailyGait, DailyPressure, DailyTemperature
from tests._store_support import pg_schema

pytestmark = pytest.mark.slow

N_WEARERS = 4
N_DAYS = 3
FIRST = date(2026, 3, 2)
ANALYSIS_TABLES = ("alert_events", "alerts", "daily_temperature", "daily_gait",
                   "daily_pressure")


@pytest.fixture(scope="module")
def clinic_data(tmp_path_factory) -> Path:
    from fixtures.clinic import write_clinic

    root = tmp_path_factory.mktemp("clinic") / "inboxes"
    write_clinic(root, wearers=N_WEARERS, days=N_DAYS, seed=7, walk_s=20.0)
    return root


@pytest.fixture(scope="module")
def cluster():
    """One LocalCluster for the module (starting one takes seconds); tests use its address,
    as they would a real cluster's scheduler."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as c:
        yield c.scheduler_address


@pytest.fixture
def pg_url():
    """A URL of an empty schema on the PostgreSQL test server, dropped afterwards."""
    with pg_schema("c") as url:
        yield url


def ingest(url: str, inboxes: Path) -> Store:
    """The serial daily job over every wearer's inbox: registers and analyses everything."""
    store = Store.open(url)
    store.migrate()
    for folder in sorted(inboxes.iterdir()):
        store.ensure_wearer(folder.name)
        report = run_daily(store, wearers=[folder.name], inbox=folder,
                           settings=DailySettings(settle_s=0.0))
        assert not report.skipped, report.skipped
    return store


def forget_analysis(store: Store) -> None:
    """Empty the tables the analysis writes (the recordings stay registered)."""
    with store.engine.begin() as c:
        for table in ANALYSIS_TABLES:
            c.exec_driver_sql(f"DELETE FROM {table}")


def _row(obj, *, stamps: bool) -> tuple:
    skip = {"id", "wearer_id"} | (set() if stamps else {"updated_at"})
    return tuple(getattr(obj, c.name) for c in type(obj).__table__.columns if c.name not in skip)


def snapshot(store: Store, *, stamps: bool = False) -> dict:
    """Every daily row and alert (with its lifecycle) per wearer; ids and, unless
    ``stamps``, write times left out (they differ between two runs of the same analysis)."""
    out = {}
    for w in store.wearers():
        alerts = []
        for a in store.alerts(w.name):
            steps = [(s.from_status, s.to_status, s.by, s.note) + ((s.at,) if stamps else ())
                     for s in store.alert_history(a.id)]
            alerts.append((a.rule, a.foot, a.site, a.first_day, a.confirmed_day, a.delta_c,
                           a.message, a.evidence, a.status, tuple(steps))
                          + ((a.created_at, a.updated_at) if stamps else ()))
        out[w.name] = {
            DailyTemperature.__tablename__: [_row(r, stamps=stamps)
                                             for r in store.daily_temperature(w.name)],
            DailyGait.__tablename__: [_row(r, stamps=stamps) for r in store.daily_gait(w.name)],
            DailyPressure.__tablename__: [_row(r, stamps=stamps)
                                          for r in store.daily_pressure(w.name)],
            "alerts": alerts,
        }
    return out


def test_reanalysis_writes_what_the_serial_daily_job_wrote_and_rerunning_changes_nothing(
        pg_url, clinic_data, cluster, capsys):
    store = ingest(pg_url, clinic_data)
    serial = snapshot(store)
    assert sum(len(t["daily_temperature"]) for t in serial.values()) == N_WEARERS * N_DAYS * 7
    assert sum(len(t["daily_gait"]) for t in serial.values()) == N_WEARERS * N_DAYS
    assert serial["wearer-002"]["alerts"], "the hotspot wearer should have alerts to compare"
    statuses = sorted((r.path, r.status) for r in store.recordings())

    forget_analysis(store)
    assert store.counts()["daily_temperature"] == 0
    report = reanalyze(pg_url, scheduler=cluster)
    assert report.ok, report.summary()
    assert len(report.planned) == N_WEARERS * N_DAYS
    assert sorted((o.wearer, o.day) for o in report.done) == sorted(report.planned)
    assert len({o.worker for o in report.done}) == 2, "both worker processes did work"
    assert snapshot(store) == serial
    assert sorted((r.path, r.status) for r in store.recordings()) == statuses

    # Again, through the command line: nothing changes, not even a write time.
    before = snapshot(store, stamps=True)
    assert main(["reanalyze", "--db", pg_url, "--scheduler", cluster]) == 0
    assert "re-analysed 12 of 12 wearer-days of 4 wearers" in capsys.readouterr().out
    assert snapshot(store, stamps=True) == before
    store.close()


def test_a_corrupt_recording_is_reported_and_the_other_days_complete(
        pg_url, clinic_data, cluster, tmp_path):
    inboxes = tmp_path / "inboxes"
    shutil.copytree(clinic_data, inboxes)
    store = ingest(pg_url, inboxes)
    second, third = FIRST + timedelta(days=1), FIRST + timedelta(days=2)
    # Damaged on disk after it was ingested: the bytes no longer read (nor match).
    damaged = inboxes / "wearer-001" / f"{second.isoformat()}.temperature.csv.gz"
    damaged.write_bytes(damaged.read_bytes()[:200] + bytes(range(256)) * 8)
    # A recording that cannot be opened at all (its path is now a folder).
    gone = inboxes / "wearer-003" / f"{third.isoformat()}.walk.swlog"
    gone.unlink()
    gone.mkdir()

    report = reanalyze(pg_url, scheduler=cluster, start=FIRST, end=third)
    assert not report.ok
    reported = {(f.wearer, f.day): f.reason for f in report.failed + report.incomplete}
    assert set(reported) == {("wearer-001", second), ("wearer-003", third)}, report.summary()
    assert damaged.name in reported[("wearer-001", second)]
    assert gone.name in reported[("wearer-003", third)]
    # an unreadable path (OSError) is left out with its reason; the day is still computed
    assert ("wearer-003", third) in {(f.wearer, f.day) for f in report.incomplete}
    assert "cannot read" in reported[("wearer-003", third)]
    finished = {(o.wearer, o.day) for o in report.done}
    failed = {(f.wearer, f.day) for f in report.failed}
    assert finished | failed == set(report.planned)
    assert len(finished) >= N_WEARERS * N_DAYS - 2
    text = report.summary()
    assert f"wearer-001 {second.isoformat()}" in text and f"wearer-003 {third.isoformat()}" in text
    store.close()


def test_wearer_and_day_selection(pg_url, clinic_data, cluster):
    store = ingest(pg_url, clinic_data)
    forget_analysis(store)
    last = FIRST + timedelta(days=N_DAYS - 1)
    report = reanalyze(pg_url, scheduler=cluster, wearers=["wearer-000", "wearer-002"],
                       start=last, end=last)
    assert report.ok, report.summary()
    assert report.planned == [("wearer-000", last), ("wearer-002", last)]
    assert {r.day for r in store.daily_gait("wearer-000")} == {last}
    assert store.daily_gait("wearer-001") == []
    store.close()


def test_sqlite_is_refused_with_the_reason(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'solewatch.db'}"
    with pytest.raises(ClinicError, match=r"SQLite store .* one writer at a time.*PostgreSQL"):
        reanalyze(url, scheduler="local", n_workers=1)
    assert main(["reanalyze", "--db", url]) == 2
    err = capsys.readouterr().err
    assert "one writer at a time" in err and "solewatch daily" in err


def test_a_scheduler_that_is_not_an_address_is_explained(pg_url):
    Store.open(pg_url).migrate()
    with pytest.raises(ClinicError, match="give 'local' or an address such as tcp://"):
        reanalyze(pg_url, scheduler="my-cluster")
