"""Helpers for tests that use the history store on SQLite and on a real PostgreSQL server.

The ``store_url`` and ``store`` fixtures themselves live in tests/conftest.py.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from solewatch.store import Store
from solewatch.store.models import Base

PG_URL_ENV = "SOLEWATCH_TEST_PG_URL"
SKIP_PG_ENV = "SOLEWATCH_SKIP_PG"


def pg_url() -> str:
    """The test PostgreSQL server's URL (set by scripts/test.sh); missing is a failure unless
    skipping is asked for explicitly."""
    url = os.environ.get(PG_URL_ENV, "").strip()
    if url:
        return url
    if os.environ.get(SKIP_PG_ENV) == "1":
        pytest.skip(f"{SKIP_PG_ENV}=1: the PostgreSQL variants of the store tests are skipped")
    pytest.fail(
        f"{PG_URL_ENV} is not set, so the store cannot be tested on PostgreSQL. Run the suite "
        "with `bash scripts/test.sh` (it starts a throwaway server with "
        "scripts/pg-test-server.sh), or point the variable at a database, or set "
        f"{SKIP_PG_ENV}=1 to skip these tests on purpose."
    )


def snapshot(store: Store) -> dict:
    """Every row of every table, for "nothing changed" comparisons."""
    out = {}
    with store.engine.connect() as c:
        for table in Base.metadata.sorted_tables:
            rows = c.execute(sa.select(table).order_by(table.c.id)).mappings().all()
            out[table.name] = [dict(r) for r in rows]
    return out


@contextmanager
def pg_schema(prefix: str = "t") -> Iterator[str]:
    """A URL of a fresh, empty schema on the PostgreSQL test server, dropped afterwards."""
    from solewatch.store import resolve_url

    url = resolve_url(pg_url())  # postgresql:// -> postgresql+psycopg://
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as c:
        c.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as c:
            c.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
