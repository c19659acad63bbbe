"""Clinic scale: re-analysis of many wearers' recordings on a Dask cluster, into PostgreSQL.

::

    from solewatch.clinic import reanalyze

    report = reanalyze("postgresql+psycopg://solewatch@db/clinic", scheduler="local", n_workers=2)
    report = reanalyze(url, scheduler="tcp://scheduler:8786", start=date(2026, 3, 1))
    print(report.summary())

Needs the ``clinic`` extra (``pip install solewatch[clinic]``: dask.distributed). See
docs/storage.md ("Sizing a clinic") and benchmarks/clinic.py.
"""

from solewatch.clinic.reanalyze import (
    ClinicError,
    DayFailure,
    DayOutcome,
    ReanalysisReport,
    plan_wearer_days,
    reanalyze,
)

__all__ = [
    "ClinicError",
    "DayFailure",
    "DayOutcome",
    "ReanalysisReport",
    "plan_wearer_days",
    "reanalyze",
]
