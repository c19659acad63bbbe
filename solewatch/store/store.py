"""The history store: one schema on SQLite (the embedded default) or PostgreSQL.

::

    store = Store.open()            # SQLite at $SOLEWATCH_HOME/solewatch.db, created on first use
    store = Store.open("postgresql+psycopg://user@host/solewatch")
    store.migrate()                 # Alembic migrations to head; a no-op when already there
    store.add_wearer("ann")
    with store.transaction():       # one wearer-day, all or nothing
        store.upsert_daily_temperature("ann", result.temperature.daily)
        store.upsert_alerts("ann", result.alerts)

Every method runs in its own transaction, or joins the one :meth:`Store.transaction` opened in
the same thread. Writes of analysis results are idempotent upserts on natural keys (see
models.py), so the daily job can re-run a day and change nothing that did not change.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from analysis.alerts import Alert
from analysis.sites import FEET, REGIONS
from solewatch.store.errors import AlertTransitionError, NotFoundError, StoreError
from solewatch.store.models import (
    ALERT_STATUSES,
    EXERCISE_KINDS,
    FOOTWEAR_KINDS,
    NOTE_KINDS,
    PRESSURE_BASES,
    RECORDING_STATUSES,
    TEMPERATURE_SITES,
    AlertEvent,
    AlertRecord,
    DailyBalance,
    DailyExercise,
    DailyGait,
    DailyPressure,
    DailyTemperature,
    Device,
    Footwear,
    Note,
    Pairing,
    Recording,
    Wearer,
    WearSession,
    local_time,
    offset_minutes,
)

#: Another database than the default SQLite file, as an SQLAlchemy URL.
DB_URL_ENV: Final = "SOLEWATCH_DB_URL"
DB_FILE: Final = "solewatch.db"
MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"
#: How long an SQLite connection waits for another one's write lock before failing, in ms.
#: Source: an engineering choice, not a clinical one. SQLite's default is 0 (fail at once,
#: https://www.sqlite.org/c3ref/busy_timeout.html); a dashboard reading while the daily job
#: writes one wearer-day (a transaction of at most a few hundred rows) should wait, not fail.
SQLITE_BUSY_TIMEOUT_MS: Final = 5000
SUPPORTED_BACKENDS: Final = ("sqlite", "postgresql")
#: Who changed an alert when the program itself did (opened it from a rule).
SYSTEM_ACTOR: Final = "solewatch"
#: Allowed alert lifecycle steps: open -> acknowledged -> resolved, or open -> resolved.
ALERT_TRANSITIONS: Final[dict[str, tuple[str, ...]]] = {
    "open": ("acknowledged", "resolved"),
    "acknowledged": ("resolved",),
    "resolved": (),
}
GAIT_COLUMNS: Final[tuple[str, ...]] = tuple(
    c.name for c in DailyGait.__table__.columns
    if c.name not in {"id", "wearer_id", "day", "updated_at"}
)
#: Values of a day's balance summary (DailyBalance columns); see solewatch.daily.
BALANCE_COLUMNS: Final[tuple[str, ...]] = tuple(
    c.name for c in DailyBalance.__table__.columns
    if c.name not in {"id", "wearer_id", "day", "updated_at"}
)
PRESSURE_VALUE_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "pressure": ("peak_kpa", "pti_kpa_s", "mean_kpa", "peak_above_target"),
    "force": ("peak_n", "fti_n_s", "mean_n"),
}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_WEARER = re.compile(r"^[\w .@-]{1,64}$")  # the same rule as firmware_bridge.ble.pairing
T = TypeVar("T")


def default_sqlite_path() -> Path:
    """``$SOLEWATCH_HOME/solewatch.db`` (default home ``~/.local/share/solewatch``)."""
    from firmware_bridge.ble.pairing import data_home  # one definition of the data folder

    return data_home() / DB_FILE


def resolve_url(url: str | sa.URL | None) -> sa.URL:
    """The database to use: ``url``, else ``$SOLEWATCH_DB_URL``, else the default SQLite file.

    ``postgresql://`` means ``postgresql+psycopg://`` (psycopg 3 is the installed driver).
    """
    text = url if url is not None else (os.environ.get(DB_URL_ENV, "").strip() or None)
    if text is None:
        return sa.URL.create("sqlite", database=str(default_sqlite_path()))
    try:
        parsed = sa.make_url(text)
    except sa.exc.ArgumentError as e:
        raise StoreError(
            f"{text!r} is not a database URL; expected e.g. sqlite:////path/solewatch.db or "
            "postgresql+psycopg://user:password@host:5432/solewatch"
        ) from e
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise StoreError(f"database {backend!r} is not supported; use one of "
                         f"{SUPPORTED_BACKENDS} (URL {parsed.render_as_string()})")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes (hex), read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredAlert:
    """An alert as kept in the store: the analysis alert plus its id and lifecycle status."""

    id: int
    wearer: str
    rule: str
    foot: str | None
    site: str | None
    first_day: date
    confirmed_day: date | None
    delta_c: float | None
    message: str
    evidence: dict[str, Any]
    status: str
    created_at: datetime
    updated_at: datetime

    @property
    def alert(self) -> Alert:
        """The analysis alert this row holds."""
        return Alert(rule=self.rule, foot=self.foot, site=self.site, first_day=self.first_day,
                     confirmed_day=self.confirmed_day, delta_c=self.delta_c,
                     message=self.message, evidence=dict(self.evidence))

    def describe(self) -> str:
        where = " ".join(x for x in (self.foot, self.site) if x)
        return f"alert {self.id} ({self.rule}{' ' + where if where else ''}, " \
               f"from {self.first_day.isoformat()})"


@dataclass(frozen=True)
class AlertStep:
    """One lifecycle step of an alert (``from_status`` is None when it was opened)."""

    alert_id: int
    from_status: str | None
    to_status: str
    at: datetime
    by: str
    note: str


class Store:
    """The history store. Open with :meth:`Store.open`; close with :meth:`close` (or ``with``)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._local = threading.local()

    # -- opening, migrations, transactions -------------------------------------------------

    @classmethod
    def open(cls, url: str | sa.URL | None = None, *, echo: bool = False) -> Store:
        """Connect to ``url`` (see :func:`resolve_url`) and check the connection works.

        SQLite: the folder is created on first use; every connection runs in WAL mode with
        foreign keys ON and a busy timeout (``SQLITE_BUSY_TIMEOUT_MS``).
        """
        parsed = resolve_url(url)
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(parsed, echo=echo)
        else:
            engine = sa.create_engine(parsed, echo=echo, pool_pre_ping=True)
        try:
            with engine.connect():
                pass
        except sa.exc.DBAPIError as e:
            engine.dispose()
            raise StoreError(f"cannot open the store at {_safe(parsed)}: {_reason(e)}") from e
        return cls(engine)

    @property
    def backend(self) -> str:
        """"sqlite" or "postgresql"."""
        return self.engine.dialect.name

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return _safe(self.engine.url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _alembic_config(self) -> Any:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        return config

    def migrate(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to ``revision`` (default: the newest) in one
        transaction. A store already there is left as it is."""
        from alembic import command

        config = self._alembic_config()
        try:
            with self._migration_connection() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        except sa.exc.DBAPIError as e:
            raise StoreError(f"migrating the store at {self.url} failed: {_reason(e)}") from e

    def downgrade(self, revision: str) -> None:
        """Undo migrations down to ``revision`` (e.g. "0001"; "base" removes the schema) in one
        transaction. Tables a later migration added are dropped with their rows; the rest are
        kept. For going back to an older solewatch, and for the migration tests."""
        from alembic import command

        config = self._alembic_config()
        try:
            with self._migration_connection() as connection:
                config.attributes["connection"] = connection
                command.downgrade(config, revision)
        except sa.exc.DBAPIError as e:
            raise StoreError(f"downgrading the store at {self.url} failed: {_reason(e)}") from e

    @contextlib.contextmanager
    def _migration_connection(self) -> Iterator[sa.Connection]:
        """A connection in one transaction for a migration. On SQLite, foreign keys are off
        while it runs: batch mode rebuilds a table by copy, drop and rename, and dropping the
        old table with foreign keys on would cascade-delete the rows that refer to it (e.g. an
        alert's events). They are checked before the transaction commits and on again after."""
        with self.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            raw = connection.connection.driver_connection
            if sqlite:  # works only outside a transaction: on the driver's connection
                raw.execute("PRAGMA foreign_keys = OFF")
            try:
                with connection.begin():
                    yield connection
                    if sqlite:
                        bad = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if bad:
                            raise StoreError(f"a migration left {len(bad)} row(s) referring to "
                                             f"rows that do not exist (first: {bad[0]})")
            finally:
                if sqlite:
                    raw.execute("PRAGMA foreign_keys = ON")

    def revision(self) -> str | None:
        """The migration the database is at (None before the first :meth:`migrate`)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str:
        """The newest migration shipped with this version of solewatch."""
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        assert head is not None
        return head

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: everything inside commits together or not at all.

        Store methods called inside (in the same thread) join it; nesting joins the outer one.
        """
        current = getattr(self._local, "session", None)
        if current is not None:
            yield current
            return
        session = Session(self.engine, expire_on_commit=False)
        self._local.session = session
        try:
            with session.begin():
                yield session
        except sa.exc.IntegrityError as e:
            raise StoreError(f"the store refused the write: {_reason(e)}") from e
        except (sa.exc.OperationalError, sa.exc.ProgrammingError) as e:
            if _missing_table(e):
                raise StoreError(f"the store at {self.url} has no schema (or an old one): "
                                 "run Store.migrate() first") from e
            raise StoreError(f"the store at {self.url} failed: {_reason(e)}") from e
        finally:
            self._local.session = None
            session.close()

    # -- wearers -----------------------------------------------------------------------

    def add_wearer(self, name: str, *, time_zone: str | None = None,
                   at: datetime | None = None) -> Wearer:
        """Add a wearer; a name already in the store is an error (see :meth:`ensure_wearer`)."""
        name = _check_wearer(name)
        with self.transaction() as s:
            if s.scalar(sa.select(Wearer).where(Wearer.name == name)) is not None:
                raise StoreError(f"a wearer named {name!r} is already in the store")
            wearer = Wearer(name=name, time_zone=_check_zone(time_zone),
                            created_at=_when(at, "at"))
            s.add(wearer)
            s.flush()
            return wearer

    def ensure_wearer(self, name: str, *, time_zone: str | None = None) -> Wearer:
        """The wearer named ``name``, added first if missing."""
        with self.transaction() as s:
            found = s.scalar(sa.select(Wearer).where(Wearer.name == _check_wearer(name)))
            return found or self.add_wearer(name, time_zone=time_zone)

    def get_wearer(self, name: str) -> Wearer:
        with self.transaction() as s:
            return self._wearer(s, name)

    def wearers(self) -> list[Wearer]:
        with self.transaction() as s:
            return list(s.scalars(sa.select(Wearer).order_by(Wearer.name)))

    def _wearer(self, s: Session, name: str) -> Wearer:
        found = s.scalar(sa.select(Wearer).where(Wearer.name == _check_wearer(name)))
        if found is None:
            raise NotFoundError(f"no wearer named {name!r} in the store; add it first "
                                "(Store.add_wearer)")
        return found

    # -- devices and pairings ------------------------------------------------------------

    def add_device(self, address: str, *, side: str | None = None, name: str | None = None,
                   model: str | None = None, at: datetime | None = None) -> Device:
        """The device with this address, added if new (name/model/side filled in if given)."""
        address = _check_address(address)
        if side is not None:
            _check_choice(side, FEET, "side")
        with self.transaction() as s:
            device = s.scalar(sa.select(Device).where(Device.address == address))
            if device is None:
                device = Device(address=address, side=side, name=name, model=model,
                                first_seen_at=_when(at, "at"))
                s.add(device)
            else:
                for field, value in (("side", side), ("name", name), ("model", model)):
                    if value is not None and getattr(device, field) != value:
                        setattr(device, field, value)
            s.flush()
            return device

    def get_device(self, address: str) -> Device:
        with self.transaction() as s:
            device = s.scalar(sa.select(Device).where(Device.address == _check_address(address)))
            if device is None:
                raise NotFoundError(f"no device with address {address!r} in the store")
            return device

    def pair_device(self, wearer: str, address: str, foot: str, *, at: datetime | None = None,
                    bonded: bool = False, bond_note: str = "") -> Pairing:
        """Pair the device as ``foot`` of ``wearer`` from ``at`` on. The wearer's earlier
        device for that foot, and the device's earlier pairing, end at ``at``. Pairing the
        device that is already paired there returns that pairing unchanged."""
        _check_choice(foot, FEET, "foot")
        when = _when(at, "at")
        with self.transaction() as s:
            w = self._wearer(s, wearer)
            device = self.add_device(address, at=when)
            current = s.scalars(sa.select(Pairing).where(
                Pairing.unpaired_at.is_(None),
                sa.or_(sa.and_(Pairing.wearer_id == w.id, Pairing.foot == foot),
                       Pairing.device_id == device.id))).all()
            for p in current:
                if p.wearer_id == w.id and p.foot == foot and p.device_id == device.id:
                    return p
            for p in current:
                p.unpaired_at = when
            pairing = Pairing(wearer_id=w.id, device_id=device.id, foot=foot, paired_at=when,
                              bonded=bonded, bond_note=bond_note)
            s.add(pairing)
            s.flush()
            return pairing

    def unpair(self, wearer: str, foot: str, *, at: datetime | None = None) -> int:
        """End the wearer's current pairing for ``foot``; returns how many ended (0 or 1)."""
        _check_choice(foot, FEET, "foot")
        with self.transaction() as s:
            w = self._wearer(s, wearer)
            current = s.scalars(sa.select(Pairing).where(
                Pairing.wearer_id == w.id, Pairing.foot == foot,
                Pairing.unpaired_at.is_(None))).all()
            for p in current:
                p.unpaired_at = _when(at, "at")
            return len(current)

    def pairings(self, wearer: str, *, current_only: bool = True) -> list[Pairing]:
        with self.transaction() as s:
            q = sa.select(Pairing).where(Pairing.wearer_id == self._wearer(s, wearer).id)
            if current_only:
                q = q.where(Pairing.unpaired_at.is_(None))
            return list(s.scalars(q.order_by(Pairing.paired_at, Pairing.foot)))

    # -- footwear and sessions -----------------------------------------------------------

    def add_footwear(self, wearer: str, kind: str, name: str, *, note: str = "",
                     at: datetime | None = None) -> Footwear:
        """The wearer's shoe or insole called ``name``, added if new."""
        _check_choice(kind, FOOTWEAR_KINDS, "footwear kind")
        name = _check_text(name, "footwear name", 128)
        with self.transaction() as s:
            w = self._wearer(s, wearer)
            item = s.scalar(sa.select(Footwear).where(
                Footwear.wearer_id == w.id, Footwear.kind == kind, Footwear.name == name))
            if item is None:
                item = Footwear(wearer_id=w.id, kind=kind, name=name, note=note,
                                added_at=_when(at, "at"))
                s.add(item)
                s.flush()
            return item

    def footwear(self, wearer: str) -> list[Footwear]:
        with self.transaction() as s:
            w = self._wearer(s, wearer)
            return list(s.scalars(sa.select(Footwear).where(Footwear.wearer_id == w.id)
                                  .order_by(Footwear.kind, Footwear.name)))

    def record_session(self, wearer: str, started_at: datetime, *,
                       ended_at: datetime | None = None, shoe: str | None = None,
                       insole: str | None = None, note: str = "") -> WearSession:
        """A wearing session and the shoe and insole used (names from :meth:`add_footwear`).
        Idempotent on (wearer, started_at): a second call updates the same session."""
        started = _when(started_at, "started_at", default_now=False)
        ended = None if ended_at is None else _when(ended_at, "ended_at", default_now=False)
        if ended is not None and ended < started:
            raise StoreError(f"session ends ({ended.isoformat()}) before it starts "
                             f"({started.isoformat()})")
        with self.transaction() as s:
            w = self._wearer(s, wearer)
            shoe_id = self._footwear_id(s, w, "shoe", shoe)
            insole_id = self._footwear_id(s, w, "insole", insole)
            session = s.scalar(sa.select(WearSession).where(
                WearSession.wearer_id == w.id, WearSession.started_at == started))
            if session is None:
                session = WearSession(wearer_id=w.id, started_at=started)
                s.add(session)
            session.started_offset_min = offset_minutes(started_at)
            session.ended_at = ended
            session.shoe_id, session.insole_id, session.note = shoe_id, insole_id, note
            s.flush()
            return session

    def sessions(self, wearer: str) -> list[WearSession]:
        with self.transaction() as s:
            w = self._wearer(s, wearer)
            return list(s.scalars(sa.select(WearSession).where(WearSession.wearer_id == w.id)
                                  .order_by(WearSession.started_at)))

    def _footwear_id(self, s: Session, w: Wearer, kind: str, name: str | None) -> int | None:
        if name is None:
            return None
        found = s.scalar(sa.select(Footwear.id).where(
            Footwear.wearer_id == w.id, Footwear.kind == kind, Footwear.name == name))
        if found is None:
            raise NotFoundError(f"{w.name!r} has no {kind} called {name!r}; add it first "
                                "(Store.add_footwear)")
        return found

    # -- recordings ----------------------------------------------------------------------

    def register_recording(self, wearer: str, path: str | os.PathLike[str], *, sha256: str,
                           kind: str, start: datetime | None = None,
                           duration_s: float | None = None, session_id: int | None = None,
                           at: datetime | None = None) -> Recording:
        """Register a recording file (status "new"). The same bytes (sha256) registered again
        return the first registration; the same bytes for another wearer are an error."""
        sha256 = (sha256 or "").strip().lower()
        if not _SHA256.match(sha256):
            raise StoreError(f"sha256 must be 64 hex digits, found {sha256!r}")
        kind = _check_text(kind, "recording kind", 32)
        duration = _num(duration_s)
        if duration is not None and duration < 0:
            raise StoreError(f"duration_s must be >= 0, found {duration_s!r}")
        start_utc = None if start is None else _when(start, "start", default_now=False)
        with self.transaction() as s:
            w = self._wearer(s, wearer)
            found = s.scalar(sa.select(Recording).where(Recording.sha256 == sha256))
            if found is not None:
                if found.wearer_id != w.id:
                    raise StoreError(f"recording {os.fspath(path)!r} (sha256 {sha256[:12]}...) "
                                     f"is already registered for another wearer "
                                     f"(as {found.path!r})")
                return found
            now = _when(at, "at")
            rec = Recording(wearer_id=w.id, session_id=session_id, path=os.fspath(path),
                            sha256=sha256, kind=kind, start_at=start_utc,
                            start_offset_min=offset_minutes(start), duration_s=duration,
                            status="new", status_reason="", registered_at=now, status_at=now)
            s.add(rec)
            s.flush()
            return rec

    def set_recording_status(self, recording_id: int, status: str, *, reason: str = "",
                             at: datetime | None = None) -> Recording:
        """Mark a recording ingested or failed (a failure needs a reason)."""
        _check_choice(status, RECORDING_STATUSES, "recording status")
        if status == "failed" and not reason.strip():
            raise StoreError("a failed recording needs a reason (what was wrong with it)")
        with self.transaction() as s:
            rec = s.get(Recording, recording_id)
            if rec is None:
                raise NotFoundError(f"no recording with id {recording_id} in the store")
            rec.status, rec.status_reason, rec.status_at = status, reason, _when(at, "at")
            s.flush()
            return rec

    def recordings(self, wearer: str | None = None, *, status: str | None = None
                   ) -> list[Recording]:
        with self.transaction() as s:
            q = sa.select(Recording)
            if wearer is not None:
                q = q.where(Recording.wearer_id == self._wearer(s, wearer).id)
            if status is not None:
                q = q.where(Recording.status == _check_choice(status, RECORDING_STATUSES,
                                                                "recording status"))
            return list(s.scalars(q.order_by(Recording.start_at, Recording.id)))

    # -- daily summaries -------------------------------------------------------------------

    def upsert_daily_temperature(self, wearer: str, rows: Iterable[Mapping[str, Any]], *,
                                 at: datetime | None = None) -> int:
        """Store TemperatureResult.daily rows ({date, site, left_c, right_c, delta_c, minutes,
        enough, room_c}); NaN is stored as NULL. Returns the number of rows given."""
        now = _when(at, "at")
        values = []
        for i, row in enumerate(rows):
            where = f"daily temperature row {i}"
            minutes = _num(row.get("minutes"), where + " minutes")
            if minutes is None or minutes < 0:
                raise StoreError(f"{where}: minutes must be a number >= 0, found "
                                 f"{row.get('minutes')!r}")
            values.append({
                "day": _day(row.get("date"), where + " date"),
                "site": _check_choice(row.get("site"), TEMPERATURE_SITES, where + " site"),
                "left_c": _num(row.get("left_c"), where + " left_c"),
                "right_c": _num(row.get("right_c"), where + " right_c"),
                "delta_c": _num(row.get("delta_c"), where + " delta_c"),
                "minutes": minutes,
                "enough": bool(row.get("enough")),
                "room_c": _num(row.get("room_c"), where + " room_c"),
                "updated_at": now,
            })
        with self.transaction() as s:
            wid = self._wearer(s, wearer).id
            for v in values:
                v["wearer_id"] = wid
            _upsert(s, DailyTemperature, values, ("wearer_id", "day", "site"))
        return len(values)

    def upsert_daily_gait(self, wearer: str, day: date, summary: Mapping[str, Any], *,
                          at: datetime | None = None) -> None:
        """Store one day's gait summary (keys: analysis.pipeline.GAIT_SUMMARY_KEYS)."""
        day = _day(day, "gait day")
        unknown = sorted(set(summary) - set(GAIT_COLUMNS))
        if unknown:
            raise StoreError(f"gait summary of {day.isoformat()}: no column for {unknown}; "
                             f"known: {GAIT_COLUMNS} (a new key needs a migration)")
        value = {k: _num(summary.get(k), f"gait {day.isoformat()} {k}") for k in GAIT_COLUMNS}
        for k in ("steps_left", "steps_right"):
            if value[k] is not None:
                value[k] = round(value[k])
        value.update(day=day, updated_at=_when(at, "at"))
        with self.transaction() as s:
            value["wearer_id"] = self._wearer(s, wearer).id
            _upsert(s, DailyGait, [value], ("wearer_id", "day"))

    def upsert_daily_pressure(self, wearer: str, day: date,
                              summary: Mapping[str, Mapping[str, Mapping[str, Any]]] | None,
                              *, at: datetime | None = None) -> int:
        """Store one day's regional pressure summary ({foot: {region: {basis, ...}}}, as
        analysis.pressure gives it; None for raw counts stores nothing). Returns rows given."""
        day = _day(day, "pressure day")
        now = _when(at, "at")
        values = []
        for foot, regions in (summary or {}).items():
            _check_choice(foot, FEET, f"pressure {day.isoformat()} foot")
            for region, v in regions.items():
                where = f"pressure {day.isoformat()} {foot} {region}"
                _check_choice(region, REGIONS, where + " region")
                basis = _check_choice(v.get("basis"), PRESSURE_BASES, where + " basis")
                unknown = sorted(set(v) - {"basis", *PRESSURE_VALUE_KEYS[basis]})
                if unknown:
                    raise StoreError(f"{where}: no column for {unknown}")
                row: dict[str, Any] = dict.fromkeys(
                    (k for ks in PRESSURE_VALUE_KEYS.values() for k in ks), None)
                for k in PRESSURE_VALUE_KEYS[basis]:
                    row[k] = _num(v.get(k), f"{where} {k}")
                if row["peak_above_target"] is not None:
                    row["peak_above_target"] = bool(row["peak_above_target"])
                row.update(day=day, foot=foot, region=region, basis=basis, updated_at=now)
                values.append(row)
        with self.transaction() as s:
            wid = self._wearer(s, wearer).id
            for v in values:
                v["wearer_id"] = wid
            _upsert(s, DailyPressure, values, ("wearer_id", "day", "foot", "region"))
        return len(values)

    def upsert_daily_balance(self, wearer: str, day: date, summary: Mapping[str, Any], *,
                             at: datetime | None = None) -> None:
        """Store one day's balance summary (keys: ``BALANCE_COLUMNS``): how many quiet-standing
        intervals (at least 1: a day without quiet standing gets no row, see
        :meth:`delete_daily_balance`), how many on one leg, their total seconds, and the
        median sway measures (NaN or None -> NULL)."""
        day = _day(day, "balance day")
        where = f"balance {day.isoformat()}"
        unknown = sorted(set(summary) - set(BALANCE_COLUMNS))
        if unknown:
            raise StoreError(f"{where}: no column for {unknown}; known: {BALANCE_COLUMNS} "
                             "(a new key needs a migration)")
        value: dict[str, Any] = {k: _num(summary.get(k), f"{where} {k}")
                                 for k in BALANCE_COLUMNS}
        n = _count(summary.get("quiet_standing_intervals"), f"{where} quiet_standing_intervals")
        if n < 1:
            raise StoreError(f"{where}: quiet_standing_intervals must be at least 1 (a day "
                             "without quiet standing has no balance row), found 0")
        one_leg = _count(summary.get("one_leg_intervals", 0), f"{where} one_leg_intervals")
        if one_leg > n:
            raise StoreError(f"{where}: one_leg_intervals {one_leg} is more than "
                             f"quiet_standing_intervals {n}")
        if value["quiet_standing_s"] is None or value["quiet_standing_s"] < 0:
            raise StoreError(f"{where}: quiet_standing_s must be a number >= 0, found "
                             f"{summary.get('quiet_standing_s')!r}")
        value.update(quiet_standing_intervals=n, one_leg_intervals=one_leg, day=day,
                     updated_at=_when(at, "at"))
        with self.transaction() as s:
            value["wearer_id"] = self._wearer(s, wearer).id
            _upsert(s, DailyBalance, [value], ("wearer_id", "day"))

    def delete_daily_balance(self, wearer: str, day: date) -> int:
        """Remove the day's balance row (the day was recomputed and has no quiet standing);
        returns rows removed (0 or 1)."""
        return self._delete_day(DailyBalance, wearer, _day(day, "balance day"))

    def upsert_daily_exercise(self, wearer: str, day: date, counts: Mapping[str, Any], *,
                              at: datetime | None = None) -> int:
        """Store the repetitions the insoles counted on one day, ``{kind: repetitions}`` with
        kinds from ``EXERCISE_KINDS`` ("calf_raise", "toe_lift"); 0 is a count (the day was
        examined, none done). Returns the number of kinds given."""
        day = _day(day, "exercise day")
        now = _when(at, "at")
        values = []
        for kind, reps in counts.items():
            where = f"exercise {day.isoformat()}"
            _check_choice(kind, tuple(EXERCISE_KINDS), where + " kind")
            values.append({"day": day, "kind": kind,
                           "repetitions": _count(reps, f"{where} {kind} repetitions"),
                           "updated_at": now})
        with self.transaction() as s:
            wid = self._wearer(s, wearer).id
            for v in values:
                v["wearer_id"] = wid
            _upsert(s, DailyExercise, values, ("wearer_id", "day", "kind"))
        return len(values)

    def delete_daily_exercise(self, wearer: str, day: date) -> int:
        """Remove the day's exercise rows (recomputed, and no recording could be examined for
        exercises); returns rows removed."""
        return self._delete_day(DailyExercise, wearer, _day(day, "exercise day"))

    def _delete_day(self, model: type, wearer: str, day: date) -> int:
        with self.transaction() as s:
            wid = self._wearer(s, wearer).id
            table = model.__table__  # type: ignore[attr-defined]
            result = s.execute(sa.delete(table).where(table.c.wearer_id == wid,
                                                      table.c.day == day))
            return int(result.rowcount or 0)

    def daily_temperature(self, wearer: str, *, start: date | None = None,
                          end: date | None = None) -> list[DailyTemperature]:
        """Rows from ``start`` to ``end`` (inclusive), by day then site order."""
        rows = self._daily(DailyTemperature, wearer, start, end)
        return sorted(rows, key=lambda r: (r.day, TEMPERATURE_SITES.index(r.site)))

    def daily_gait(self, wearer: str, *, start: date | None = None,
                   end: date | None = None) -> list[DailyGait]:
        return sorted(self._daily(DailyGait, wearer, start, end), key=lambda r: r.day)

    def daily_pressure(self, wearer: str, *, start: date | None = None,
                       end: date | None = None) -> list[DailyPressure]:
        return sorted(self._daily(DailyPressure, wearer, start, end),
                      key=lambda r: (r.day, r.foot, REGIONS.index(r.region)))

    def daily_balance(self, wearer: str, *, start: date | None = None,
                      end: date | None = None) -> list[DailyBalance]:
        """Days with quiet standing, from ``start`` to ``end`` (inclusive), by day."""
        return sorted(self._daily(DailyBalance, wearer, start, end), key=lambda r: r.day)

    def daily_exercise(self, wearer: str, *, start: date | None = None,
                       end: date | None = None) -> list[DailyExercise]:
        """Counted repetitions by day, then kind (``EXERCISE_KINDS`` order)."""
        kinds = list(EXERCISE_KINDS)
        return sorted(self._daily(DailyExercise, wearer, start, end),
                      key=lambda r: (r.day, kinds.index(r.kind)))

    def _daily(self, model: type[T], wearer: str, start: date | None, end: date | None
               ) -> list[T]:
        with self.transaction() as s:
            q = sa.select(model).where(model.wearer_id == self._wearer(s, wearer).id)  # type: ignore[attr-defined]
            if start is not None:
                q = q.where(model.day >= _day(start, "start"))  # type: ignore[attr-defined]
            if end is not None:
                q = q.where(model.day <= _day(end, "end"))  # type: ignore[attr-defined]
            return list(s.scalars(q))

    def write_day(self, wearer: str, day: date, *,
                  temperature_rows: Iterable[Mapping[str, Any]] = (),
                  gait: Mapping[str, Any] | None = None,
                  pressure: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
                  balance: Mapping[str, Any] | None = None,
                  exercises: Mapping[str, Any] | None = None,
                  alerts: Iterable[Alert] = (), at: datetime | None = None) -> None:
        """Everything the analysis found for one wearer-day, in one transaction: all of it is
        stored or none of it. Temperature rows must all be of ``day``. ``None`` (gait,
        pressure, balance, exercises) stores nothing of that kind."""
        day = _day(day, "day")
        rows = list(temperature_rows)
        other = sorted({_day(r.get("date"), "row date") for r in rows} - {day})
        if other:
            raise StoreError(f"write_day({day.isoformat()}) got temperature rows of other days: "
                             f"{[d.isoformat() for d in other]}")
        now = _when(at, "at")
        with self.transaction():
            self.upsert_daily_temperature(wearer, rows, at=now)
            if gait is not None:
                self.upsert_daily_gait(wearer, day, gait, at=now)
            if pressure is not None:
                self.upsert_daily_pressure(wearer, day, pressure, at=now)
            if balance is not None:
                self.upsert_daily_balance(wearer, day, balance, at=now)
            if exercises is not None:
                self.upsert_daily_exercise(wearer, day, exercises, at=now)
            self.upsert_alerts(wearer, alerts, at=now)

    # -- alerts --------------------------------------------------------------------------

    def upsert_alerts(self, wearer: str, alerts: Iterable[Alert], *,
                      at: datetime | None = None) -> list[StoredAlert]:
        """Store alerts from the analysis. One alert per (wearer, rule, foot, site, first_day):
        a new one opens (status "open", a lifecycle step by "solewatch"); a known one gets
        its latest values (confirmed day, delta, message, evidence) and keeps its status."""
        now = _when(at, "at")
        out = []
        with self.transaction() as s:
            w = self._wearer(s, wearer)
            for a in alerts:
                if not isinstance(a, Alert):
                    raise StoreError(f"expected analysis.alerts.Alert, found {type(a).__name__}")
                if a.first_day is None:
                    raise StoreError(f"{a.rule} alert ({a.foot} {a.site}) has no first day (the "
                                     "recording has no wall-clock start); it cannot be kept in "
                                     "the day-by-day history")
                key = {"wearer_id": w.id, "rule": a.rule, "foot": a.foot or "",
                       "site": a.site or "", "first_day": a.first_day}
                values = {"confirmed_day": a.confirmed_day,
                          "delta_c": _num(a.delta_c, f"{a.rule} alert delta_c"),
                          "message": a.message, "evidence": _json_safe(a.evidence)}
                rec = s.scalar(sa.select(AlertRecord).filter_by(**key))
                if rec is None:
                    rec = AlertRecord(**key, **values, status="open", created_at=now,
                                      updated_at=now)
                    s.add(rec)
                    s.flush()
                    s.add(AlertEvent(alert_id=rec.id, from_status=None, to_status="open",
                                     at=now, by=SYSTEM_ACTOR, note=f"rule {a.rule} fired"))
                else:
                    changed = {k: v for k, v in values.items() if getattr(rec, k) != v}
                    if changed:
                        for k, v in changed.items():
                            setattr(rec, k, v)
                        rec.updated_at = now
                s.flush()
                out.append(_stored(rec, w.name))
        return out

    def alerts(self, wearer: str, *, status: str | None = None) -> list[StoredAlert]:
        with self.transaction() as s:
            w = self._wearer(s, wearer)
            q = sa.select(AlertRecord).where(AlertRecord.wearer_id == w.id)
            if status is not None:
                q = q.where(AlertRecord.status == _check_choice(status, ALERT_STATUSES,
                                                                  "alert status"))
            q = q.order_by(AlertRecord.first_day, AlertRecord.rule, AlertRecord.foot,
                           AlertRecord.site)
            return [_stored(r, w.name) for r in s.scalars(q)]

    def get_alert(self, alert_id: int) -> StoredAlert:
        with self.transaction() as s:
            rec = self._alert(s, alert_id)
            return _stored(rec, s.get(Wearer, rec.wearer_id).name)  # type: ignore[union-attr]

    def acknowledge_alert(self, alert_id: int, *, by: str, note: str = "",
                          at: datetime | None = None) -> StoredAlert:
        """open -> acknowledged: someone has seen it (``by``: who; ``note``: what they did)."""
        return self._transition(alert_id, "acknowledged", by=by, note=note, at=at)

    def resolve_alert(self, alert_id: int, *, by: str, note: str = "",
                      at: datetime | None = None) -> StoredAlert:
        """open or acknowledged -> resolved."""
        return self._transition(alert_id, "resolved", by=by, note=note, at=at)

    def alert_history(self, alert_id: int) -> list[AlertStep]:
        """Every lifecycle step of the alert, oldest first."""
        with self.transaction() as s:
            self._alert(s, alert_id)
            events = s.scalars(sa.select(AlertEvent).where(AlertEvent.alert_id == alert_id)
                               .order_by(AlertEvent.at, AlertEvent.id))
            return [AlertStep(e.alert_id, e.from_status, e.to_status, e.at, e.by, e.note)
                    for e in events]

    def _alert(self, s: Session, alert_id: int) -> AlertRecord:
        rec = s.get(AlertRecord, alert_id)
        if rec is None:
            raise NotFoundError(f"no alert with id {alert_id} in the store")
        return rec

    def _transition(self, alert_id: int, to: str, *, by: str, note: str,
                    at: datetime | None) -> StoredAlert:
        by = _check_text(by, "who (by)", 128)
        now = _when(at, "at")
        with self.transaction() as s:
            rec = s.get(AlertRecord, alert_id, with_for_update=True)
            if rec is None:
                raise NotFoundError(f"no alert with id {alert_id} in the store")
            wearer = s.get(Wearer, rec.wearer_id).name  # type: ignore[union-attr]
            if to not in ALERT_TRANSITIONS[rec.status]:
                last = s.scalar(sa.select(AlertEvent).where(AlertEvent.alert_id == rec.id)
                                .order_by(AlertEvent.at.desc(), AlertEvent.id.desc()))
                since = f" (by {last.by} at {last.at.isoformat()})" if last else ""
                allowed = ALERT_TRANSITIONS[rec.status]
                raise AlertTransitionError(
                    f"{_stored(rec, wearer).describe()} is already {rec.status}{since}; it "
                    f"cannot become {to} (from {rec.status}: "
                    f"{', '.join(allowed) if allowed else 'no further step'})")
            s.add(AlertEvent(alert_id=rec.id, from_status=rec.status, to_status=to, at=now,
                             by=by, note=note))
            rec.status, rec.updated_at = to, now
            s.flush()
            return _stored(rec, wearer)

    # -- notes ---------------------------------------------------------------------------

    def add_note(self, wearer: str, kind: str, text: str, *, at: datetime,
                 footwear_id: int | None = None, created_at: datetime | None = None) -> Note:
        """Log a symptom, an exercise, a shoe or anything else; ``at`` is when it happened
        (its UTC offset is kept)."""
        _check_choice(kind, NOTE_KINDS, "note kind")
        text = _check_text(text, "note text", None)
        when = _when(at, "at", default_now=False)
        with self.transaction() as s:
            note = Note(wearer_id=self._wearer(s, wearer).id, kind=kind, text=text, at=when,
                        at_offset_min=offset_minutes(at), footwear_id=footwear_id,
                        created_at=_when(created_at, "created_at"))
            s.add(note)
            s.flush()
            return note

    def notes(self, wearer: str, *, kind: str | None = None, since: datetime | None = None,
              until: datetime | None = None) -> list[Note]:
        with self.transaction() as s:
            q = sa.select(Note).where(Note.wearer_id == self._wearer(s, wearer).id)
            if kind is not None:
                q = q.where(Note.kind == _check_choice(kind, NOTE_KINDS, "note kind"))
            if since is not None:
                q = q.where(Note.at >= _when(since, "since", default_now=False))
            if until is not None:
                q = q.where(Note.at <= _when(until, "until", default_now=False))
            return list(s.scalars(q.order_by(Note.at, Note.id)))

    def counts(self) -> dict[str, int]:
        """Rows per table (for tests and a future `solewatch store status`)."""
        from solewatch.store.models import Base

        with self.transaction() as s:
            return {t.name: s.scalar(sa.select(sa.func.count()).select_from(t)) or 0
                    for t in Base.metadata.sorted_tables}


# -- helpers ---------------------------------------------------------------------------


def _sqlite_engine(url: sa.URL, *, echo: bool) -> sa.Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create the data folder {path.parent}: {e}") from e
        url = url.set(database=str(path))
    engine = sa.create_engine(url, echo=echo)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (the
        # module's legacy mode commits before DDL, which would break all-or-nothing).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


def _upsert(s: Session, model: type, rows: list[dict[str, Any]], keys: tuple[str, ...]) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE, only where a value differs (so a re-run leaves
    ``updated_at`` alone). The same statement on SQLite (>= 3.24) and PostgreSQL."""
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    dialect = s.get_bind().dialect.name
    insert = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table)
    values = [c for c in rows[0] if c not in keys and c != "updated_at"]
    changed = sa.or_(*(table.c[c].is_distinct_from(insert.excluded[c]) for c in values))
    stmt = insert.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={c: insert.excluded[c] for c in (*values, "updated_at")},
        where=changed,
    )
    s.execute(stmt, rows)


def _stored(rec: AlertRecord, wearer: str) -> StoredAlert:
    return StoredAlert(id=rec.id, wearer=wearer, rule=rec.rule, foot=rec.foot or None,
                       site=rec.site or None, first_day=rec.first_day,
                       confirmed_day=rec.confirmed_day, delta_c=rec.delta_c,
                       message=rec.message, evidence=dict(rec.evidence), status=rec.status,
                       created_at=rec.created_at, updated_at=rec.updated_at)


def _when(value: datetime | None, name: str, *, default_now: bool = True) -> datetime:
    if value is None:
        if default_now:
            return datetime.now(UTC)
        raise StoreError(f"{name} is required (an aware datetime)")
    if not isinstance(value, datetime):
        raise StoreError(f"{name} must be a datetime, found {type(value).__name__} {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise StoreError(f"{name} {value.isoformat()} has no UTC offset; give an aware "
                         "datetime (e.g. datetime.now(UTC) or '...+01:00')")
    return value


def _day(value: Any, name: str) -> date:
    if isinstance(value, datetime):
        raise StoreError(f"{name}: expected a calendar day (date), found the datetime "
                         f"{value.isoformat()}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise StoreError(f"{name}: expected a date (or 'YYYY-MM-DD'), found {value!r}")


def _num(value: Any, name: str = "value") -> float | None:
    """A finite float, or None for None/NaN. Infinity and non-numbers are errors."""
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise StoreError(f"{name}: expected a number, found {value!r}") from None
    if math.isnan(x):
        return None
    if math.isinf(x):
        raise StoreError(f"{name}: expected a finite number, found {value!r}")
    return x


def _count(value: Any, name: str) -> int:
    """A whole number >= 0 (numpy integers and integral floats accepted)."""
    x = _num(value, name)
    if x is None or x < 0 or x != int(x):
        raise StoreError(f"{name}: expected a whole number >= 0, found {value!r}")
    return int(x)


def _json_safe(value: Any) -> Any:
    """Evidence as plain JSON: NaN/inf -> None, numpy scalars -> numbers, dates -> ISO."""
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _json_safe(value.tolist())
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    raise StoreError(f"alert evidence value {value!r} ({type(value).__name__}) cannot be "
                     "stored as JSON")


def _check_choice(value: Any, choices: tuple[str, ...], name: str) -> str:
    if value not in choices:
        raise StoreError(f"{name} must be one of {choices}, found {value!r}")
    return value


def _check_text(value: Any, name: str, max_len: int | None) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or (max_len is not None and len(text) > max_len):
        limit = f", at most {max_len} characters" if max_len else ""
        raise StoreError(f"{name} must be non-empty text{limit}, found {value!r}")
    return text


def _check_wearer(name: Any) -> str:
    w = name.strip() if isinstance(name, str) else ""
    if not _WEARER.match(w):
        raise StoreError(f"wearer name {name!r}: use 1-64 letters, digits, spaces or ._-@")
    return w


def _check_address(address: Any) -> str:
    return _check_text(address, "device address", 64).upper()


def _check_zone(zone: str | None) -> str | None:
    if zone is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise StoreError(f"time zone {zone!r} is not an IANA zone name (e.g. "
                         "'Europe/Berlin')") from None
    return zone


def _safe(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)


def _reason(e: sa.exc.DBAPIError) -> str:
    return str(e.orig).strip().splitlines()[0] if e.orig is not None else str(e)


def _missing_table(e: sa.exc.DBAPIError) -> bool:
    text = str(e.orig).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


__all__ = [
    "ALERT_TRANSITIONS",
    "DB_URL_ENV",
    "AlertStep",
    "Store",
    "StoredAlert",
    "default_sqlite_path",
    "local_time",
    "resolve_url",
    "sha256_of",
]
