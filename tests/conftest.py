"""Shared test fixtures: where the real recordings are, and the committed fixtures."""

from __future__ import annotations

import os
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
    from tests._store_support import pg_schema

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    with pg_schema() as url:
        yield url


@pytest.fixture
def store(store_url):
    """A migrated history store on each backend."""
    from solewatch.store import Store

    s = Store.open(store_url)
    s.migrate()
    yield s
    s.close()


# -- browser tests (tests/_browser.py) ---------------------------------------------------------

@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Headless Debian Chromium with a fresh profile, one per test module."""
    from tests._browser import chromium

    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


@pytest.fixture
def page(browser, request):
    """A page recording console problems and requests; the module's TIMEOUT_MS (default 30 s)
    is its default wait."""
    from tests._browser import checked_page

    page = checked_page(browser, getattr(request.module, "TIMEOUT_MS", 30_000))
    yield page
    page.close()
