"""The database goes away under a running dashboard: the reports in memory stay readable, nothing can be written.

Against a real server on a throwaway PostgreSQL, spoken to with the project's protocol client
(bench/streamlit_client.py) as a browser's tab does; the database is stopped and started again
under the running server, which is never restarted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.Alert_pb2 import Alert

from bench.streamlit_client import Run, Session
from tests import postgres
from tests.live import live_server

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
BANNER = "Die Datenbank der gespeicherten Berichte ist seit"


@pytest.fixture(scope="module")
def database() -> Iterator[postgres.PostgresServer]:
    yield from postgres.postgres_for_session()


@pytest.fixture(scope="module")
def dashboard(database: postgres.PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = ROOT / "test-artifacts" / "server" / "server-outage.log"
    url = database.create_database("outage")
    with live_server(tmp_path_factory.mktemp("mayen-outage"), log, {"MAYEN_DB_URL": url}) as base:
        yield base


def alerts(run: Run, kind: int) -> list[str]:
    return [
        element.alert.body
        for _seconds, element in run.elements
        if element.WhichOneof("type") == "alert" and element.alert.format == kind
    ]


async def visit(base: str) -> dict[str, Run]:
    """A new tab: the Übersicht, then Daten and Maßnahmen; the runs by page."""
    session, first = await Session.open(base)
    try:
        return {"": first, "daten": await session.goto("daten"), "massnahmen": await session.goto("massnahmen")}
    finally:
        await session.close()


def test_pages_serve_the_report_in_memory_read_only_while_postgres_is_down_and_recover(dashboard, database):
    before = asyncio.run(visit(dashboard))
    assert all(not run.problems() for run in before.values())
    assert not any(BANNER in body for body in alerts(before[""], Alert.WARNING))
    measures = before[""].metric("Maßnahmen")
    assert measures is not None
    database.stop()
    try:
        during = asyncio.run(visit(dashboard))
        for page, run in during.items():
            assert run.problems() == [], page
            assert any(BANNER in body for body in alerts(run, Alert.WARNING)), page
        assert during[""].metric("Maßnahmen")[1] == measures[1], "the report in memory, in full"
        assert "Hochladen ist gerade nicht möglich: die Datenbank ist nicht erreichbar" in during["daten"].text()
        assert "Die Originaldatei ist gerade nicht abrufbar" in during["daten"].text()
        assert "Endgültig löschen" not in str([e for _s, e in during["daten"].elements])
    finally:
        database.start()
    after = asyncio.run(visit(dashboard))
    assert all(not run.problems() for run in after.values())
    assert not any(BANNER in body for run in after.values() for body in alerts(run, Alert.WARNING))
    assert "Die Originaldatei ist gerade nicht abrufbar" not in after["daten"].text()
