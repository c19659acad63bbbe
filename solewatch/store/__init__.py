"""The history store (an edge package): wearers, devices and pairings, recordings, daily
summaries, alerts with their lifecycle, notes, and the shoe and insole of each session.

SQLite (WAL) in the per-user data folder by default, PostgreSQL by URL; one schema, Alembic
migrations shipped in ``migrations/``. See docs/storage.md.
"""

from solewatch.store.errors import AlertTransitionError, NotFoundError, StoreError
from solewatch.store.models import local_time
from solewatch.store.store import (
    ALERT_TRANSITIONS,
    DB_URL_ENV,
    AlertStep,
    Store,
    StoredAlert,
    default_sqlite_path,
    resolve_url,
    sha256_of,
)

__all__ = [
    "ALERT_TRANSITIONS",
    "DB_URL_ENV",
    "AlertStep",
    "AlertTransitionError",
    "NotFoundError",
    "Store",
    "StoreError",
    "StoredAlert",
    "default_sqlite_path",
    "local_time",
    "resolve_url",
    "sha256_of",
]
