"""A forged widget id (equal to a session key, or any other name) must not break the session, on a real server.

Streamlit takes any widget id a client sends in a rerun request; an id equal to a key the app keeps
in st.session_state for itself made that session fail for good. The project's protocol client
(bench/streamlit_client.py) sends such requests as a browser's tab would, plus one forged state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.streamlit_client import Session
from tests.live import live_server
from ui import keys

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
# The app's own keys, the URL parameter names, and a name nobody uses: none is an id Streamlit gives out.
SESSION_KEYS = [value for name, value in vars(keys).items() if name.isupper() and isinstance(value, str)] + ["x"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = ROOT / "test-artifacts" / "server" / "server-keys.log"
    with live_server(tmp_path_factory.mktemp("mayen-keys"), log) as url:
        yield url


async def forge(server: str, widget_id: str) -> list[list[str]]:
    """Open the dashboard, send one forged widget state with this id, then use the page; the problems of each run."""
    session, first = await Session.open(server)
    try:
        script = session.main_script_hash
        for kind in ("string_value", "int_value"):
            forged = WidgetState(id=widget_id)
            setattr(forged, kind, "gefälscht" if kind == "string_value" else 7)
            session._widgets[widget_id] = (script, forged)
            runs = [first, await session.goto("daten"), await session.goto("massnahmen"), await session.goto("")]
        return [run.problems() for run in runs]
    finally:
        await session.close()


@pytest.mark.parametrize("widget_id", SESSION_KEYS)
def test_a_forged_widget_id_breaks_nothing(server, widget_id):
    assert asyncio.run(forge(server, widget_id)) == [[], [], [], []]
