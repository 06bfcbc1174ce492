"""Fixtures shared by the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import documents, postgres
from tests.live import PROXY, Client, live_server, next_source

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def write(tmp_path: Path):
    """Write bytes to a named file in tmp_path and return its path."""

    def _write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return _write


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.PostgresServer]:
    """One throwaway PostgreSQL for the session; each test makes a database of its own (create_database)."""
    yield from postgres.postgres_for_session()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of either kind, not yet touched by the store (the PostgreSQL one skipped without a server)."""
    if request.param == "sqlite":
        yield sa.URL.create("sqlite", database=str(tmp_path / "store.sqlite3")).render_as_string()
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create_database()
    yield url
    server.drop_database(url)


# The shared server's rate limit: 60 a minute, 15 at once; each test is a client of its own (`client`).
LIVE_RATE_LIMIT = 60


@pytest.fixture(scope="session")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One dashboard server for the tests of its routes, with the bundled report and PROXY trusted."""
    environment = {"MAYEN_TRUSTED_PROXIES": PROXY, "MAYEN_API_RATE_LIMIT": str(LIVE_RATE_LIMIT)}
    log = ROOT / "test-artifacts" / "server" / "server.log"
    with live_server(tmp_path_factory.mktemp("mayen-live"), log, environment) as url:
        yield url


@pytest.fixture
def client(live_url: str) -> Client:
    """HTTP to the shared server from an address of this test's own."""
    return Client(live_url, next_source())


@pytest.fixture(scope="session")
def samples() -> dict[str, bytes]:
    """tests/documents.SAMPLE in every format the dashboard reads (LibreOffice writes three of them once a run)."""
    documents.libreoffice_or_skip()
    return documents.sample_files()
