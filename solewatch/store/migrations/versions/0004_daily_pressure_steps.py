"""Daily pressure: the per-step peak statistic the peak_pressure rule judges.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

Two nullable columns on daily_pressure: ``step_peak_kpa`` (the day's median, by default, of the
highest pressure under the region in each step; PressureConfig.peak_step_percentile) and
``steps`` (how many steps it is made of). Rows stored before have NULL there: those days are
not judged by the rule until they are recomputed. Every row is kept; downgrading drops only the
two columns. SQLite adds columns in place; its batch mode (env.py) copies the table to drop
them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("daily_pressure") as batch:
        batch.add_column(sa.Column("step_peak_kpa", sa.Double(), nullable=True))
        batch.add_column(sa.Column("steps", sa.Integer(), nullable=True))
        batch.create_check_constraint(op.f("ck_daily_pressure_steps"),
                                      "steps IS NULL OR steps >= 0")


def downgrade() -> None:
    with op.batch_alter_table("daily_pressure") as batch:
        batch.drop_constraint(op.f("ck_daily_pressure_steps"), type_="check")
        batch.drop_column("steps")
        batch.drop_column("step_peak_kpa")
