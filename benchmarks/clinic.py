"""Clinic-scale re-analysis (issue "History", item 5): wearer-days per minute on a Dask
LocalCluster with 1 and 2 workers, side by side, writing to a private PostgreSQL server.

Run with ``.venv-bench/bin/python -m benchmarks.clinic`` (scripts/bench.sh does, writing
benchmarks/results/clinic.txt). Not a pass/fail test.

**A wearer-day** (fixtures/clinic.py): the day's in-shoe temperatures, six sites of both
feet, one reading a minute for the whole local day (1,440 x 12 readings, a gzip CSV), plus a
walk of ``--walk-s`` seconds (default 120 s) of two solewatch-16 insoles at 100 Hz sent over
the simulated BLE links (a .swlog). Recomputing it = reading both files, the temperature
analysis of the day, the full gait and pressure analysis of the walk, one transaction of
7 temperature rows, a gait row, 14 pressure rows and any alerts; then, once per wearer, the
daily alert rules over the wearer's stored history (as ``solewatch daily`` does).

Steps:

1. a private PostgreSQL server (scripts/pg-test-server.sh: unix socket only, fsync off:
   the write cost is the server's CPU work, not a disk's flush latency);
2. 8 wearers x 14 days generated and ingested by the serial daily job (``run_daily``,
   in-process, no Dask: the baseline) into two schemas, one holding the first 7 days, one
   all 14;
3. two LocalClusters (1 worker and 2 workers, 1 thread each, every worker warmed by one
   untimed re-analysis of 4 wearers; worker CPU time read before and after each run);
   for each schema (7, 14 days) and 2, 4, 8 wearers, the analysis tables are emptied and
   ``reanalyze`` is timed on one cluster then the other (the order
   alternates from cell to cell so that a drift of the shared machine's load does not
   favour one side), ``--repeats`` times, best kept;
4. database size: ``pg_total_relation_size`` of every table of each schema (after the
   re-analyses and a VACUUM FULL; 8 kB pages), per wearer-day, and the growth from 7 to 14
   days per added wearer-day; and a wearer-year measured: one wearer's 14 analysed days
   copied with shifted days into a fresh schema until a year is covered;
5. raw log size: bytes per second of a .swlog of both insoles at 100 Hz with temperatures
   once a second (60 s, MTU 247 and MTU 23), extrapolated to a day.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PG_SCRIPT = ROOT / "scripts" / "pg-test-server.sh"
ANALYSIS_TABLES = ("alert_events", "alerts", "daily_temperature", "daily_gait",
                   "daily_pressure")
#: Hours a day the shoes are worn in the generator (about 07:00-22:30).
WORN_H_PER_DAY = 15.5


def _schema_url(url: str, schema: str) -> str:
    import sqlalchemy as sa

    return sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}) \
        .render_as_string(hide_password=False)


def start_postgres(folder: Path) -> str:
    out = subprocess.run(["bash", str(PG_SCRIPT), "start", str(folder)], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def stop_postgres(folder: Path) -> None:
    subprocess.run(["bash", str(PG_SCRIPT), "stop", str(folder)], check=False)


def ingest(url: str, inboxes: Path, wearers: list[str]) -> float:
    """The serial daily job over every wearer's inbox; returns its wall time, s."""
    from solewatch.daily import DailySettings, run_daily
    from solewatch.store import Store

    with Store.open(url) as store:
        store.migrate()
        t0 = time.perf_counter()
        for w in wearers:
            store.ensure_wearer(w)
            report = run_daily(store, wearers=[w], inbox=inboxes / w,
                               settings=DailySettings(settle_s=0.0), log=lambda _m: None)
            if report.skipped:
                raise RuntimeError(f"ingest skipped files: {report.skipped}")
        return time.perf_counter() - t0


def forget_analysis(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as c:
        for table in ANALYSIS_TABLES:
            c.exec_driver_sql(f"DELETE FROM {table}")
    engine.dispose()


def table_sizes(url: str) -> dict[str, int]:
    """Bytes (pg_total_relation_size, after VACUUM FULL: the timed runs deleted and rewrote
    the analysis tables many times) and rows of every table."""
    import sqlalchemy as sa

    from solewatch.store.models import TABLES

    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.exec_driver_sql("VACUUM FULL")
        sizes = {t: int(c.exec_driver_sql(f"SELECT pg_total_relation_size('{t}')").scalar())
                 for t in TABLES}
        rows = {t: int(c.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()) for t in TABLES}
    engine.dispose()
    return {"bytes": sizes, "rows": rows}


def year_size(url: str, src_schema: str, wearer: str, days: int) -> dict:
    """A wearer-year built from one wearer's analysed days: its rows of ``src_schema``
    (recordings, daily temperature, gait, pressure) copied into a fresh, migrated schema
    with the days shifted by ``days`` at a time until a year is covered, then measured.
    Alerts are left out (a few rows per episode)."""
    import sqlalchemy as sa

    from solewatch.store import Store
    from solewatch.store.models import Base

    target = "bench_year"
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.exec_driver_sql(f"DROP SCHEMA IF EXISTS {target} CASCADE")
        c.exec_driver_sql(f"CREATE SCHEMA {target}")
    with Store.open(_schema_url(url, target)) as store:
        store.migrate()
    copies = -(-365 // days)  # enough copies to cover 365 days
    with engine.begin() as c:
        wid = c.exec_driver_sql(f"SELECT id FROM {src_schema}.wearers WHERE name = %(n)s",
                                {"n": wearer}).scalar()
        c.exec_driver_sql(f"INSERT INTO {target}.wearers SELECT * FROM {src_schema}.wearers "
                          f"WHERE id = {int(wid)}")
        for name in ("recordings", "daily_temperature", "daily_gait", "daily_pressure"):
            cols = [col.name for col in Base.metadata.tables[name].columns if col.name != "id"]
            shifted = {"day": "day + {k}", "start_at": "start_at + interval '{k} days'",
                       "sha256": "encode(sha256(convert_to(sha256 || '{k}', 'UTF8')), 'hex')"}
            for i in range(copies):
                k = i * days
                select = ", ".join(shifted[col].format(k=k) if col in shifted else col
                                   for col in cols)
                c.exec_driver_sql(f"INSERT INTO {target}.{name} ({', '.join(cols)}) "
                                  f"SELECT {select} FROM {src_schema}.{name} "
                                  f"WHERE wearer_id = {int(wid)}")
        c.exec_driver_sql("ANALYZE")
    out = {}
    with engine.connect() as c:
        for name in ("recordings", "daily_temperature", "daily_gait", "daily_pressure"):
            out[name] = {
                "bytes": int(c.exec_driver_sql(
                    f"SELECT pg_total_relation_size('{target}.{name}')").scalar()),
                "rows": int(c.exec_driver_sql(f"SELECT count(*) FROM {target}.{name}").scalar())}
    engine.dispose()
    out["days"] = copies * days
    return out


def raw_log_rates(folder: Path) -> list[dict]:
    """Bytes per second of a .swlog of both insoles at 100 Hz, temperatures once a second."""
    from analysis.layouts import SOLEWATCH_16
    from fixtures import generator as gen
    from fixtures.clinic import WALK_LINKS
    from fixtures.recordings import RATES, RECORDINGS, START, write_log

    duration_s = 60.0
    pressure, _ = gen.generate_gait(SOLEWATCH_16, sample_rate_hz=100.0, duration_s=duration_s,
                                    seed=5, start=START, dtype=np.float32)
    temps, _ = gen.generate_temperatures(days=duration_s / 86400.0 + 0.01, seed=5, start=START,
                                         sample_period_s=RATES.temperature_period_ms / 1000,
                                         resolution_c=0.01)
    n_t = int(duration_s * 1000 / RATES.temperature_period_ms)
    out = []
    for label, links in (("MTU 247, 5 samples a frame", WALK_LINKS),
                         ("MTU 23, half frames", RECORDINGS[0].links)):
        path = folder / f"rate-{len(out)}.swlog"
        write_log(path, pressure, temps.values_c[:n_t], start=START, links=links)
        b_per_s = path.stat().st_size / duration_s
        out.append({"link": label, "bytes_per_s": b_per_s,
                    "mb_per_worn_day": b_per_s * WORN_H_PER_DAY * 3600 / 1e6,
                    "mb_per_24h": b_per_s * 86400 / 1e6})
    return out


def _worker_cpu_s() -> float:
    """CPU seconds this worker process has used (all its threads)."""
    return time.process_time()


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares y = a + b x."""
    b, a = np.polyfit(np.asarray(xs, float), np.asarray(ys, float), 1)
    return float(a), float(b)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.clinic", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wearers", default="2,4,8", help="wearer counts (comma-separated)")
    ap.add_argument("--days", default="7,14", help="day counts (comma-separated)")
    ap.add_argument("--walk-s", type=float, default=120.0, help="walk per wearer-day, s")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per cell (best kept)")
    ap.add_argument("--pg-url", default=os.environ.get("SOLEWATCH_BENCH_PG_URL"),
                    help="use this PostgreSQL database instead of starting a private server")
    args = ap.parse_args(argv)
    wearer_counts = sorted(int(x) for x in args.wearers.split(","))
    day_counts = sorted(int(x) for x in args.days.split(","))

    import distributed
    import sqlalchemy as sa

    from benchmarks.run import machine
    from fixtures.clinic import FIRST_DAY, wearer_name, write_clinic
    from solewatch.clinic import reanalyze

    m = machine()
    work = Path(tempfile.mkdtemp(prefix="swclinic-"))
    pg_dir = Path(tempfile.mkdtemp(prefix="swcpg-", dir="/tmp"))
    shutil.rmtree(pg_dir)
    started_pg = args.pg_url is None
    clusters = []
    clients: dict = {}
    try:
        url = args.pg_url or start_postgres(pg_dir)
        engine = sa.create_engine(url)
        with engine.connect() as c:
            pg_version = c.exec_driver_sql("SHOW server_version").scalar()
        n_w, n_d = max(wearer_counts), max(day_counts)
        t0 = time.perf_counter()
        write_clinic(work / "all", wearers=n_w, days=n_d, seed=1, walk_s=args.walk_s)
        gen_s = time.perf_counter() - t0
        names = [wearer_name(i) for i in range(n_w)]
        example = work / "all" / names[0]
        day_bytes = {p.name.split(".", 1)[1]: p.stat().st_size
                     for p in sorted(example.iterdir())[:2]}
        urls, ingest_s = {}, {}
        for d in day_counts:
            schema = f"bench_{d}d"
            with engine.begin() as c:
                c.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                c.exec_driver_sql(f"CREATE SCHEMA {schema}")
            inbox = work / f"{d}d"
            last = FIRST_DAY + timedelta(days=d - 1)
            for w in names:
                (inbox / w).mkdir(parents=True)
                for f in (work / "all" / w).iterdir():
                    if date.fromisoformat(f.name[:10]) <= last:
                        os.link(f, inbox / w / f.name)
            urls[d] = _schema_url(url, schema)
            ingest_s[d] = ingest(urls[d], inbox, names)
            print(f"ingested {n_w} wearers x {d} days serially in {ingest_s[d]:.1f} s",
                  file=sys.stderr)

        for n in (1, 2):
            c = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                         dashboard_address=":0", silence_logs=logging.ERROR)
            clusters.append(c)
        addresses = {1: clusters[0].scheduler_address, 2: clusters[1].scheduler_address}
        clients = {n: distributed.Client(addresses[n]) for n in (1, 2)}
        # Warm every worker once (imports, first connections, first calls) untimed: four
        # wearers, so that each worker of the 2-worker cluster gets tasks.
        for n in (1, 2):
            reanalyze(urls[day_counts[0]], wearers=names[:4], scheduler=addresses[n])

        cells = []
        flip = False
        for d in day_counts:
            for w in wearer_counts:
                best: dict[int, float] = {}
                task_s: dict[int, float] = {}
                cpu_s: dict[int, float] = {}
                for _ in range(args.repeats):
                    for n in ((2, 1) if flip else (1, 2)):
                        forget_analysis(urls[d])
                        cpu0 = clients[n].run(_worker_cpu_s)
                        rep = reanalyze(urls[d], wearers=names[:w], scheduler=addresses[n])
                        cpu1 = clients[n].run(_worker_cpu_s)
                        if not rep.ok or len(rep.done) != w * d:
                            raise RuntimeError(rep.summary())
                        if rep.wall_s < best.get(n, float("inf")):
                            best[n] = rep.wall_s
                            task_s[n] = sum(o.seconds for o in rep.done)
                            cpu_s[n] = sum(cpu1[k] - cpu0[k] for k in cpu1)
                    flip = not flip
                cells.append({"days": d, "wearers": w, "wearer_days": w * d,
                              "wall_s": best, "task_s": task_s, "cpu_s": cpu_s})
                print(f"{w} wearers x {d} days: 1 worker {best[1]:.1f} s, 2 workers "
                      f"{best[2]:.1f} s", file=sys.stderr)
        sizes = {d: table_sizes(urls[d]) for d in day_counts}
        year = year_size(url, f"bench_{n_d}d", names[0], n_d)
        rates = raw_log_rates(work)
        m["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        for client in clients.values():
            client.close()
        for c in clusters:
            c.close()
        if started_pg:
            stop_postgres(pg_dir)
        shutil.rmtree(work, ignore_errors=True)

    versions = {k: importlib.metadata.version(k) for k in ("dask", "distributed", "psycopg",
                                                          "SQLAlchemy")}
    lines = [
        "# Clinic re-analysis on Dask (benchmarks/clinic.py)",
        "",
        f"Run {m['date_utc']} on commit {m['git_commit']}"
        + (" (uncommitted changes)" if m["git_tracked_changes"] else "")
        + f"; {m['nproc']} cores ({m['cpu']}); load average {m['load_average_at_start']} "
        f"at start, {m['load_average_at_end']} at end.",
        f"Python {m['versions']['python']}, NumPy {m['versions']['numpy']}, dask "
        f"{versions['dask']}, distributed {versions['distributed']}, SQLAlchemy "
        f"{versions['SQLAlchemy']}, psycopg {versions['psycopg']}, PostgreSQL {pg_version} "
        "(private server on a unix socket, fsync off).",
        f"A wearer-day: the day's temperatures a minute (1,440 x 12 readings, "
        f"{day_bytes.get('temperature.csv.gz', 0) / 1e3:.0f} kB gzip CSV) and a "
        f"{args.walk_s:g} s walk of two insoles at 100 Hz "
        f"({day_bytes.get('walk.swlog', 0) / 1e3:.0f} kB .swlog). Generating "
        f"{n_w} x {n_d} of them took {gen_s:.0f} s (not timed below).",
        f"LocalCluster workers are processes with 1 thread each; best of {args.repeats} "
        "runs per cell, 1 and 2 workers alternating; wall time from the first task "
        "submitted to the last result (the cluster is already up and warm).",
        "",
        "## Wearer-days per minute",
        "",
        "| wearers | days | wearer-days | 1 worker: s | 1 worker: wd/min | 2 workers: s | "
        "2 workers: wd/min | speed-up 2/1 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cells:
        r1 = 60 * c["wearer_days"] / c["wall_s"][1]
        r2 = 60 * c["wearer_days"] / c["wall_s"][2]
        lines.append(f"| {c['wearers']} | {c['days']} | {c['wearer_days']} | "
                     f"{c['wall_s'][1]:.1f} | {r1:.0f} | {c['wall_s'][2]:.1f} | {r2:.0f} | "
                     f"{r2 / r1:.2f}x |")
    serial_rates = {d: 60 * n_w * d / ingest_s[d] for d in day_counts}
    lines += ["", "Serial baseline, the daily job in one process without Dask (ingest "
              "included: hashing and registering each file): "
              + "; ".join(f"{n_w} wearers x {d} days in {ingest_s[d]:.1f} s = "
                          f"{serial_rates[d]:.0f} wearer-days/min" for d in day_counts) + "."]
    lines += ["", "## How the cost grows", "",
              "Least-squares fit of wall time against wearer-days over all cells "
              "(a: fixed cost per run, b: cost per wearer-day):", ""]
    xs = [c["wearer_days"] for c in cells]
    for n in (1, 2):
        a, b = fit(xs, [c["wall_s"][n] for c in cells])
        lines.append(f"* {n} worker{'s' if n > 1 else ''}: wall = {a:.2f} s + {b:.3f} s x "
                     f"wearer-days ({60 / b:.0f} wearer-days/min at scale)")
    lines += ["", "Per wearer-day, by days of history: wall seconds, the analyze_wearer_day "
              "time summed over tasks (wall time inside the workers), and the CPU seconds "
              "the worker processes used (all threads), each per wearer-day. CPU / wall with "
              "2 workers is how many cores the workers actually got on the shared machine:",
              "", "| days | wearers | 1 worker: wall s | task s | CPU s | "
              "2 workers: wall s | task s | CPU s | 2 workers: cores got |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c in cells:
        wd = c["wearer_days"]
        lines.append(f"| {c['days']} | {c['wearers']} | {c['wall_s'][1] / wd:.3f} | "
                     f"{c['task_s'][1] / wd:.3f} | {c['cpu_s'][1] / wd:.3f} | "
                     f"{c['wall_s'][2] / wd:.3f} | {c['task_s'][2] / wd:.3f} | "
                     f"{c['cpu_s'][2] / wd:.3f} | {c['cpu_s'][2] / c['wall_s'][2]:.2f} |")
    lines += ["", "## Database size", "",
              "| schema | wearer-days | rows | bytes (pg_total_relation_size, all tables) | "
              "bytes per wearer-day |", "|---|---:|---:|---:|---:|"]
    for d in day_counts:
        total = sum(sizes[d]["bytes"].values())
        rows = sum(sizes[d]["rows"].values())
        lines.append(f"| {n_w} wearers x {d} days | {n_w * d} | {rows} | {total:,} | "
                     f"{total / (n_w * d):,.0f} |")
    if len(day_counts) >= 2:
        d0, d1 = day_counts[0], day_counts[-1]
        added = n_w * (d1 - d0)
        grow = (sum(sizes[d1]["bytes"].values()) - sum(sizes[d0]["bytes"].values())) / added
        lines += ["", f"Growth from {d0} to {d1} days: {grow:,.0f} bytes per added wearer-day "
                  f"= {grow * 365 / 1e6:.1f} MB per wearer-year (365 days). By table, bytes "
                  "per added wearer-day:", ""]
        for t in sizes[d1]["bytes"]:
            delta = (sizes[d1]["bytes"][t] - sizes[d0]["bytes"][t]) / added
            rows = (sizes[d1]["rows"][t] - sizes[d0]["rows"][t]) / added
            if delta or rows:
                lines.append(f"* {t}: {delta:,.0f} bytes, {rows:.1f} rows")
    per_year = sum(v["bytes"] for k, v in year.items() if k != "days") * 365 / year["days"]
    lines += ["", f"A wearer-year measured: {names[0]}'s {n_d} analysed days copied "
              f"{year['days'] // n_d} times (days shifted) into a fresh schema, {year['days']} "
              f"days; alerts left out:", ""]
    for k, v in year.items():
        if k != "days":
            lines.append(f"* {k}: {v['rows']:,} rows, {v['bytes']:,} bytes")
    lines.append(f"* total: {per_year / 1e6:.2f} MB per wearer-year (365 days)")
    lines += ["", "## Raw log size (what the insoles hand over)", "",
              "A .swlog of both solewatch-16 insoles at 100 Hz with temperatures once a second, "
              "60 s measured:", ""]
    for r in rates:
        lines.append(f"* {r['link']}: {r['bytes_per_s']:,.0f} bytes/s = "
                     f"{r['mb_per_worn_day']:,.0f} MB per worn day ({WORN_H_PER_DAY:g} h) = "
                     f"{r['mb_per_24h']:,.0f} MB per 24 h")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
