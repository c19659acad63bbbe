"""The history store's schema: SQLAlchemy 2.0 typed declarative models.

One schema for SQLite and PostgreSQL. The Alembic migrations
(``migrations/versions/0001_history_schema.py``, then ``0002_daily_balance_exercise.py``,
``0003_alert_rules.py`` and ``0004_daily_pressure_steps.py``) create exactly these tables; a
test compares the two on both backends so they cannot drift apart.

Conventions:

* Times are stored in UTC (:class:`UTCDateTime`; a naive datetime is refused). Where the data
  had a local UTC offset (a recording's start, a note, a session), the offset is kept in minutes
  in the sibling ``*_offset_min`` column, so the local wall-clock time can be rebuilt exactly.
* Days (``day``) are the wearer's local calendar days, as the analysis computed them.
* Natural unique keys make every write from the daily job an idempotent upsert.
* Alerts without a site or foot store ``""`` in ``site``/``foot`` (not NULL: SQL treats NULLs
  as distinct, which would let the same alert be inserted twice); :class:`Store` maps ``""``
  back to None.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, ClassVar, Final

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from analysis.alerts import RULES
from analysis.sites import FEET, REGIONS, SITES

#: Rows of the daily temperature table: the six sites and the whole-foot mean.
FOOT_MEAN: Final = "foot_mean"
TEMPERATURE_SITES: Final[tuple[str, ...]] = (*SITES, FOOT_MEAN)
RECORDING_STATUSES: Final[tuple[str, ...]] = ("new", "ingested", "failed")
ALERT_STATUSES: Final[tuple[str, ...]] = ("open", "acknowledged", "resolved")
NOTE_KINDS: Final[tuple[str, ...]] = ("symptom", "exercise", "shoe", "other")
FOOTWEAR_KINDS: Final[tuple[str, ...]] = ("shoe", "insole")
PRESSURE_BASES: Final[tuple[str, ...]] = ("pressure", "force")
#: Exercises the insoles count (analysis.gait.exercises.count_exercises), one store row per
#: wearer-day and kind; the analysis key each one's repetitions come from.
EXERCISE_KINDS: Final[dict[str, str]] = {"calf_raise": "n_calf_raises",
                                         "toe_lift": "n_toe_lifts"}

#: Keys and constraints get stable names, so migrations can refer to them on both backends.
NAMING: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC; read back as an aware UTC datetime.

    PostgreSQL stores ``timestamptz``; SQLite (no time zones) stores the naive UTC time.
    A naive datetime is refused: which zone it meant cannot be known afterwards.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, found {type(value).__name__} {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()}: give an aware datetime (with a UTC "
                "offset), e.g. datetime.now(UTC) or datetime.fromisoformat('...+01:00')"
            )
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def offset_minutes(value: datetime | None) -> int | None:
    """The UTC offset of an aware datetime in whole minutes (None for None)."""
    if value is None or value.utcoffset() is None:
        return None
    return int(value.utcoffset().total_seconds() // 60)


def local_time(utc: datetime | None, offset_min: int | None) -> datetime | None:
    """Rebuild the local time a value was given in from its UTC time and offset."""
    if utc is None:
        return None
    if offset_min is None:
        return utc
    return utc.astimezone(timezone(timedelta(minutes=offset_min)))


JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
    }


class Wearer(Base):
    """A person wearing the insoles (a name unique in this store)."""

    __tablename__ = "wearers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: IANA time zone of the wearer's days (e.g. "Europe/Berlin"), when known.
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]


class Device(Base):
    """An insole or sensor, by its Bluetooth address (or macOS identifier)."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(64), unique=True)
    side: Mapped[str | None] = mapped_column(sa.String(8))
    name: Mapped[str | None] = mapped_column(sa.String(128))
    model: Mapped[str | None] = mapped_column(sa.String(128))
    first_seen_at: Mapped[datetime]
    __table_args__ = (sa.CheckConstraint(f"side IS NULL OR {_in('side', FEET)}", name="side"),)


class Pairing(Base):
    """A device worn as one foot of a wearer, from ``paired_at`` until ``unpaired_at``."""

    __tablename__ = "pairings"
    id: Mapped[int] = mapped_column(primary_key=True)
    wearer_id: Mapped[int] = mapped_column(sa.ForeignKey("wearers.id", ondelete="CASCADE"))
    device_id: Mapped[int] = mapped_column(sa.ForeignKey("devices.id", ondelete="CASCADE"))
    foot: Mapped[str] = mapped_column(sa.String(8))
    paired_at: Mapped[datetime]
    unpaired_at: Mapped[datetime | None]
    bonded: Mapped[bool] = mapped_column(default=False)
    bond_note: Mapped[str] = mapped_column(sa.Text, default="")
    __table_args__ = (
        sa.UniqueConstraint("wearer_id", "device_id", "paired_at"),
        sa.CheckConstraint(_in("foot", FEET), name="foot"),
        sa.Index("ix_pairings_wearer_id", "wearer_id"),
    )


class Footwear(Base):
    """A shoe or an insole a wearer uses (sessions say which pair was worn)."""

    __tablename__ = "footwear"
    id: Mapped[int] = mapped_column(primary_key=True)
    wearer_id: Mapped[int] = mapped_column(sa.ForeignKey("wearers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(128))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    added_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]
    __table_args__ = (
        sa.UniqueConstraint("wearer_id", "kind", "name"),
        sa.CheckConstraint(_in("kind", FOOTWEAR_KINDS), name="kind"),
    )


class WearSession(Base):
    """A stretch of wearing: which shoe and insole were used."""

    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    wearer_id: Mapped[int] = mapped_column(sa.ForeignKey("wearers.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    started_offset_min: Mapped[int | None] = mapped_column(sa.SmallInteger)
    ended_at: Mapped[datetime | None]
    shoe_id: Mapped[int | None] = mapped_column(sa.ForeignKey("footwear.id"))
    insole_id: Mapped[int | None] = mapped_column(sa.ForeignKey("footwear.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    __table_args__ = (
        sa.UniqueConstraint("wearer_id", "started_at"),
        sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="order"),
    )


class Recording(Base):
    """A recording file: where the raw log lives, what it holds, whether it was ingested."""

    __tablename__ = "recordings"
    id: Mapped[int] = mapped_column(primary_key=True)
    wearer_id: Mapped[int] = mapped_column(sa.ForeignKey("wearers.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="SET NULL"))
    path: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    start_at: Mapped[datetime | None]
    start_offset_min: Mapped[int | None] = mapped_column(sa.SmallInteger)
    duration_s: Mapped[float | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="new")
    status_reason: Mapped[str] = mapped_column(sa.Text, default="")
    registered_at: Mapped[datetime]
    status_at: Mapped[datetime]
    __table_args__ = (
        sa.CheckConstraint(_in("status", RECORDING_STATUSES), name="status"),
        sa.CheckConstraint("duration_s IS NULL OR duration_s >= 0", name="duration"),
        sa.CheckConstraint("length(sha256) = 64", name="sha256"),
        sa.Index("ix_recordings_wearer_id_status", "wearer_id", "status"),
    )


class DailyTemperature(Base):
    """One wearer-day-site row of the temperature analysis (TemperatureResult.daily)."""

    __tablename__ = "daily_temperature"
    id: Mapped[int] = mapped_column(primary_key=True)
    wearer_id: Mapped[int] = mapped_column(sa.ForeignKey("wearers.id", ondelete="CASCADE"))
    day: Mapped[date]
    site: Mapped[str] = mapped_column(sa.String(16))
    left_c: Mapped[float | None]
    right_c: Mapped[float | None]
    delta_c: Mapped[float | None]
    minutes: Mapped[float]
    enough: Mapped[bool]
    room_c: Mapped[float | None]
    updated_at: Mapped[datetime]
    __table_args__ = (
        sa.UniqueConstraint("wearer_id", "day", "site"),
        sa.CheckConstraint(_in("site", TEMPERATURE_SITES), name="site"),
        sa.CheckConstraint("minutes >= 0", name="minutes"),
    )


class DailyGait(Base):
    """One wearer-day of gait summary values (columns = analysis.pipeline.GAIT_SUMMARY_KEYS)."""

    __tablename__ = "daily_gait"
    id: Mapped[int] = mapped_column(primary_key=True)
    wearer_id: Mapped[int] = mapped_column(sa.ForeignKey("wearers.id", ondelete="CASCADE"))
    day: Mapped[date]
    cadence_steps_per_min: Mapped[float | None]
    steps_left: Mapped[int | None]
    steps_right: Mapped[int | None]
    stride_time_s_mean: Mapped[float | None]
    stride_time_sd_ms: Mapped[float | None]
    stride_time_cv_pct: Mapped[float | None]
    swing_time_cv_pct: Mapped[float | None]
    stance_time_cv_pct: Mapped[float | None]
    double_support_pct: Mapped[float | None]
    gait_asymmetry: Mapped[float | None]
    symmetry_index_pct: Mapped[float | None]
    pci_pct: Mapped[float | None]
    dfa_alpha: Mapped[float | None]
    updated_at: Mapped[datetime]
    __table_args__ = (sa.UniqueConstraint("wearer_id", "day"),)


class DailyPressure(Base):
    """One wearer-day-foot-region of the regional pressure summary (analysis.pressure)."""

    __tablename__ = "daily_pressure"
    id: Mapped[int] = mapped_column(primary_key=True)
    wearer_id: Mapped[int] = mapped_column(sa.ForeignKey("wearers.id", ondelete="CASCADE"))
    day: Mapped[date]
    foot: Mapped[str] = mapped_column(sa.String(8))
    region: Mapped[str] = mapped_column(sa.String(16))
    basis: Mapped[str] = mapped_column(sa.String(16))
    peak_kpa: Mapped[float | None]
    pti_kpa_s: Mapped[float | None]
    mean_kpa: Mapped[float | None]
    peak_above_target: Mapped[bool | None]
    #: The day's median (PressureConfig.peak_step_percentile) of the highest pressure under
    #: the region in each step, and how many steps: what the peak_pressure rule judges.
    step_peak_kpa: Mapped[float | None]
    steps: Mapped[int | None]
    peak_n: Mapped[float | None]
    fti_n_s: Mapped[float | None]
    mean_n: Mapped[float | None]
    updated_at: Mapped[datetime]
    __table_args__ = (
        sa.UniqueConstraint("wearer_id", "day", "foot", "region"),
        sa.CheckConstraint(_in("foot", FEET), name="foot"),
        sa.CheckConstraint(_in("region", REGIONS), name="region"),
        sa.CheckConstraint(_in("basis", PRESSURE_BASES), name="basis"),
        sa.CheckConstraint("steps IS NULL OR steps >= 0", name="steps"),
    )


class DailyBalance(Base):
    """One wearer-day of static balance: the quiet-standing intervals the analysis found in
    the day's pressure recording (analysis.gait.balance) and the median of their sway
    measures. A day without quiet standing has no row (not zeros)."""

    __tablename__ = "daily_balance"
    id: Mapped[int] = mapped_column(primary_key=True)
    wearer_id: Mapped[int] = mapped_column(sa.ForeignKey("wearers.id", ondelete="CASCADE"))
    day: Mapped[date]
    quiet_standing_intervals: Mapped[int]
    one_leg_intervals: Mapped[int]
    quiet_standing_s: Mapped[float]
    ellipse95_area_mm2: Mapped[float | None]
    mean_velocity_mm_s: Mapped[float | None]
    ap_velocity_mm_s: Mapped[float | None]
    ml_velocity_mm_s: Mapped[float | None]
    updated_at: Mapped[datetime]
    __table_args__ = (
        sa.UniqueConstraint("wearer_id", "day"),
        sa.CheckConstraint("quiet_standing_intervals > 0", name="intervals"),
        sa.CheckConstraint("one_leg_intervals >= 0 AND one_leg_intervals <= "
                           "quiet_standing_intervals", name="one_leg"),
        sa.CheckConstraint("quiet_standing_s >= 0", name="standing_s"),
    )


class DailyExercise(Base):
    """Repetitions of one exercise kind the insoles counted on one wearer-day
    (analysis.gait.exercises); 0 when the day's recording was examined and none were done."""

    __tablename__ = "daily_exercise"
    id: Mapped[int] = mapped_column(primary_key=True)
    wearer_id: Mapped[int] = mapped_column(sa.ForeignKey("wearers.id", ondelete="CASCADE"))
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(sa.String(16))
    repetitions: Mapped[int]
    updated_at: Mapped[datetime]
    __table_args__ = (
        sa.UniqueConstraint("wearer_id", "day", "kind"),
        sa.CheckConstraint(_in("kind", tuple(EXERCISE_KINDS)), name="kind"),
        sa.CheckConstraint("repetitions >= 0", name="repetitions"),
    )


class AlertRecord(Base):
    """An alert (analysis.alerts.Alert) with its evidence and lifecycle status."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(primary_key=True)
    wearer_id: Mapped[int] = mapped_column(sa.ForeignKey("wearers.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(sa.String(32))
    foot: Mapped[str] = mapped_column(sa.String(8))
    site: Mapped[str] = mapped_column(sa.String(16))
    first_day: Mapped[date]
    confirmed_day: Mapped[date | None]
    delta_c: Mapped[float | None]
    message: Mapped[str] = mapped_column(sa.Text)
    evidence: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    __table_args__ = (
        sa.UniqueConstraint("wearer_id", "rule", "foot", "site", "first_day"),
        sa.CheckConstraint(_in("rule", RULES), name="rule"),
        sa.CheckConstraint(_in("foot", ("", *FEET)), name="foot"),
        sa.CheckConstraint(_in("status", ALERT_STATUSES), name="status"),
        sa.Index("ix_alerts_wearer_id_status", "wearer_id", "status"),
    )


class AlertEvent(Base):
    """One step of an alert's lifecycle: from which status to which, who, when, a note."""

    __tablename__ = "alert_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(sa.ForeignKey("alerts.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    at: Mapped[datetime]
    by: Mapped[str] = mapped_column(sa.String(128))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    __table_args__ = (
        sa.CheckConstraint(_in("to_status", ALERT_STATUSES), name="to_status"),
        sa.Index("ix_alert_events_alert_id", "alert_id"),
    )


class Note(Base):
    """The wearer's log: symptoms, exercises, shoes, anything else that helps."""

    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    wearer_id: Mapped[int] = mapped_column(sa.ForeignKey("wearers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime]
    at_offset_min: Mapped[int | None] = mapped_column(sa.SmallInteger)
    footwear_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("footwear.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    __table_args__ = (
        sa.CheckConstraint(_in("kind", NOTE_KINDS), name="kind"),
        sa.CheckConstraint("length(text) > 0", name="text"),
        sa.Index("ix_notes_wearer_id_at", "wearer_id", "at"),
    )


#: Every table, in an order that respects foreign keys.
TABLES: Final[tuple[str, ...]] = tuple(t.name for t in Base.metadata.sorted_tables)
