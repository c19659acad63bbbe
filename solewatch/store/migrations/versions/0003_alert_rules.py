"""Alert rules of issue 9: the alerts.rule CHECK constraint admits every rule of
analysis.alerts.RULES (adds peak_pressure and the baseline_difference finding).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

Only the CHECK constraint changes; every row is kept. The rule names are frozen here (a new rule
is a new migration). SQLite cannot alter a constraint in place: Alembic's batch mode copies the
table (env.py turns batch mode on for SQLite). Downgrading refuses while rows use the new rules
(the old constraint would reject them): resolve or delete those alerts first.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_RULES = ("contralateral_site", "contralateral_foot_mean", "ipsilateral_hotspot",
             "single_foot", "sudden_rise", "unsafe_temperature", "sustained_pressure")
NEW_RULES = (*OLD_RULES, "peak_pressure", "baseline_difference")


def _in(values: tuple[str, ...]) -> str:
    return f"rule IN ({', '.join(repr(v) for v in values)})"


def _replace(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint(op.f("ck_alerts_rule"), type_="check")
        batch.create_check_constraint(op.f("ck_alerts_rule"), _in(values))


def upgrade() -> None:
    _replace(NEW_RULES)


def downgrade() -> None:
    bind = op.get_bind()
    new = tuple(r for r in NEW_RULES if r not in OLD_RULES)
    used = bind.execute(sa.text(
        f"SELECT COUNT(*) FROM alerts WHERE rule IN ({', '.join(repr(r) for r in new)})"
    )).scalar()
    if used:
        raise RuntimeError(
            f"cannot downgrade below 0003: {used} alert(s) use the rules {', '.join(new)}, "
            "which revision 0002 does not know; resolve and delete them first"
        )
    _replace(OLD_RULES)
