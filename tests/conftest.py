"""Shared test fixtures: where the real recordings are, and the committed fixtures."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE_DATA = REPO / "fixtures" / "data"


def _shared_data_dir() -> Path:
    env = os.environ.get("SOLEWATCH_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data: the published recordings. Missing is a failure, not a skip, so a
    validation run can never pass by silently testing nothing."""
    path = _shared_data_dir()
    if not (path / "README.md").is_file():
        pytest.fail(
            f"the published recordings are not at {path}; set SOLEWATCH_SHARED_DATA to the "
            "folder holding gaitndd/, gaitpdb/, gait-maturation/ and plantar-thermogram/"
        )
    return path


@pytest.fixture(scope="session")
def fixture_data() -> Path:
    return FIXTURE_DATA


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A URL of an empty history-store database on each backend: SQLite in tmp_path, and a
    fresh schema on the real PostgreSQL test server (dropped afterwards)."""
    import sqlalchemy as sa

    from solewatch.store import resolve_url
    from tests._store_support import pg_url

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    url = resolve_url(pg_url())  # postgresql:// -> postgresql+psycopg://
    schema = f"t_{uuid.uuid4().hex[:12]}"
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


@pytest.fixture
def store(store_url):
    """A migrated history store on each backend."""
    from solewatch.store import Store

    s = Store.open(store_url)
    s.migrate()
    yield s
    s.close()
