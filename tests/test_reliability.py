"""Reliability of the daily job on both store backends: killed with SIGKILL mid-write, read
while it writes, the database unavailable for a while (a refused URL, SQLite locked past its
busy timeout, a real PostgreSQL server stopped mid-run and started again), and corrupt or
half-written recordings among good ones.

Store fixtures (``store_url``/``store``: SQLite and a real PostgreSQL) come from
tests/test_store.py; the PostgreSQL restart test starts its own private server with
scripts/pg-test-server.sh and pg_ctl (like scripts/test.sh does).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from analysis.alerts import CONTRALATERAL_SITE
from solewatch import daily
from solewatch.daily import (
    PAUSE_ENV,
    DailySettings,
    DatabaseUnavailable,
    open_store,
    run_daily,
)
from solewatch.store import Store, resolve_url
from solewatch.store.models import TEMPERATURE_SITES
from tests._daily_data import DAYS, truth_days, write_days
from tests._store_support import pg_url as _pg_url
from tests.test_daily import days_in_store, truth_alert

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)
FAST = DailySettings(settle_s=0.0, retry_total_s=30.0, retry_first_wait_s=0.1,
                     retry_max_wait_s=0.5)
N_SITES = len(TEMPERATURE_SITES)


def daily_cmd(url: str, inbox: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "solewatch", "daily", "--db", url, "--wearer", "ann",
            "--inbox", str(inbox), "--settle", "0", *extra]


def assert_complete_fortnight(store: Store) -> None:
    days, _, _ = truth_days("hotspot")
    stored = days_in_store(store)
    assert sorted(stored) == list(days)
    assert all(sorted(v) == sorted(TEMPERATURE_SITES) for v in stored.values())
    assert [r.status for r in store.recordings("ann")] == ["ingested"] * DAYS
    foot, site, first, confirmed = truth_alert()
    assert [(a.rule, a.foot, a.site, a.first_day, a.confirmed_day)
            for a in store.alerts("ann")] == [(CONTRALATERAL_SITE, foot, site, first, confirmed)]


# -- kill -9 ---------------------------------------------------------------------------------


def test_sigkill_mid_write_leaves_whole_days_and_a_rerun_completes(store_url, tmp_path):
    inbox = tmp_path / "inbox"
    write_days(inbox, "hotspot")
    env = {**os.environ, PAUSE_ENV: "0.15", "SOLEWATCH_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(daily_cmd(store_url, inbox), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    kill_in = 5  # killed inside the transaction of the 5th day
    paused = 0
    try:
        while paused < kill_in:
            line = proc.stderr.readline()
            assert line, f"the job ended before day {kill_in}: {proc.stderr.read()}"
            paused += "inside the transaction of" in line
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    days, _, _ = truth_days("hotspot")
    with Store.open(store_url) as s:
        stored = days_in_store(s)
        # The four committed days are whole; the fifth, killed mid-transaction, is absent.
        assert sorted(stored) == list(days[:kill_in - 1])
        assert all(len(v) == N_SITES for v in stored.values())
        assert s.daily_gait("ann") == [] and s.daily_pressure("ann") == []
        status = [r.status for r in s.recordings("ann")]
        assert status == ["ingested"] * (kill_in - 1) + ["new"] * (DAYS - kill_in + 1)
        # The rerun finishes the work: the same result as an uninterrupted run.
        report = run_daily(s, wearers=["ann"], inbox=inbox, now=NOW, settings=FAST)
        assert len(report.ingested) == DAYS - kill_in + 1
        assert_complete_fortnight(s)


# -- reading while writing -----------------------------------------------------------------------


def test_a_reader_never_sees_a_partial_day(store_url, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    write_days(inbox, "hotspot")
    monkeypatch.setenv(PAUSE_ENV, "0.05")  # widen each day's transaction
    writer_store = open_store(store_url)
    writer_store.ensure_wearer("ann")
    reader_store = Store.open(store_url)
    errors: list[BaseException] = []
    seen: list[tuple[int, int]] = []
    done = threading.Event()

    def reader():
        try:
            while not done.is_set():
                with reader_store.engine.connect() as c:
                    ingested = c.execute(sa.text(
                        "SELECT count(*) FROM recordings WHERE status = 'ingested'")).scalar()
                    counts = c.execute(sa.text(
                        "SELECT day, count(*) FROM daily_temperature GROUP BY day")).all()
                    c.rollback()
                assert all(n == N_SITES for _, n in counts), counts  # whole days only
                assert len(counts) >= ingested  # an ingested file's day is there
                reader_store.alerts("ann")
                seen.append((ingested, len(counts)))
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    t = threading.Thread(target=reader)
    t.start()
    try:
        run_daily(writer_store, wearers=["ann"], inbox=inbox, now=NOW, settings=FAST)
    finally:
        done.set()
        t.join(timeout=30)
    assert errors == []
    assert len(seen) > 20, "the reader hardly ran"
    assert len({n for _, n in seen}) > 3, "the reader saw no days appear while it read"
    assert_complete_fortnight(writer_store)
    writer_store.close()
    reader_store.close()


# -- the database unavailable --------------------------------------------------------------------


def test_an_unreachable_database_is_a_clear_error_after_the_retry_time(tmp_path):
    url = "postgresql+psycopg://nobody@/none?host=/nonexistent-socket-dir"
    log: list[str] = []
    t0 = time.monotonic()
    with pytest.raises(DatabaseUnavailable) as info:
        open_store(url, settings=DailySettings(retry_total_s=1.0, retry_first_wait_s=0.2),
                   log=log.append)
    assert 1.0 <= time.monotonic() - t0 < 10
    text = str(info.value)
    shown = resolve_url(url).render_as_string(hide_password=True)
    assert f"the database {shown} is unavailable" in text and "gave up opening the store" in text
    assert len(log) >= 2 and all(shown in line and "retrying in" in line for line in log)
    # The command line says the same and exits 3.
    done = subprocess.run(daily_cmd(url, tmp_path, "--retry-for", "0.5"), capture_output=True,
                          text=True, timeout=60,
                          env={**os.environ, "SOLEWATCH_HOME": str(tmp_path / "home")})
    assert done.returncode == 3
    assert f"the database {shown} is unavailable" in done.stderr


def test_sqlite_locked_longer_than_its_busy_timeout_is_retried(tmp_path, monkeypatch):
    monkeypatch.setattr("solewatch.store.store.SQLITE_BUSY_TIMEOUT_MS", 100)
    db = tmp_path / "s.db"
    inbox = tmp_path / "inbox"
    write_days(inbox, "hotspot")
    store = open_store(f"sqlite:///{db}")
    store.ensure_wearer("ann")
    import sqlite3

    locker = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    locker.execute("BEGIN EXCLUSIVE")  # e.g. a backup holding the write lock
    release = threading.Timer(1.5, locker.execute, args=("COMMIT",))
    release.start()
    log: list[str] = []
    try:
        report = run_daily(store, wearers=["ann"], inbox=inbox, now=NOW, settings=FAST,
                           log=log.append)
    finally:
        release.join()
        locker.close()
    assert log and "database is locked" in log[0] and str(db) in log[0]
    assert len(report.ingested) == DAYS
    assert_complete_fortnight(store)
    store.close()


def _pg_bin() -> Path:
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / "pg_ctl").exists():
            return d
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    pytest.fail("pg_ctl not found: install PostgreSQL (scripts/pg-test-server.sh says how)")


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.getuid() == 0 else cmd


@pytest.fixture
def private_pg():
    """A PostgreSQL server of this test alone (it is stopped and started again)."""
    _pg_url()  # skip or fail like the other PostgreSQL tests when there is no PostgreSQL
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="swpg-", dir="/tmp"))
    folder.rmdir()
    script = REPO / "scripts" / "pg-test-server.sh"
    url = subprocess.run(["bash", str(script), "start", str(folder)], capture_output=True,
                         text=True, check=True, timeout=120).stdout.strip()
    pg_ctl = str(_pg_bin() / "pg_ctl")
    opts = (f"-c listen_addresses='' -c unix_socket_directories='{folder}' -c port=5432 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")

    def stop():
        subprocess.run(_as_owner([pg_ctl, "-D", str(folder / "data"), "-m", "fast", "-w",
                                  "stop"]), check=True, capture_output=True, timeout=60)

    def start():
        subprocess.run(_as_owner([pg_ctl, "-D", str(folder / "data"), "-l",
                                  str(folder / "server.log"), "-w", "-o", opts, "start"]),
                       check=True, capture_output=True, timeout=60)

    try:
        yield url, stop, start
    finally:
        subprocess.run(["bash", str(script), "stop", str(folder)], capture_output=True,
                       timeout=120)


def test_postgresql_restarting_mid_run_loses_nothing(private_pg, tmp_path):
    url, stop, start = private_pg
    inbox = tmp_path / "inbox"
    write_days(inbox, "hotspot")
    env = {**os.environ, PAUSE_ENV: "0.2", "SOLEWATCH_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(daily_cmd(url, inbox, "--retry-for", "60"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    err: list[str] = []
    try:
        while sum("inside the transaction of" in line for line in err) < 3:
            line = proc.stderr.readline()
            assert line, "".join(err) + proc.stderr.read()
            err.append(line)
        stop()  # the server goes away in the middle of the 3rd day's transaction
        time.sleep(1.0)
        start()
        out, rest = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
    err_text = "".join(err) + rest
    assert proc.returncode == 0, err_text + out
    assert "is unavailable while writing ann" in err_text and "retrying in" in err_text
    assert f"summary   {DAYS} ingested, 0 skipped" in out
    with Store.open(url) as s:
        assert_complete_fortnight(s)


# -- corrupt and half-written recordings -------------------------------------------------------


def test_corrupt_recordings_are_skipped_with_the_reason_and_the_rest_processed(
        store, tmp_path):
    inbox = tmp_path / "inbox"
    good = write_days(inbox, "hotspot", [0, 1, 2])
    (day3,) = write_days(tmp_path / "src", "hotspot", [3])
    raw = day3.read_bytes()
    (inbox / "half.csv.gz").write_bytes(raw[:len(raw) // 2])   # half-written: rows kept
    (inbox / "cut.csv.gz").write_bytes(raw[:12])               # no complete line at all
    (inbox / "garbage.csv").write_bytes(bytes(range(256)) * 8)  # not text
    (inbox / "wrong.csv").write_text("name,age\nann,3\n")       # text of another kind
    (inbox / "empty.csv").write_bytes(b"")
    log = REPO / "fixtures" / "data" / "recordings" / "walk_mtu23.swlog"
    (inbox / "torn.swlog").write_bytes(log.read_bytes()[:6])    # header only, cut mid-way
    old = time.time() - 3600
    for p in inbox.iterdir():
        os.utime(p, (old, old))
    report = run_daily(store, wearers=["ann"], inbox=inbox, now=NOW, settings=FAST)
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(reasons) == {"cut.csv.gz", "garbage.csv", "wrong.csv", "empty.csv",
                            "torn.swlog"}
    assert "cannot read (corrupt or not gzip?)" in reasons["cut.csv.gz"]
    assert "binary content, not a text recording" in reasons["garbage.csv"]
    assert "unknown format" in reasons["wrong.csv"] and "'name,age'" in reasons["wrong.csv"]
    assert "the file is empty" in reasons["empty.csv"]
    assert "too short for a solewatch raw log" in reasons["torn.swlog"]
    for name, reason in reasons.items():
        assert reason.startswith(str(inbox / name))  # names the file
    recs = {Path(r.path).name: r for r in store.recordings("ann")}
    assert {n: r.status for n, r in recs.items() if r.status == "failed"} == dict.fromkeys(
        reasons, "failed")
    assert all(recs[n].status_reason == reasons[n] for n in reasons)
    # The rest is processed: three whole days and the readable half of the fourth, whose
    # data problem is kept with its recording.
    assert [Path(p).name for p in report.ingested] == sorted(
        [p.name for p in good] + ["half.csv.gz"])
    days, _, _ = truth_days("hotspot")
    assert sorted(days_in_store(store)) == list(days[:4])
    half = recs["half.csv.gz"]
    assert half.status == "ingested"
    assert "the compressed file ends early" in half.status_reason
    assert any("the compressed file ends early" in p
               for p in report.problems[str(inbox / "half.csv.gz")])
    # A second run tries none of them again (the same bytes are known).
    again = run_daily(store, wearers=["ann"], inbox=inbox, now=NOW, settings=FAST)
    assert (again.ingested, again.skipped, again.days) == ([], [], [])


def test_a_half_written_raw_log_keeps_its_complete_records(store, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    src = (REPO / "fixtures" / "data" / "recordings" / "walk_mtu23.swlog").read_bytes()
    (inbox / "killed.swlog").write_bytes(src[:len(src) * 6 // 10])  # `record` killed mid-way
    os.utime(inbox / "killed.swlog", (time.time() - 3600,) * 2)
    report = run_daily(store, wearers=["ann"], inbox=inbox, now=NOW, settings=FAST)
    assert report.skipped == [] and len(report.days) == 1
    (rec,) = store.recordings("ann")
    assert rec.status == "ingested" and "torn write" in rec.status_reason
    assert len(store.daily_gait("ann")) == 1


def test_retry_gives_up_on_errors_that_will_not_go_away(store):
    calls = []

    def work():
        calls.append(1)
        with store.transaction() as s:
            s.execute(sa.text("SELECT * FROM no_such_table"))

    with pytest.raises(daily.StoreError, match="has no schema"):
        daily.with_retry(work, what="reading", database=store.url, settings=FAST)
    assert len(calls) == 1  # not retried: waiting would not help
