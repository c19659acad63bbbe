"""The history schema: wearers, devices and pairings, footwear and sessions, recordings, daily
temperature, gait and pressure summaries, alerts and their lifecycle steps, notes.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

The value lists of the CHECK constraints are frozen here on purpose (a migration must create
the same schema whatever the code says later); adding a rule, site or region is a new
migration. tests/test_store.py checks this schema equals solewatch/store/models.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FEET = ("left", "right")
RULES = ("contralateral_site", "contralateral_foot_mean", "ipsilateral_hotspot", "single_foot",
         "sudden_rise", "unsafe_temperature", "sustained_pressure")
TEMPERATURE_SITES = ("hallux", "mth1", "mth3", "mth5", "midfoot", "heel", "foot_mean")
REGIONS = ("hallux", "toes", "mth1", "mth3", "mth5", "midfoot", "heel")
ALERT_STATUSES = ("open", "acknowledged", "resolved")

# Times are UTC: timestamptz on PostgreSQL, naive UTC on SQLite (see models.UTCDateTime).
UTC_TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _wearer(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("wearer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["wearer_id"], ["wearers.id"], ondelete="CASCADE",
                                name=op.f(f"fk_{table}_wearer_id_wearers")),
    ]


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _unique(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def _check(table: str, name: str, sql: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(sql, name=op.f(f"ck_{table}_{name}"))


def upgrade() -> None:
    op.create_table(
        "devices", _id(),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("side", sa.String(8), nullable=True),
        sa.Column("name", sa.String(128), nullable=True),
        sa.Column("model", sa.String(128), nullable=True),
        sa.Column("first_seen_at", UTC_TIME, nullable=False),
        _check("devices", "side", f"side IS NULL OR {_in('side', FEET)}"),
        _pk("devices"), _unique("devices", "address"),
    )
    op.create_table(
        "wearers", _id(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        _pk("wearers"), _unique("wearers", "name"),
    )
    op.create_table(
        "alerts", _id(), *_wearer("alerts"),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("foot", sa.String(8), nullable=False),
        sa.Column("site", sa.String(16), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("confirmed_day", sa.Date(), nullable=True),
        sa.Column("delta_c", sa.Double(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        _check("alerts", "foot", _in("foot", ("", *FEET))),
        _check("alerts", "rule", _in("rule", RULES)),
        _check("alerts", "status", _in("status", ALERT_STATUSES)),
        _pk("alerts"), _unique("alerts", "wearer_id", "rule", "foot", "site", "first_day"),
    )
    op.create_index("ix_alerts_wearer_id_status", "alerts", ["wearer_id", "status"])
    op.create_table(
        "daily_gait", _id(), *_wearer("daily_gait"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("cadence_steps_per_min", sa.Double(), nullable=True),
        sa.Column("steps_left", sa.Integer(), nullable=True),
        sa.Column("steps_right", sa.Integer(), nullable=True),
        *(sa.Column(name, sa.Double(), nullable=True) for name in (
            "stride_time_s_mean", "stride_time_sd_ms", "stride_time_cv_pct",
            "swing_time_cv_pct", "stance_time_cv_pct", "double_support_pct", "gait_asymmetry",
            "symmetry_index_pct", "pci_pct", "dfa_alpha")),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        _pk("daily_gait"), _unique("daily_gait", "wearer_id", "day"),
    )
    op.create_table(
        "daily_pressure", _id(), *_wearer("daily_pressure"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("foot", sa.String(8), nullable=False),
        sa.Column("region", sa.String(16), nullable=False),
        sa.Column("basis", sa.String(16), nullable=False),
        sa.Column("peak_kpa", sa.Double(), nullable=True),
        sa.Column("pti_kpa_s", sa.Double(), nullable=True),
        sa.Column("mean_kpa", sa.Double(), nullable=True),
        sa.Column("peak_above_target", sa.Boolean(), nullable=True),
        sa.Column("peak_n", sa.Double(), nullable=True),
        sa.Column("fti_n_s", sa.Double(), nullable=True),
        sa.Column("mean_n", sa.Double(), nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        _check("daily_pressure", "basis", _in("basis", ("pressure", "force"))),
        _check("daily_pressure", "foot", _in("foot", FEET)),
        _check("daily_pressure", "region", _in("region", REGIONS)),
        _pk("daily_pressure"),
        _unique("daily_pressure", "wearer_id", "day", "foot", "region"),
    )
    op.create_table(
        "daily_temperature", _id(), *_wearer("daily_temperature"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("site", sa.String(16), nullable=False),
        sa.Column("left_c", sa.Double(), nullable=True),
        sa.Column("right_c", sa.Double(), nullable=True),
        sa.Column("delta_c", sa.Double(), nullable=True),
        sa.Column("minutes", sa.Double(), nullable=False),
        sa.Column("enough", sa.Boolean(), nullable=False),
        sa.Column("room_c", sa.Double(), nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        _check("daily_temperature", "site", _in("site", TEMPERATURE_SITES)),
        _check("daily_temperature", "minutes", "minutes >= 0"),
        _pk("daily_temperature"), _unique("daily_temperature", "wearer_id", "day", "site"),
    )
    op.create_table(
        "footwear", _id(), *_wearer("footwear"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_at", UTC_TIME, nullable=False),
        sa.Column("retired_at", UTC_TIME, nullable=True),
        _check("footwear", "kind", _in("kind", ("shoe", "insole"))),
        _pk("footwear"), _unique("footwear", "wearer_id", "kind", "name"),
    )
    op.create_table(
        "pairings", _id(), *_wearer("pairings"),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("foot", sa.String(8), nullable=False),
        sa.Column("paired_at", UTC_TIME, nullable=False),
        sa.Column("unpaired_at", UTC_TIME, nullable=True),
        sa.Column("bonded", sa.Boolean(), nullable=False),
        sa.Column("bond_note", sa.Text(), nullable=False),
        _check("pairings", "foot", _in("foot", FEET)),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"], ondelete="CASCADE",
                                name=op.f("fk_pairings_device_id_devices")),
        _pk("pairings"), _unique("pairings", "wearer_id", "device_id", "paired_at"),
    )
    op.create_index("ix_pairings_wearer_id", "pairings", ["wearer_id"])
    op.create_table(
        "alert_events", _id(),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _check("alert_events", "to_status", _in("to_status", ALERT_STATUSES)),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], ondelete="CASCADE",
                                name=op.f("fk_alert_events_alert_id_alerts")),
        _pk("alert_events"),
    )
    op.create_index("ix_alert_events_alert_id", "alert_events", ["alert_id"])
    op.create_table(
        "notes", _id(), *_wearer("notes"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("at_offset_min", sa.SmallInteger(), nullable=True),
        sa.Column("footwear_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        _check("notes", "kind", _in("kind", ("symptom", "exercise", "shoe", "other"))),
        _check("notes", "text", "length(text) > 0"),
        sa.ForeignKeyConstraint(["footwear_id"], ["footwear.id"], ondelete="SET NULL",
                                name=op.f("fk_notes_footwear_id_footwear")),
        _pk("notes"),
    )
    op.create_index("ix_notes_wearer_id_at", "notes", ["wearer_id", "at"])
    op.create_table(
        "sessions", _id(), *_wearer("sessions"),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("started_offset_min", sa.SmallInteger(), nullable=True),
        sa.Column("ended_at", UTC_TIME, nullable=True),
        sa.Column("shoe_id", sa.Integer(), nullable=True),
        sa.Column("insole_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        _check("sessions", "order", "ended_at IS NULL OR ended_at >= started_at"),
        sa.ForeignKeyConstraint(["insole_id"], ["footwear.id"],
                                name=op.f("fk_sessions_insole_id_footwear")),
        sa.ForeignKeyConstraint(["shoe_id"], ["footwear.id"],
                                name=op.f("fk_sessions_shoe_id_footwear")),
        _pk("sessions"), _unique("sessions", "wearer_id", "started_at"),
    )
    op.create_table(
        "recordings", _id(), *_wearer("recordings"),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("start_at", UTC_TIME, nullable=True),
        sa.Column("start_offset_min", sa.SmallInteger(), nullable=True),
        sa.Column("duration_s", sa.Double(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("registered_at", UTC_TIME, nullable=False),
        sa.Column("status_at", UTC_TIME, nullable=False),
        _check("recordings", "status", _in("status", ("new", "ingested", "failed"))),
        _check("recordings", "duration", "duration_s IS NULL OR duration_s >= 0"),
        _check("recordings", "sha256", "length(sha256) = 64"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="SET NULL",
                                name=op.f("fk_recordings_session_id_sessions")),
        _pk("recordings"), _unique("recordings", "sha256"),
    )
    op.create_index("ix_recordings_wearer_id_status", "recordings", ["wearer_id", "status"])


def downgrade() -> None:
    for table in ("recordings", "sessions", "notes", "alert_events", "pairings", "footwear",
                  "daily_temperature", "daily_pressure", "daily_gait", "alerts", "wearers",
                  "devices"):
        op.drop_table(table)
