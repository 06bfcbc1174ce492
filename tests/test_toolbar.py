"""Every CSV a reader can download is formula-safe, against a real server on loopback.

The table's own toolbar wrote =HYPERLINK(…), +cmd|' /C calc'!A0, @SUM(1) and -1+1 as they stood; the
server now tells the browser to offer no data export from tables at all (client.disableDataExport),
and the Maßnahmen page offers the project's formula-safe export (mayen_dash.exports) instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.streamlit_client import Session
from tests.live import live_server

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent


class ConfiguredSession(Session):
    """The protocol client, remembering whether the server let tables export their data."""

    data_export = True

    def _resolve(self, message: ForwardMsg) -> ForwardMsg:
        if message.WhichOneof("type") == "new_session":
            self.data_export = not message.new_session.config.disable_data_export
        return super()._resolve(message)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = ROOT / "test-artifacts" / "server" / "server-toolbar.log"
    with live_server(tmp_path_factory.mktemp("mayen-toolbar"), log) as url:
        yield url


def test_tables_export_nothing_and_the_page_offers_its_formula_safe_csv(server):
    async def visit() -> tuple[bool, list[str]]:
        session, _first = await ConfiguredSession.open(server)
        try:
            run = await session.goto("massnahmen")
        finally:
            await session.close()
        labels = [e.download_button.label for _s, e in run.elements if e.WhichOneof("type") == "download_button"]
        return session.data_export, labels

    data_export, labels = asyncio.run(visit())
    assert not data_export
    assert "Als CSV herunterladen" in labels
