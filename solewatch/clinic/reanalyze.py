"""Re-analysis of many wearers' recordings on a Dask cluster, written to PostgreSQL.

One task per **wearer** (all of that wearer's planned days, in calendar order), not one per
wearer-day. Why:

* the same result as the serial daily job. The daily alert rules (consecutive days,
  baselines) are judged over the wearer's whole stored history once all of its days are
  written (:func:`solewatch.daily.evaluate_history`), so only a task holding all of a
  wearer's days can end it; and alerts are keyed by their first day and updated by every
  later day that still sees them, so days are written in order, as
  :func:`solewatch.daily.run_daily` writes them;
* no two tasks write the same rows. Tasks of different wearers touch disjoint rows, so
  concurrent transactions never conflict (two concurrent first sightings of one alert would
  otherwise make one of them fail on the unique key);
* a clinic has far more wearers than a cluster has workers, so per-wearer tasks still keep
  every worker busy; the longest wearers are submitted first so that the last task to start
  is a short one.

Each task opens its own :class:`~solewatch.store.Store` from the URL (connections do not
travel between processes), runs :func:`solewatch.daily.analyze_wearer_day` for each day
(one transaction per wearer-day, retried while the database is unavailable), then
``evaluate_history``, and returns one small summary per day. A day that fails is reported
with wearer, day and reason (nothing of it is written) and the task goes on with the next
day; a day written without a recording it could not read (corrupt, changed since it was
registered, gone) is reported with that recording's reason; a task that fails as a whole
(the store cannot be opened, the worker died) reports each of its days. Re-analysis does not
ingest: new files are registered by ``solewatch daily``; their status is left as it is.

SQLite is refused: re-analysis writes from several processes at once, and an SQLite file
takes one writer at a time (the others would wait, then fail with "database is locked").
Use ``solewatch daily`` on SQLite; use PostgreSQL for a clinic.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from analysis.config import AnalysisConfig
from analysis.errors import SolewatchError
from solewatch.store import Store, resolve_url

#: Say "local" (or nothing) for a LocalCluster on this machine.
LOCAL: Final = "local"
#: How long to wait for a remote scheduler to answer, and for its workers, in s.
CONNECT_TIMEOUT_S: Final = 30.0
#: The longest reason kept per failure (a traceback's last line is what matters).
MAX_REASON_CHARS: Final = 500


class ClinicError(SolewatchError):
    """Re-analysis cannot start: a wrong URL or scheduler, SQLite, dask not installed."""


@dataclass(frozen=True)
class DayOutcome:
    """One wearer-day recomputed and written."""

    wearer: str
    day: date
    seconds: float  # wall time of analyze_wearer_day in the worker
    worker: str  # the worker process that ran it
    summary: dict[str, Any] = field(default_factory=dict)  # small scalars of the DayResult


@dataclass(frozen=True)
class DayFailure:
    """A wearer-day that failed (nothing of it written), or that was written without one of
    its recordings (``reason`` says which recording and why)."""

    wearer: str
    day: date
    reason: str

    def __str__(self) -> str:
        return f"{self.wearer} {self.day.isoformat()}: {self.reason}"


@dataclass
class ReanalysisReport:
    """What :func:`reanalyze` did: each planned wearer-day is in ``done`` or ``failed``."""

    store_url: str
    scheduler: str
    n_workers: int
    planned: list[tuple[str, date]]
    done: list[DayOutcome]
    failed: list[DayFailure]
    wall_s: float
    #: Days written without some of their recordings (corrupt, changed or gone): the reason
    #: for each recording left out.
    incomplete: list[DayFailure] = field(default_factory=list)
    #: Wearers whose daily alert rules could not be judged over the history, and why.
    history_failed: list[tuple[str, str]] = field(default_factory=list)
    #: Alerts of the daily rules opened by this run.
    alerts_opened: int = 0
    #: Recordings that could not be placed on a day (no start time), by wearer.
    unplaced: dict[str, int] = field(default_factory=dict)
    #: Connecting (or starting the LocalCluster) and importing the analysis on every worker,
    #: s; not part of ``wall_s``, which runs from the first task submitted to the last result.
    startup_s: float = 0.0

    @property
    def ok(self) -> bool:
        """Every planned day recomputed from all its recordings, every history judged."""
        return not (self.failed or self.incomplete or self.history_failed)

    @property
    def wearer_days_per_min(self) -> float:
        """Wearer-days recomputed (done or failed) per minute of wall time."""
        n = len(self.done) + len(self.failed)
        return 60.0 * n / self.wall_s if self.wall_s > 0 else float("nan")

    def summary(self) -> str:
        lines = [
            f"re-analysed {len(self.done)} of {len(self.planned)} wearer-days of "
            f"{len({w for w, _ in self.planned})} wearers in {self.wall_s:.1f} s "
            f"({self.wearer_days_per_min:.1f} wearer-days/min) on {self.n_workers} workers "
            f"({self.scheduler}; {self.startup_s:.1f} s to start) into {self.store_url}"
        ]
        if self.alerts_opened:
            lines.append(f"  {self.alerts_opened} alert(s) of the daily rules opened")
        lines += [f"  failed (nothing written): {f}" for f in self.failed]
        lines += [f"  written without a recording: {f}" for f in self.incomplete]
        lines += [f"  failed: {w}: {reason}" for w, reason in self.history_failed]
        for wearer, n in sorted(self.unplaced.items()):
            lines.append(f"  skipped: {wearer}: {n} recording(s) without a start time")
        return "\n".join(lines)


# -- planning -------------------------------------------------------------------------------


def plan_wearer_days(store: Store, *, wearers: Sequence[str] | None = None,
                     start: date | None = None, end: date | None = None
                     ) -> tuple[dict[str, list[date]], dict[str, int]]:
    """Each wearer's days that a registered recording overlaps (its local days, as
    :func:`solewatch.daily.recording_days` counts them; recordings marked failed are left
    out, as the daily job leaves them out), within ``start``..``end`` inclusive. Returns
    (days by wearer, in order; recordings without a start, by wearer)."""
    from solewatch.daily import recording_days

    names = list(dict.fromkeys(wearers)) if wearers else [w.name for w in store.wearers()]
    plan: dict[str, list[date]] = {}
    unplaced: dict[str, int] = {}
    for name in names:
        days: set[date] = set()
        for rec in store.recordings(name):
            if rec.status == "failed":  # unreadable when registered: the daily job skips it
                continue
            if rec.start_at is None:
                unplaced[name] = unplaced.get(name, 0) + 1
                continue
            days.update(d for d in recording_days(rec)
                        if (start is None or d >= start) and (end is None or d <= end))
        plan[name] = sorted(days)
    return plan, unplaced


# -- the task ------------------------------------------------------------------------------


def _small(value: Any) -> Any:
    """A scalar kept as it is; a collection as its length; anything else as its type name."""
    if value is None or isinstance(value, bool | int | float | str | date):
        return value
    if hasattr(value, "__len__"):
        return len(value)
    return type(value).__name__


def _summarise(result: Any) -> dict[str, Any]:
    if is_dataclass(result) and not isinstance(result, type):
        return {f.name: _small(getattr(result, f.name)) for f in fields(result)}
    if isinstance(result, dict):
        return {str(k): _small(v) for k, v in result.items()}
    return {"result": _small(result)}


def _reason(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 3] + "..."


def _unused(notes: Iterable[str]) -> list[str]:
    """The day's notes that say a recording could not be used (corrupt, changed, gone)."""
    return [n for n in notes if " not used: " in n]


def reanalyze_wearer(store_url: str, wearer: str, days: Sequence[date],
                     config: AnalysisConfig | None = None, at: datetime | None = None
                     ) -> dict[str, Any]:
    """The task run on a worker: recompute ``wearer``'s ``days`` in calendar order, each in
    its own transaction (:func:`solewatch.daily.analyze_wearer_day`, retried while the
    database is unavailable), then judge the daily alert rules over the wearer's stored
    history (:func:`solewatch.daily.evaluate_history`), exactly as the daily job does.

    Returns {"days": [one dict per day], "history": {...}}; a day's dict has "ok" and either
    "seconds", "summary", "unused" (reasons recordings were left out) or "reason".
    """
    from solewatch.daily import analyze_wearer_day, evaluate_history, with_retry

    worker = f"{os.uname().nodename}:{os.getpid()}"
    rows: list[dict[str, Any]] = []
    cache: dict[int, Any] = {}  # a recording spanning several days is read once
    with Store.open(store_url) as store:
        db = store.url
        for day in days:
            t0 = time.perf_counter()
            try:
                result = with_retry(
                    lambda d=day: analyze_wearer_day(store, wearer, d, config=config, at=at,
                                                     cache=cache),
                    what=f"writing {wearer} {day.isoformat()}", database=db)
            except Exception as exc:  # every failure is reported; the other days go on
                rows.append({"day": day, "ok": False, "reason": _reason(exc)})
                continue
            rows.append({"day": day, "ok": True, "worker": worker,
                         "seconds": time.perf_counter() - t0, "summary": _summarise(result),
                         "unused": _unused(result.notes)})
        try:
            opened, superseded = with_retry(
                lambda: evaluate_history(store, wearer, config=config, at=at),
                what=f"evaluating the alert rules of {wearer}", database=db)
            history = {"ok": True, "opened": len(opened), "superseded": len(superseded)}
        except Exception as exc:
            history = {"ok": False, "reason": _reason(exc)}
    return {"days": rows, "history": history}


# -- the cluster ---------------------------------------------------------------------------


def _warm_up() -> int:
    """Run once on every worker before the tasks: import what a task needs, so the first
    task's time is work, not imports."""
    import importlib

    for module in ("analysis.pipeline", "analysis.temperature", "firmware_bridge.readers",
                   "solewatch.daily"):
        importlib.import_module(module)

    return os.getpid()


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as e:
        raise ClinicError("re-analysis on a cluster needs dask.distributed: install the "
                          "clinic extra (pip install 'solewatch[clinic]')") from e
    return distributed


def _connect(scheduler: Any, n_workers: int | None, threads_per_worker: int
             ) -> tuple[Any, Any, str, int]:
    """(client, cluster or None, a description, workers). A LocalCluster for None/"local"."""
    distributed = _import_distributed()
    if scheduler is not None and not isinstance(scheduler, str):
        client = scheduler  # an existing distributed.Client
        return client, None, str(client.scheduler.address), len(client.scheduler_info()
                                                                ["workers"])
    if scheduler is None or scheduler == LOCAL:
        n = n_workers or os.cpu_count() or 1
        if n < 1 or threads_per_worker < 1:
            raise ClinicError(f"workers and threads per worker must be >= 1, found {n} and "
                              f"{threads_per_worker}")
        cluster = distributed.LocalCluster(
            n_workers=n, threads_per_worker=threads_per_worker, processes=True,
            dashboard_address=":0", silence_logs=logging.ERROR)
        try:
            client = distributed.Client(cluster)
        except BaseException:
            cluster.close()
            raise
        return client, cluster, f"LocalCluster {cluster.scheduler_address}", n
    if "://" not in scheduler:
        raise ClinicError(f"scheduler {scheduler!r}: give 'local' or an address such as "
                          "tcp://host:8786")
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as e:
        raise ClinicError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from e
    if n_workers:
        try:
            client.wait_for_workers(n_workers, timeout=CONNECT_TIMEOUT_S)
        except TimeoutError as e:
            client.close()
            raise ClinicError(f"the scheduler at {scheduler} did not get {n_workers} workers "
                              f"within {CONNECT_TIMEOUT_S:.0f} s") from e
    return client, None, scheduler, len(client.scheduler_info()["workers"])


def reanalyze(
    store_url: str,
    *,
    wearers: Iterable[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    scheduler: Any = None,
    n_workers: int | None = None,
    threads_per_worker: int = 1,
    config: AnalysisConfig | None = None,
) -> ReanalysisReport:
    """Recompute every wearer-day the store's recordings cover (or of ``wearers``, from
    ``start`` to ``end`` inclusive) on a Dask cluster and write it to the store.

    ``scheduler``: None or "local" starts a LocalCluster of ``n_workers`` processes (default:
    one per core) with ``threads_per_worker`` threads each, closed afterwards; an address
    ("tcp://host:8786") uses that cluster (``n_workers``, if given, is waited for); a
    ``distributed.Client`` is used as it is. The store must be PostgreSQL, migrated.
    """
    url = resolve_url(store_url)
    if url.get_backend_name() == "sqlite":
        raise ClinicError(
            f"re-analysis on a cluster writes from several processes at once; the SQLite "
            f"store {url.database} takes one writer at a time. Use a PostgreSQL store "
            "(postgresql+psycopg://...), or the serial daily job (solewatch daily) on SQLite")
    if start is not None and end is not None and end < start:
        raise ClinicError(f"the range ends ({end.isoformat()}) before it starts "
                          f"({start.isoformat()})")
    url_text = url.render_as_string(hide_password=False)
    with Store.open(url_text) as store:
        safe_url = store.url
        plan, unplaced = plan_wearer_days(store, wearers=list(wearers) if wearers else None,
                                          start=start, end=end)
    planned = [(w, d) for w, days in plan.items() for d in days]
    t_connect = time.perf_counter()
    client, cluster, described, n = _connect(scheduler, n_workers, threads_per_worker)
    done: list[DayOutcome] = []
    failed: list[DayFailure] = []
    incomplete: list[DayFailure] = []
    history_failed: list[tuple[str, str]] = []
    alerts_opened = 0
    now = datetime.now(UTC)  # one time stamp for every row this run writes
    try:
        distributed = _import_distributed()
        client.run(_warm_up)
        startup_s = time.perf_counter() - t_connect
        t0 = time.perf_counter()
        futures = {}
        # Longest wearers first: the last tasks to start are short ones.
        for rank, (wearer, days) in enumerate(sorted(plan.items(), key=lambda kv: -len(kv[1]))):
            if not days:
                continue
            fut = client.submit(reanalyze_wearer, url_text, wearer, days, config, now,
                                key=f"reanalyze-{wearer}-{time.time_ns()}", pure=False,
                                priority=-rank)
            futures[fut] = (wearer, days)
        for fut in distributed.as_completed(list(futures)):
            wearer, days = futures[fut]
            try:
                out = fut.result()
            except Exception as exc:  # the whole task failed: each of its days is reported
                failed.extend(DayFailure(wearer, d, f"task failed: {_reason(exc)}")
                              for d in days)
                continue
            for row in out["days"]:
                if not row["ok"]:
                    failed.append(DayFailure(wearer, row["day"], row["reason"]))
                    continue
                done.append(DayOutcome(wearer, row["day"], row["seconds"], row["worker"],
                                       row["summary"]))
                incomplete.extend(DayFailure(wearer, row["day"], u) for u in row["unused"])
            history = out["history"]
            if history["ok"]:
                alerts_opened += history["opened"]
            else:
                history_failed.append((wearer, f"evaluating the alert rules: "
                                               f"{history['reason']}"))
        wall_s = time.perf_counter() - t0
    finally:
        if cluster is not None:
            client.close()
            cluster.close()
        elif scheduler is None or isinstance(scheduler, str):
            client.close()
    done.sort(key=lambda o: (o.wearer, o.day))
    failed.sort(key=lambda f: (f.wearer, f.day))
    incomplete.sort(key=lambda f: (f.wearer, f.day))
    return ReanalysisReport(store_url=safe_url, scheduler=described, n_workers=n,
                            planned=planned, done=done, failed=failed, wall_s=wall_s,
                            incomplete=incomplete, history_failed=sorted(history_failed),
                            alerts_opened=alerts_opened, unplaced=unplaced,
                            startup_s=startup_s)


__all__ = [
    "LOCAL",
    "ClinicError",
    "DayFailure",
    "DayOutcome",
    "ReanalysisReport",
    "plan_wearer_days",
    "reanalyze",
    "reanalyze_wearer",
]
