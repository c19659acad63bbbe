"""The daily job: ingest new recordings, summarise each touched wearer-day, evaluate the alert
rules over the stored history. See docs/storage.md ("The daily job").

::

    store = Store.open(); store.migrate()
    report = run_daily(store)                 # every wearer's inbox, and recordings left "new"
    result = analyze_wearer_day(store, "ann", date(2026, 3, 9))   # one day, recomputed

Guarantees:

* **Idempotent.** Recordings are registered by SHA-256 (the same bytes are never ingested
  twice; a changed file under the same path is a new recording and replaces the old version in
  the analysis). Every write is an upsert on a natural key that only changes what differs, so a
  second run changes no row.
* **Late data.** A wearer-day is always recomputed from *every* recording of that wearer that
  overlaps it, so a recording arriving late for a past day re-evaluates that day; the alert
  rules then run over the whole stored history again.
* **Crash-safe.** One wearer-day (temperature rows, gait, pressure, balance, exercises,
  sample-rule alerts) is one transaction. A recording becomes "ingested" in the transaction of
  the last day it touches; killed before that, it stays "new" and the next run recomputes its
  days (the same values).
* **Retry.** A database that is unavailable (refused connection, a server restarting, SQLite
  locked beyond its busy timeout) is retried with backoff for :data:`DB_RETRY_TOTAL_S`; then
  :class:`DatabaseUnavailable` names the database. Nothing is half-written meanwhile.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final, TypeVar

import numpy as np
import sqlalchemy as sa

from analysis.alerts import (
    PEAK_PRESSURE,
    SAMPLE_RULES,
    SUDDEN_RISE,
    SUSTAINED_PRESSURE,
    UNSAFE_TEMPERATURE,
    Alert,
    merge_episodes,
    without_day,
)
from analysis.config import AnalysisConfig
from analysis.errors import DataProblem, InputError, SolewatchError
from analysis.pipeline import GAIT_SUMMARY_KEYS
from analysis.streams import TemperatureStream
from solewatch.store import Store, StoreError, sha256_of
from solewatch.store.models import (
    EXERCISE_KINDS,
    DailyGait,
    DailyTemperature,
    Recording,
    Wearer,
)

T = TypeVar("T")

#: How long the job keeps retrying a database that is unavailable before it gives up, s.
#: Source: engineering choice. A PostgreSQL restart (a package upgrade, a reboot of the
#: server) takes seconds to about a minute; SQLite's own busy timeout (5 s, store.py) covers
#: ordinary lock waits, this covers a lock held longer (a backup, a long dashboard export).
#: Two minutes rides out both while a scheduled run still ends well before the next one.
DB_RETRY_TOTAL_S: Final = 120.0
#: First wait between attempts, s; doubled after each failure up to DB_RETRY_MAX_WAIT_S.
#: Source: engineering choice (exponential backoff: fast recovery from a blip, little load on
#: a server that is starting up).
DB_RETRY_FIRST_WAIT_S: Final = 0.5
DB_RETRY_MAX_WAIT_S: Final = 10.0
#: An inbox file modified less than this long ago is left for the next run: it may still be
#: being written. Source: firmware_bridge.recording.RecordingWriter fsyncs at least every
#: few seconds while recording; 10 s is longer than that interval plus a copy of a day file.
INBOX_SETTLE_S: Final = 10.0
#: How often ``solewatch daily --watch`` looks at the inbox, s. Source: engineering choice;
#: daily summaries do not need to be fresher than a minute, and looking is cheap.
WATCH_POLL_S: Final = 60.0
#: Files in an inbox that are not recordings (notes, truth files, partial downloads).
INBOX_SKIP_SUFFIXES: Final = frozenset({".json", ".md", ".txt~", ".part", ".tmp", ".let",
                                        ".rit", ".ts"})
#: Test hook: seconds to sleep inside each wearer-day transaction (after its rows are written,
#: before commit), so a test can kill the job mid-write. Never set it in normal use.
PAUSE_ENV: Final = "SOLEWATCH_DAILY_PAUSE_IN_DAY"
INBOX_DIR: Final = "inbox"
SYSTEM_ACTOR: Final = "solewatch"
#: Daily rules whose alerts are about one foot AND one site or region: an alert the history no
#: longer supports is superseded only by a new alert of the same site (see evaluate_history).
SITE_KEYED_RULES: Final = frozenset({PEAK_PRESSURE})


def episode_gap_days(config: AnalysisConfig) -> dict[str, int]:
    """Sample rules whose day-by-day alerts are kept as one alert per episode across days
    (:func:`store_episode_alerts`), each with its gap setting in days. Sample rules not named
    here are stored one alert per day as before."""
    gap = int(config.temperature.episode_gap_days)
    return {SUSTAINED_PRESSURE: int(config.pressure.sustained_episode_gap_days),
            SUDDEN_RISE: gap, UNSAFE_TEMPERATURE: gap}


class DatabaseUnavailable(StoreError):
    """The database could not be reached within the retry time (the message names it)."""


@dataclass(frozen=True)
class DailySettings:
    """The job's own settings (engineering choices; see the constants for their reasons)."""

    retry_total_s: float = DB_RETRY_TOTAL_S
    retry_first_wait_s: float = DB_RETRY_FIRST_WAIT_S
    retry_max_wait_s: float = DB_RETRY_MAX_WAIT_S
    settle_s: float = INBOX_SETTLE_S


@dataclass
class DayResult:
    """What :func:`analyze_wearer_day` computed and stored for one wearer-day."""

    wearer: str
    day: date
    recordings: list[int]
    temperature_rows: int
    gait: bool
    pressure_rows: int
    alerts: list[Alert]
    notes: list[str] = field(default_factory=list)
    problems: list[DataProblem] = field(default_factory=list)
    #: The day's balance summary as stored (None: no quiet standing, no row).
    balance: dict[str, Any] | None = None
    #: Repetitions counted per exercise kind as stored (None: not examined, no rows).
    exercises: dict[str, int] | None = None

    @property
    def empty(self) -> bool:
        return not (self.temperature_rows or self.gait or self.pressure_rows)


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class DailyReport:
    """What one run of the job did."""

    ingested: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    days: list[tuple[str, date]] = field(default_factory=list)
    alerts_opened: list[Any] = field(default_factory=list)
    alerts_superseded: list[Any] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    #: Per wearer run, what the stored history lets one say on the wearer's local today
    #: (Store.status: {status, reasons, since, today, open_alerts, not_judged}).
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def incomplete(self) -> list[str]:
        """The wearers whose recent days could not all be judged (status "incomplete")."""
        return [w for w, st in self.statuses.items() if st["status"] == "incomplete"]

    @property
    def changed(self) -> bool:
        return bool(self.ingested or self.days or self.alerts_opened)


# -- retry ---------------------------------------------------------------------------------


def _transient(exc: BaseException) -> bool:
    """A database error that may go away: a lost or refused connection, a lock."""
    e: BaseException | None = exc
    while e is not None:
        if isinstance(e, sa.exc.DBAPIError):
            if e.connection_invalidated:
                return True
            if isinstance(e, sa.exc.OperationalError | sa.exc.InterfaceError):
                text = str(e.orig).lower()
                return not ("no such table" in text or "does not exist" in text
                            or "syntax error" in text)
            return False
        e = e.__cause__ or e.__context__
    return False


def with_retry(work: Callable[[], T], *, what: str, database: str,
               settings: DailySettings | None = None,
               log: Callable[[str], None] | None = None) -> T:
    """Run ``work`` (one whole transaction); when the database is unavailable, wait and run it
    again, up to ``settings.retry_total_s``; then raise :class:`DatabaseUnavailable`."""
    settings = settings or DailySettings()
    log = log or _stderr
    deadline = time.monotonic() + settings.retry_total_s
    wait = settings.retry_first_wait_s
    attempt = 0
    while True:
        attempt += 1
        try:
            return work()
        except (StoreError, sa.exc.DBAPIError) as exc:
            if not _transient(exc):
                raise
            left = deadline - time.monotonic()
            if left <= 0:
                raise DatabaseUnavailable(
                    f"the database {database} is unavailable ({_first_line(exc)}); gave up "
                    f"{what} after {attempt} attempt(s) over {settings.retry_total_s:g} s. "
                    "Nothing was half-written: run the job again when the database is back."
                ) from exc
            pause = min(wait, left)
            log(f"solewatch daily: the database {database} is unavailable while {what} "
                f"({_first_line(exc)}); retrying in {pause:.1f} s "
                f"({left:.0f} s of {settings.retry_total_s:g} s left)")
            time.sleep(pause)
            wait = min(wait * 2, settings.retry_max_wait_s)


def open_store(url: str | None, *, settings: DailySettings | None = None,
               log: Callable[[str], None] | None = None) -> Store:
    """Store.open + migrate, retried like the job's transactions."""
    from solewatch.store import resolve_url

    shown = resolve_url(url).render_as_string(hide_password=True)

    def work() -> Store:
        store = Store.open(url)
        try:
            store.migrate()
        except BaseException:
            store.close()
            raise
        return store

    return with_retry(work, what="opening the store", database=shown, settings=settings,
                      log=log)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- where recordings are --------------------------------------------------------------------


def inbox_root() -> Path:
    """``$SOLEWATCH_HOME/inbox``: one folder per wearer (``inbox/<wearer>/``)."""
    from firmware_bridge.ble.pairing import data_home

    return data_home() / INBOX_DIR


def wearer_inbox(wearer: str, *, create: bool = True) -> Path:
    """The wearer's inbox folder, created on first use."""
    folder = inbox_root() / wearer
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def inbox_files(folder: Path) -> list[Path]:
    """The recordings in an inbox folder: regular files, not hidden, not notes or partials."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".")
                  and p.suffix.lower() not in INBOX_SKIP_SUFFIXES)


# -- one recording ---------------------------------------------------------------------------


@dataclass
class _Loaded:
    rec_id: int
    recording: Any  # firmware_bridge.readers.Recording or None (unreadable now)
    reason: str = ""


def _span(rec: Recording) -> tuple[datetime, datetime] | None:
    """Start and end of a registered recording, in its own local time (None: unknown)."""
    if rec.start_at is None:
        return None
    tz = timezone(timedelta(minutes=rec.start_offset_min or 0))
    start = rec.start_at.astimezone(tz)
    return start, start + timedelta(seconds=float(rec.duration_s or 0.0))


def recording_days(rec: Recording) -> list[date]:
    """The local calendar days a registered recording overlaps (its own UTC offset)."""
    span = _span(rec)
    if span is None:
        return []
    start, end = span
    if end > start:
        end = end - timedelta(microseconds=1)  # a recording ending at midnight: not the next day
    n = (end.date() - start.date()).days
    return [start.date() + timedelta(days=i) for i in range(n + 1)]


def _streams_extent(loaded: Any) -> tuple[datetime | None, float | None]:
    starts, ends = [], []
    for s in (loaded.pressure, loaded.temperature):
        if s is None or s.start is None or not s.time_s.size:
            continue
        starts.append(s.start)
        ends.append(s.start + timedelta(seconds=float(s.time_s[-1])))
    if not starts:
        return None, None
    first = min(starts)
    return first, max(0.0, (max(ends) - first).total_seconds())


def _kind(loaded: Any) -> str:
    kinds = [k for k, s in (("pressure", loaded.pressure), ("temperature", loaded.temperature))
             if s is not None]
    return "+".join(kinds) or "empty"


# -- one wearer-day --------------------------------------------------------------------------


def _day_bounds(day: date, tz: timezone) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    return start, start + timedelta(days=1)


def _temperature_of_day(streams: list[TemperatureStream], day: date,
                        tz: timezone) -> TemperatureStream | None:
    """Every sample of ``day`` (local, ``tz``) from all streams, on one clock."""
    day_start, _ = _day_bounds(day, tz)
    times, values = [], []
    for s in streams:
        shift = (s.start - day_start).total_seconds()
        t = s.time_s + shift
        keep = (t >= 0.0) & (t < 86400.0)
        if keep.any():
            times.append(t[keep])
            values.append(s.values_c[keep])
    if not times:
        return None
    t = np.concatenate(times)
    v = np.concatenate(values).astype(np.float64)
    order = np.argsort(t, kind="stable")
    t, v = t[order], v[order]
    uniq, first = np.unique(t, return_index=True)
    if uniq.size != t.size:  # the same instant in two recordings: keep finite readings
        out = v[first].copy()
        idx = np.searchsorted(uniq, t)
        for i in range(t.size):
            fill = ~np.isfinite(out[idx[i]]) & np.isfinite(v[i])
            out[idx[i]][fill] = v[i][fill]
        t, v = uniq, out
    t0 = float(t[0])
    return TemperatureStream(time_s=t - t0, values_c=v,
                             start=day_start + timedelta(seconds=t0),
                             source=f"{len(times)} recording(s) of {day.isoformat()}")


def _current_recordings(s: Any, wearer_id: int) -> list[Recording]:
    """The wearer's usable recordings: not failed, and per path only the newest version."""
    recs = list(s.scalars(sa.select(Recording).where(
        Recording.wearer_id == wearer_id, Recording.status != "failed")
        .order_by(Recording.id)))
    newest: dict[str, Recording] = {}
    for r in recs:
        newest[r.path] = r
    return sorted(newest.values(), key=lambda r: r.id)


def _load_recording(rec: Recording, cache: dict[int, _Loaded] | None) -> _Loaded:
    from firmware_bridge.readers import load_input

    if cache is not None and rec.id in cache:
        return cache[rec.id]
    try:
        if not Path(rec.path).exists():
            out = _Loaded(rec.id, None, f"{rec.path}: the file is gone")
        elif sha256_of(rec.path) != rec.sha256:
            out = _Loaded(rec.id, None, f"{rec.path}: the file changed since it was registered "
                          "(its new version is a new recording)")
        else:
            out = _Loaded(rec.id, load_input(rec.path))
    except InputError as exc:
        out = _Loaded(rec.id, None, str(exc))
    except OSError as exc:  # a folder where the file was, no permission, a read error
        out = _Loaded(rec.id, None, f"{rec.path}: cannot read: {exc.strerror or exc}")
    if cache is not None:
        cache[rec.id] = out
    return out


def balance_summary(intervals: Sequence[Any]) -> dict[str, Any] | None:
    """A day's balance from its quiet-standing intervals (``GaitResult.balance``, one
    ``analysis.gait.balance.BalanceResult`` each): how many, how many on one leg, their total
    seconds, and the median of each sway measure over the intervals (a median, so one restless
    interval does not move the day). None when there was no quiet standing: no row, not zeros.
    """
    if not intervals:
        return None

    def median(name: str) -> float | None:
        values = np.array([getattr(b, name) for b in intervals], dtype=np.float64)
        values = values[np.isfinite(values)]
        return float(np.median(values)) if values.size else None

    return {
        "quiet_standing_intervals": len(intervals),
        "one_leg_intervals": sum(len(b.feet) == 1 for b in intervals),
        "quiet_standing_s": float(sum(b.duration_s for b in intervals)),
        "ellipse95_area_mm2": median("ellipse95_area_mm2"),
        "mean_velocity_mm_s": median("mean_velocity_mm_s"),
        "ap_velocity_mm_s": median("ap_velocity_mm_s"),
        "ml_velocity_mm_s": median("ml_velocity_mm_s"),
    }


def exercise_counts(exercises: dict[str, Any]) -> dict[str, int] | None:
    """``{kind: repetitions}`` from ``count_exercises`` output (``GaitResult.exercises``);
    None when the insole could not recognise exercises (the dict is empty)."""
    if not exercises:
        return None
    return {kind: int(exercises[key]) for kind, key in EXERCISE_KINDS.items()}


def analyze_wearer_day(store: Store, wearer: str, day: date, *,
                       config: AnalysisConfig | None = None,
                       mark_ingested: Iterable[int] = (),
                       at: datetime | None = None,
                       cache: dict[int, Any] | None = None) -> DayResult:
    """Recompute one wearer-day from every recording of ``wearer`` that overlaps ``day`` and
    store it in ONE transaction (temperature rows, gait, pressure, balance, exercises,
    sample-rule alerts): all of it or nothing. Safe to call again: unchanged values leave the
    rows untouched.

    ``mark_ingested``: recording ids to mark "ingested" in the same transaction.
    ``cache``: loaded recordings by id, shared between calls of one run (optional).
    The daily alert rules (consecutive days, baselines) are not judged here; see
    :func:`evaluate_history`.
    """
    from analysis.pipeline import analyze
    from analysis.temperature import analyze_temperature

    config = config or AnalysisConfig()
    now = at or datetime.now(UTC)
    with store.transaction() as s:
        w = s.scalar(sa.select(Wearer).where(Wearer.name == wearer))
        if w is None:
            raise StoreError(f"no wearer named {wearer!r} in the store")
        recs = [r for r in _current_recordings(s, w.id) if day in recording_days(r)]
    notes: list[str] = []
    problems: list[DataProblem] = []
    temps: list[TemperatureStream] = []
    pressures: list[tuple[float, Any, int]] = []
    used: list[int] = []
    tz: timezone | None = None
    problems_of: dict[int, list[DataProblem]] = {}
    for r in recs:
        got = _load_recording(r, cache)
        if got.recording is None:
            notes.append(f"recording {r.id} not used: {got.reason}")
            continue
        used.append(r.id)
        if tz is None:
            tz = timezone(timedelta(minutes=r.start_offset_min or 0))
        problems.extend(got.recording.problems)
        problems_of[r.id] = list(got.recording.problems)
        if got.recording.temperature is not None:
            temps.append(got.recording.temperature)
        p = got.recording.pressure
        if p is not None and p.start is not None:
            local = p.start.astimezone(timezone(timedelta(minutes=r.start_offset_min or 0)))
            if local.date() == day:
                pressures.append((p.duration_s, p, r.id))
    temperature_rows: list[dict[str, Any]] = []
    alerts: list[Alert] = []
    judged: set[str] = set()  # sample rules evaluated on this day's data
    gait = pressure = balance = exercises = None
    movement_analysed = False
    if temps and tz is not None:
        stream = _temperature_of_day(temps, day, tz)
        if stream is not None:
            result = analyze_temperature(stream, config.temperature)
            temperature_rows = [r for r in result.daily if r["date"] == day]
            alerts += [a for a in result.alerts if a.rule in SAMPLE_RULES]
            if result.mode == "bilateral":
                judged.add(SUDDEN_RISE)
            judged.add(UNSAFE_TEMPERATURE)
    if pressures:
        # Several pressure recordings on one day: the longest one is summarised (gait
        # summaries of separate recordings are not averaged; see docs/storage.md).
        _, p, rid = max(pressures, key=lambda x: (x[0], -x[2]))
        if len(pressures) > 1:
            notes.append(f"{len(pressures)} pressure recordings on {day.isoformat()}: the "
                         f"longest (recording {rid}) is summarised")
        result = analyze(pressure=p, source=p.source, config=config)
        if result.gait is not None:
            gait = {k: result.gait.summary.get(k) for k in GAIT_SUMMARY_KEYS}
            balance = balance_summary(result.gait.balance)
            exercises = exercise_counts(result.gait.exercises)
            movement_analysed = True
        pressure = result.pressure
        alerts += [a for a in result.alerts if a.rule in SAMPLE_RULES and a.first_day]
        if result.pressure is not None:
            judged.add(SUSTAINED_PRESSURE)
    pause = float(os.environ.get(PAUSE_ENV, "0") or 0)
    mark = list(mark_ingested)
    with store.transaction():
        store.write_day(wearer, day, temperature_rows=temperature_rows, gait=gait,
                        pressure=pressure, balance=balance, exercises=exercises, at=now)
        store_episode_alerts(store, wearer, day, alerts, gaps=episode_gap_days(config),
                             judged=judged, at=now)
        if movement_analysed:  # recomputed: a day without them keeps no earlier rows
            if balance is None:
                store.delete_daily_balance(wearer, day)
            if exercises is None:
                store.delete_daily_exercise(wearer, day)
        for rid in mark:  # the data problems are kept with the recording
            store.set_recording_status(rid, "ingested", at=now,
                                       reason=_problems_text(problems_of.get(rid, [])))
        if pause > 0:
            _stderr(f"solewatch daily: pausing {pause:g} s inside the transaction of "
                    f"{wearer} {day.isoformat()} ({PAUSE_ENV})")
            time.sleep(pause)
    n_pressure = sum(len(v) for v in (pressure or {}).values())
    return DayResult(wearer=wearer, day=day, recordings=used,
                     temperature_rows=len(temperature_rows), gait=gait is not None,
                     pressure_rows=n_pressure, alerts=alerts, notes=notes, problems=problems,
                     balance=balance, exercises=exercises)


def store_episode_alerts(store: Store, wearer: str, day: date, alerts: Sequence[Alert], *,
                         gaps: dict[str, int], judged: Iterable[str] = (),
                         at: datetime | None = None) -> list[Any]:
    """Store one day's sample-rule alerts, one alert per episode across days.

    ``gaps``: the rules merged across days and their gap in days (:func:`episode_gap_days`);
    alerts of other rules are stored as they are (one per rule, foot, site and day).
    ``judged``: the merged rules whose data this day was evaluated for: their stored rows of
    ``day`` are replaced by ``alerts`` (a recomputed day is never counted twice, and a day
    whose data is unreadable now keeps what was found before). The stored alerts of the same
    rule, foot and site are merged with the day's (:func:`analysis.alerts.merge_episodes`):
    the day's stretch extends the alert of a nearby day (its days grow, its message and
    latest values update, its status is kept) instead of opening a new one. An open alert
    that is no longer an episode of its own (a late day joined it to an earlier one, or its
    only day no longer shows it) is resolved by "solewatch" with a note saying why.
    Runs inside the caller's transaction when there is one. Returns the stored alerts.
    """
    now = at or datetime.now(UTC)
    plain = [a for a in alerts if a.rule not in gaps]
    stored = store.upsert_alerts(wearer, plain, at=now)
    redo = set(judged) & set(gaps)
    if not redo and not any(a.rule in gaps for a in alerts):
        return stored
    with store.transaction():
        existing = [a for a in store.alerts(wearer) if a.rule in gaps]
        pool: list[Alert] = []
        for old in existing:
            kept = without_day(old.alert, day) if old.rule in redo else old.alert
            if kept is not None:
                pool.append(kept)
        pool += [a for a in alerts if a.rule in gaps]
        merged: list[Alert] = []
        for rule, gap in gaps.items():
            merged += merge_episodes([a for a in pool if a.rule == rule], gap_days=gap)
        now_stored = store.upsert_alerts(wearer, merged, at=now)
        by_key = {(a.rule, a.foot, a.site, a.first_day): a for a in now_stored}
        for old in existing:
            if (old.rule, old.foot, old.site, old.first_day) in by_key or old.status != "open":
                continue
            into = next((a for a in now_stored if (a.rule, a.foot, a.site)
                         == (old.rule, old.foot, old.site)
                         and _alert_days(old.evidence, old.first_day)
                         & _alert_days(a.evidence, a.first_day)), None)
            note = (f"merged into alert {into.id} (from {into.first_day.isoformat()}): the "
                    "same episode" if into is not None else
                    f"no longer found when {day.isoformat()} was recomputed")
            store.resolve_alert(old.id, by=SYSTEM_ACTOR, at=now, note=note)
    return stored + now_stored


def _problems_text(problems: list[DataProblem]) -> str:
    if not problems:
        return ""
    return f"{len(problems)} data problem(s), the rest kept: " + "; ".join(map(str, problems))


# -- the history -----------------------------------------------------------------------------


def _history_rows(store: Store, wearer: str) -> list[dict[str, Any]]:
    return analysis_rows(store.daily_temperature(wearer))


def analysis_rows(stored: Iterable[Any]) -> list[dict[str, Any]]:
    """Stored daily temperature rows as the analysis' daily rows (DailyTable.from_rows):
    a missing value is NaN."""
    nan = float("nan")
    rows = []
    for r in stored:
        rows.append({"date": r.day, "site": r.site,
                     "left_c": nan if r.left_c is None else r.left_c,
                     "right_c": nan if r.right_c is None else r.right_c,
                     "delta_c": nan if r.delta_c is None else r.delta_c,
                     "minutes": r.minutes, "enough": bool(r.enough),
                     "room_c": nan if r.room_c is None else r.room_c})
    return rows


def _pressure_rows(store: Store, wearer: str) -> list[dict[str, Any]]:
    """The stored daily step-peak rows the peak_pressure rule judges (pressure basis only)."""
    return [{"date": r.day, "foot": r.foot, "region": r.region,
             "step_peak_kpa": r.step_peak_kpa, "steps": r.steps}
            for r in store.daily_pressure(wearer) if r.basis == "pressure"]


def evaluate_history(store: Store, wearer: str, *, config: AnalysisConfig | None = None,
                     at: datetime | None = None) -> tuple[list[Any], list[Any]]:
    """Judge the daily alert rules over the wearer's whole stored history (the baseline
    offsets come from the first days; runs need consecutive days) and store the alerts.

    Returns (alerts opened now, alerts superseded now). An alert keeps any status a person
    gave it. An open alert of a daily rule that the history no longer supports because late
    data moved its episode (a new alert of the same rule and foot overlaps its days) is
    resolved by "solewatch" with a note naming the alert that replaces it.
    """
    from analysis.pressure_rules import peak_pressure_alerts
    from analysis.temperature import DailyTable, evaluate_rules, learn_offsets

    config = config or AnalysisConfig()
    now = at or datetime.now(UTC)
    with store.transaction():
        rows = _history_rows(store, wearer)
        before = {a.id: a for a in store.alerts(wearer)}
        found: list[Alert] = []
        if rows:
            table = DailyTable.from_rows(rows)
            offsets = learn_offsets(table, config.temperature)
            found = evaluate_rules(table, config.temperature, offsets=offsets)
        found += peak_pressure_alerts(_pressure_rows(store, wearer), config.pressure)
        stored = store.upsert_alerts(wearer, found, at=now)
        opened = [a for a in stored if a.id not in before]
        kept = {a.id for a in stored}
        superseded = []
        for old in before.values():
            if old.id in kept or old.status != "open" or old.rule in SAMPLE_RULES:
                continue
            old_days = _alert_days(old.evidence, old.first_day)
            for new in stored:
                if (new.rule, new.foot) == (old.rule, old.foot) and \
                        (old.rule not in SITE_KEYED_RULES or new.site == old.site) and \
                        old_days & _alert_days(new.evidence, new.first_day):
                    superseded.append(store.resolve_alert(
                        old.id, by=SYSTEM_ACTOR, at=now,
                        note=f"superseded by alert {new.id} (from "
                             f"{new.first_day.isoformat()}): data that arrived later "
                             "changed the days of this episode"))
                    break
    return opened, superseded


def _alert_days(evidence: dict[str, Any], first: date) -> set[date]:
    days = {first}
    for d in evidence.get("days", []) or []:
        value = d.get("date") if isinstance(d, dict) else d
        if isinstance(value, str):
            try:
                days.add(date.fromisoformat(value[:10]))
            except ValueError:
                pass
        elif isinstance(value, date):
            days.add(value)
    return days


# -- the run ---------------------------------------------------------------------------------


def _register(store: Store, wearer: str, path: Path, report: DailyReport,
              now: datetime) -> Recording | None:
    """Register one file; unreadable -> registered as failed with the reason."""
    from firmware_bridge.readers import load_input

    try:
        digest = sha256_of(path)
    except OSError as exc:
        report.skipped.append(Skipped(str(path), f"cannot read: {exc}"))
        return None
    with store.transaction() as s:
        found = s.scalar(sa.select(Recording).where(Recording.sha256 == digest))
        if found is not None:
            owner = s.get(Wearer, found.wearer_id)
            if owner is not None and owner.name != wearer:
                report.skipped.append(Skipped(str(path), (
                    f"the same bytes are already registered for wearer {owner.name!r} "
                    f"(as {found.path})")))
            else:
                report.already.append(str(path))
            return None
    try:
        loaded = load_input(path)
        reason = ""
    except InputError as exc:
        loaded, reason = None, str(exc)
    except (OSError, EOFError, ValueError) as exc:  # a reader that did not wrap its error
        loaded, reason = None, f"{path}: cannot read: {exc}"
    with store.transaction():
        if loaded is None:
            rec = store.register_recording(wearer, path.resolve(), sha256=digest,
                                           kind="unreadable", at=now)
            store.set_recording_status(rec.id, "failed", reason=reason, at=now)
            report.skipped.append(Skipped(str(path), reason))
            return None
        start, duration = _streams_extent(loaded)
        rec = store.register_recording(wearer, path.resolve(), sha256=digest,
                                       kind=_kind(loaded), start=start,
                                       duration_s=duration, at=now)
        if start is None:
            reason = (f"{path}: the recording has no wall-clock start, so it cannot be placed "
                      "on a day of the history")
            store.set_recording_status(rec.id, "failed", reason=reason, at=now)
            report.skipped.append(Skipped(str(path), reason))
            return None
    if loaded.problems:
        report.problems[str(path)] = [str(p) for p in loaded.problems]
    return rec


def _wearers_to_run(store: Store, wearers: Sequence[str] | None, inbox: Path | None
                    ) -> list[str]:
    if wearers:
        return list(dict.fromkeys(wearers))
    names = {w.name for w in store.wearers()}
    root = inbox_root()
    if inbox is None and root.is_dir():
        names |= {p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")}
    return sorted(names)


def sync_pairings(store: Store, pairings: dict[str, Any], *, now: datetime) -> list[str]:
    """Mirror the BLE pairings (``firmware_bridge.ble.pairing.PairingStore().load()``) into the
    store's devices and pairings tables; returns what changed, one line each.

    The pairings file stays the one place `solewatch pair`/`unpair` write; the store records
    its history (which insole was on which foot from when to when) for the clinician. A wearer
    whose pairing was removed from the file has the store's pairings ended at ``now``.
    """
    changes = []
    for wearer, pairing in sorted(pairings.items()):
        store.ensure_wearer(wearer)
        paired_at = (datetime.fromtimestamp(pairing.paired_unix_s, UTC)
                     if pairing.paired_unix_s else now)
        current = {p.foot: p for p in store.pairings(wearer)}
        for foot in ("left", "right"):
            insole = pairing.insole(foot)
            store.add_device(insole.address, side=foot, name=insole.name or None, at=paired_at)
            p = current.get(foot)
            if p is None or store.get_device(insole.address).id != p.device_id:
                store.pair_device(wearer, insole.address, foot, at=paired_at,
                                  bonded=insole.bonded, bond_note=insole.bond_note)
                changes.append(f"{wearer}: {foot} insole {insole.address} paired")
    for w in store.wearers():
        if w.name not in pairings:
            for foot in ("left", "right"):
                if store.unpair(w.name, foot, at=now):
                    changes.append(f"{w.name}: {foot} insole unpaired")
    return changes


def run_daily(store: Store, *, wearers: Sequence[str] | None = None,
              inbox: str | os.PathLike[str] | None = None,
              paths: Sequence[str | os.PathLike[str]] = (),
              config: AnalysisConfig | None = None, now: datetime | None = None,
              settings: DailySettings | None = None,
              log: Callable[[str], None] | None = None,
              pairings: dict[str, Any] | None = None) -> DailyReport:
    """Ingest, summarise, evaluate (see the module docstring). ``inbox`` and ``paths`` belong
    to the one wearer in ``wearers``; without them every wearer's ``inbox/<wearer>/`` is read.
    ``pairings``: the BLE pairings to mirror into the store first (see :func:`sync_pairings`).
    """
    config = config or AnalysisConfig()
    settings = settings or DailySettings()
    now = now or datetime.now(UTC)
    log = log or _stderr
    report = DailyReport()
    names = _wearers_to_run(store, wearers, Path(inbox) if inbox else None)
    if (inbox is not None or paths) and len(names) != 1:
        raise SolewatchError("an inbox folder or explicit paths belong to one wearer: give "
                             f"exactly one --wearer (found {names or 'none'})")
    db = store.url

    def retry(work: Callable[[], T], what: str) -> T:
        return with_retry(work, what=what, database=db, settings=settings, log=log)

    if pairings is not None:
        for line in retry(lambda: sync_pairings(store, pairings, now=now), "syncing pairings"):
            log(f"pairing   {line}")
    for wearer in names:
        retry(lambda w=wearer: store.ensure_wearer(w), f"adding wearer {wearer}")
        files: list[Path] = []
        if inbox is not None:
            files += inbox_files(Path(inbox))
        elif not paths:
            files += inbox_files(wearer_inbox(wearer))
        files += [Path(p) for p in paths]
        wall = time.time()
        for f in files:
            try:
                young = wall - f.stat().st_mtime < settings.settle_s
            except OSError as exc:
                report.skipped.append(Skipped(str(f), f"cannot read: {exc}"))
                continue
            if young and not paths:
                report.skipped.append(Skipped(str(f), (
                    f"modified less than {settings.settle_s:g} s ago (may still be being "
                    "written); left for the next run")))
                continue
            retry(lambda f=f, w=wearer: _register(store, w, f, report, now),
                  f"registering {f}")
        _process_wearer(store, wearer, report, config, now, retry)
    return report


def _process_wearer(store: Store, wearer: str, report: DailyReport, config: AnalysisConfig,
                    now: datetime, retry: Callable[[Callable[[], Any], str], Any]) -> None:
    def state() -> tuple[list[Recording], set[date]]:
        with store.transaction() as s:
            w = s.scalar(sa.select(Wearer).where(Wearer.name == wearer))
            assert w is not None
            current = _current_recordings(s, w.id)
            stored = set(s.scalars(sa.select(DailyTemperature.day).where(
                DailyTemperature.wearer_id == w.id).distinct()))
            stored |= set(s.scalars(sa.select(DailyGait.day).where(
                DailyGait.wearer_id == w.id)))
            # Older versions of a path still "new" are replaced by the newest: mark them.
            newest = {r.id for r in current}
            for r in s.scalars(sa.select(Recording).where(
                    Recording.wearer_id == w.id, Recording.status == "new")):
                if r.id not in newest:
                    store.set_recording_status(r.id, "ingested", at=now)
            return current, stored

    current, stored_days = retry(state, f"reading the recordings of {wearer}")
    new = [r for r in current if r.status == "new"]
    touched: dict[date, list[int]] = {}
    for r in new:
        days = recording_days(r)
        for d in days:
            touched.setdefault(d, [])
        if days:
            touched[max(days)].append(r.id)  # ingested with the last day it touches
    for r in current:  # days of ingested recordings whose rows are missing
        if r.status == "ingested":
            for d in recording_days(r):
                if d not in stored_days:
                    touched.setdefault(d, [])
    cache: dict[int, Any] = {}
    failed_days: set[date] = set()
    for day in sorted(touched):
        try:
            result = retry(lambda d=day: analyze_wearer_day(
                store, wearer, d, config=config, mark_ingested=touched[d], at=now,
                cache=cache), f"writing {wearer} {day.isoformat()}")
        except DatabaseUnavailable:
            raise
        except SolewatchError as exc:  # this day only: nothing of it stored; the rest go on
            report.errors.append(f"{wearer} {day.isoformat()}: not stored: {exc}")
            failed_days.add(day)
            continue
        report.days.append((wearer, day))
        for note in result.notes:
            report.problems.setdefault(f"{wearer} {day.isoformat()}", []).append(note)
    for r in new:
        if not failed_days & set(recording_days(r)):
            report.ingested.append(r.path)
    opened, superseded = retry(lambda: evaluate_history(store, wearer, config=config, at=now),
                               f"evaluating the alert rules of {wearer}")
    report.alerts_opened += opened
    report.alerts_superseded += superseded
    report.statuses[wearer] = retry(
        lambda: store.status(wearer, store.wearer_today(wearer, now),
                             min_minutes=config.temperature.daily_min_minutes),
        f"reading the status of {wearer}")


def watch(store: Store, *, interval_s: float = WATCH_POLL_S, max_runs: int | None = None,
          stop_after_s: float | None = None,
          on_report: Callable[[DailyReport], None] | None = None, **kwargs: Any) -> int:
    """Run the job, then again whenever the inbox folders change (looked at every
    ``interval_s``); ``max_runs`` / ``stop_after_s`` bound it (tests). Returns runs done."""
    runs = 0
    started = time.monotonic()
    last: tuple | None = None
    while True:
        seen = _inbox_state(kwargs.get("inbox"), kwargs.get("wearers"))
        if seen != last:
            report = run_daily(store, **kwargs)
            runs += 1
            if on_report:
                on_report(report)
            # Files left for later (still settling) must be looked at again.
            settling = any("left for the next run" in s.reason for s in report.skipped)
            last = None if settling else seen
        if max_runs is not None and runs >= max_runs:
            return runs
        if stop_after_s is not None and time.monotonic() - started >= stop_after_s:
            return runs
        time.sleep(interval_s)


def _inbox_state(inbox: Any, wearers: Sequence[str] | None) -> tuple:
    folders = [Path(inbox)] if inbox else (
        [inbox_root() / w for w in wearers] if wearers else
        [p for p in inbox_root().iterdir() if p.is_dir()] if inbox_root().is_dir() else [])
    out = []
    for folder in folders:
        for f in inbox_files(folder):
            try:
                st = f.stat()
            except OSError:
                continue
            out.append((str(f), st.st_size, st.st_mtime_ns))
    return tuple(sorted(out))


__all__ = [
    "DB_RETRY_TOTAL_S",
    "INBOX_SETTLE_S",
    "WATCH_POLL_S",
    "DailyReport",
    "DailySettings",
    "DatabaseUnavailable",
    "DayResult",
    "analyze_wearer_day",
    "balance_summary",
    "episode_gap_days",
    "evaluate_history",
    "exercise_counts",
    "inbox_root",
    "open_store",
    "recording_days",
    "run_daily",
    "store_episode_alerts",
    "watch",
    "wearer_inbox",
    "with_retry",
]


# -- command line ----------------------------------------------------------------------------

#: Exit codes of ``solewatch daily``.
EXIT_OK = 0            # everything given was ingested or was already there
EXIT_SKIPPED = 1       # the run completed, but some recordings or days were skipped (why printed)
EXIT_USAGE = 2         # bad arguments
EXIT_DATABASE = 3      # the database was unavailable for longer than the retry time


def print_report(report: DailyReport, out: Any = None) -> None:
    out = out or sys.stdout
    p = lambda text: print(text, file=out, flush=True)  # noqa: E731
    for path in report.ingested:
        p(f"ingested  {path}")
    for s in report.skipped:
        p(f"skipped   {s.path}: {s.reason}")
    for where, items in report.problems.items():
        for item in items[:5]:
            p(f"problem   {where}: {item}")
        if len(items) > 5:
            p(f"problem   {where}: ... and {len(items) - 5} more")
    for wearer, day in report.days:
        p(f"day       {wearer} {day.isoformat()} recomputed")
    for a in report.alerts_opened:
        where = " ".join(x for x in (a.foot, a.site) if x)
        confirmed = f", confirmed {a.confirmed_day.isoformat()}" if a.confirmed_day else ""
        p(f"alert     {a.wearer}: {a.rule} {where} from {a.first_day.isoformat()}{confirmed} "
          f"(alert {a.id}, open)")
    for a in report.alerts_superseded:
        p(f"resolved  {a.wearer}: alert {a.id} superseded (late data moved its episode)")
    for e in report.errors:
        p(f"error     {e}")
    for wearer, st in report.statuses.items():
        if st["status"] != "quiet":  # attention and incomplete say why
            p(f"status    {wearer}: {st['status']} on {st['today']}: "
              + "; ".join(st["reasons"]))
    p(f"summary   {len(report.ingested)} ingested, {len(report.skipped)} skipped, "
      f"{len(report.already)} already in the store, {len(report.days)} day(s) recomputed, "
      f"{len(report.alerts_opened)} alert(s) opened, {len(report.incomplete)} wearer(s) "
      "incomplete")


def cmd_daily(args: Any) -> int:
    from solewatch.settings import load_config

    try:
        config = load_config(args.config) if args.config else AnalysisConfig()
    except SolewatchError as exc:
        _stderr(f"solewatch daily: {exc}")
        return EXIT_USAGE
    wearers = args.wearer or None
    if (args.inbox or args.paths) and (not wearers or len(wearers) != 1):
        _stderr("solewatch daily: --inbox and PATH... need exactly one --wearer (whose "
                "recordings they are)")
        return EXIT_USAGE
    settings = DailySettings(retry_total_s=args.retry_for, settle_s=args.settle)
    try:
        store = open_store(args.db, settings=settings)
    except DatabaseUnavailable as exc:
        _stderr(f"solewatch daily: {exc}")
        return EXIT_DATABASE
    from firmware_bridge.ble.pairing import PairingStore

    try:
        pairings = PairingStore().load()  # $SOLEWATCH_HOME/pairings.json, written by `pair`
    except SolewatchError as exc:
        _stderr(f"solewatch daily: pairings not mirrored: {exc}")
        pairings = None
    kwargs = dict(wearers=wearers, inbox=args.inbox, paths=args.paths, config=config,
                  settings=settings, pairings=pairings)
    status = EXIT_OK
    try:
        if args.watch:
            def show(report: DailyReport) -> None:
                nonlocal status
                print_report(report)
                if report.skipped or report.errors:
                    status = EXIT_SKIPPED
            watch(store, interval_s=args.poll, stop_after_s=args.watch_for,
                  on_report=show, **kwargs)
            return status
        report = run_daily(store, **kwargs)
        print_report(report)
        return EXIT_SKIPPED if report.skipped or report.errors else EXIT_OK
    except DatabaseUnavailable as exc:
        _stderr(f"solewatch daily: {exc}")
        return EXIT_DATABASE
    finally:
        store.close()


def add_parser(sub: Any) -> None:
    """Register ``solewatch daily`` on the CLI's subparsers."""
    p = sub.add_parser(
        "daily", help="ingest new recordings, update daily summaries and alerts",
        description="Ingest new recordings (the wearer's inbox $SOLEWATCH_HOME/inbox/WEARER/, "
        "--inbox DIR, or PATHs), recompute every day they touch, evaluate the alert rules "
        "over the stored history. Idempotent: running it again changes nothing. Exit codes: "
        "0 done; 1 done but some recordings or days skipped (reasons printed); 2 usage; 3 the "
        "database was unavailable for longer than --retry-for.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="recording files to ingest")
    p.add_argument("--db", metavar="URL", help="database URL (default: $SOLEWATCH_DB_URL, "
                   "else SQLite in $SOLEWATCH_HOME)")
    p.add_argument("--wearer", action="append", metavar="W",
                   help="only this wearer (repeatable); needed with --inbox or PATH")
    p.add_argument("--inbox", metavar="DIR", help="read new recordings from DIR")
    p.add_argument("--watch", action="store_true",
                   help="keep running: run again when new files appear in the inbox")
    p.add_argument("--poll", type=float, default=WATCH_POLL_S, metavar="S",
                   help=f"with --watch: look at the inbox every S seconds ({WATCH_POLL_S:g})")
    p.add_argument("--watch-for", type=float, default=None, metavar="S",
                   help="with --watch: stop after S seconds (default: until Ctrl-C)")
    p.add_argument("--retry-for", type=float, default=DB_RETRY_TOTAL_S, metavar="S",
                   help="keep retrying an unavailable database for S seconds "
                   f"({DB_RETRY_TOTAL_S:g})")
    p.add_argument("--settle", type=float, default=INBOX_SETTLE_S, metavar="S",
                   help="leave inbox files modified less than S seconds ago for the next run "
                   f"({INBOX_SETTLE_S:g})")
    p.add_argument("--config", metavar="TOML", help="override thresholds (see 'settings')")
    p.set_defaults(func=cmd_daily)
