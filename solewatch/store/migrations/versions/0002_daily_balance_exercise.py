"""Daily balance and exercises: the static balance of a wearer-day (quiet-standing intervals
and the median of their sway measures) and the exercise repetitions the insoles counted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Two new tables; nothing existing changes, so upgrading keeps every row. The exercise kinds of
the CHECK constraint are frozen here (a new kind is a new migration). tests/test_store.py
checks this schema equals solewatch/store/models.py and that an upgrade from 0001 keeps data.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXERCISE_KINDS = ("calf_raise", "toe_lift")

# Times are UTC: timestamptz on PostgreSQL, naive UTC on SQLite (see models.UTCDateTime).
UTC_TIME = sa.DateTime(timezone=True)


def _common(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wearer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["wearer_id"], ["wearers.id"], ondelete="CASCADE",
                                name=op.f(f"fk_{table}_wearer_id_wearers")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "daily_balance", *_common("daily_balance"),
        sa.Column("quiet_standing_intervals", sa.Integer(), nullable=False),
        sa.Column("one_leg_intervals", sa.Integer(), nullable=False),
        sa.Column("quiet_standing_s", sa.Double(), nullable=False),
        sa.Column("ellipse95_area_mm2", sa.Double(), nullable=True),
        sa.Column("mean_velocity_mm_s", sa.Double(), nullable=True),
        sa.Column("ap_velocity_mm_s", sa.Double(), nullable=True),
        sa.Column("ml_velocity_mm_s", sa.Double(), nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.CheckConstraint("quiet_standing_intervals > 0",
                           name=op.f("ck_daily_balance_intervals")),
        sa.CheckConstraint("one_leg_intervals >= 0 AND one_leg_intervals <= "
                           "quiet_standing_intervals", name=op.f("ck_daily_balance_one_leg")),
        sa.CheckConstraint("quiet_standing_s >= 0", name=op.f("ck_daily_balance_standing_s")),
        sa.UniqueConstraint("wearer_id", "day", name=op.f("uq_daily_balance_wearer_id_day")),
    )
    kinds = ", ".join(repr(k) for k in EXERCISE_KINDS)
    op.create_table(
        "daily_exercise", *_common("daily_exercise"),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("repetitions", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.CheckConstraint(f"kind IN ({kinds})", name=op.f("ck_daily_exercise_kind")),
        sa.CheckConstraint("repetitions >= 0", name=op.f("ck_daily_exercise_repetitions")),
        sa.UniqueConstraint("wearer_id", "day", "kind",
                            name=op.f("uq_daily_exercise_wearer_id_day_kind")),
    )


def downgrade() -> None:
    op.drop_table("daily_exercise")
    op.drop_table("daily_balance")
