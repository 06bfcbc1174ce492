"""/gesundheit for a load balancer: 200 while the store answers, 503 while it does not, against a real server."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import postgres
from tests.live import Client, live_server, next_source

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def database() -> Iterator[postgres.PostgresServer]:
    """A PostgreSQL of this module's own, which the tests stop and start again."""
    yield from postgres.postgres_for_session()


@pytest.fixture(scope="module")
def on_postgres(database: postgres.PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    log = ROOT / "test-artifacts" / "server" / "server-postgres.log"
    with live_server(tmp_path_factory.mktemp("mayen-pg"), log, {"MAYEN_DB_URL": database.url}) as url:
        yield Client(url, next_source())


def test_healthy_with_the_newest_stand_then_503_while_the_store_is_down_then_healthy_again(on_postgres, database):
    newest = on_postgres.get("/api/v1/staende.json").json()["newest_snapshot_id"]  # the bundled report
    healthy = on_postgres.get("/gesundheit")
    assert healthy.status == 200
    assert healthy.headers["Cache-Control"] == "no-store"
    assert healthy.json() == {
        "status": "ok",
        "store_reachable": True,
        "newest_snapshot_id": newest,
        "newest_report_date": "2022-08-31",
        "message": "Der Speicher der Berichte ist erreichbar.",
    }
    database.stop()
    try:
        down = on_postgres.get("/gesundheit")
        assert down.status == 503
        assert down.json() == {
            "status": "unavailable",
            "store_reachable": False,
            "newest_snapshot_id": None,
            "message": "Der Speicher der Berichte ist nicht erreichbar.",
        }
        # The open data keep serving the Stand this server holds in memory, read-only (issue 13's outage rule).
        api = on_postgres.get("/api/v1/massnahmen.json?einheit=Bereich%202.1")
        assert (api.status, api.json()["count"]) == (200, 9)
        calendar = on_postgres.get("/kalender/alle.ics")
        assert (calendar.status, calendar.body.count(b"BEGIN:VEVENT") > 0) == (200, True)
        assert on_postgres.get("/gesundheit", Accept_Encoding="gzip").status == 503
    finally:
        database.start()
    again = on_postgres.get("/gesundheit")
    assert (again.status, again.json()["newest_snapshot_id"]) == (200, newest)
    assert on_postgres.get("/api/v1/massnahmen.json?einheit=Bereich%202.1").json()["count"] == 9
