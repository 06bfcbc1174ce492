"""Two app servers on one PostgreSQL: what one changes, the other shows at its next run.

Both servers are started by this test on a throwaway PostgreSQL (tests/postgres.py). A Stand is
deleted on one through its Daten page ("Endgültig löschen", clicked as a browser's tab would with
the project's protocol client), then a file is uploaded and stored there; the other server, which
had the deleted Stand parsed in memory, lists and serves it no more and shows the new one, both on its
pages and in its open-data API, without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string
from streamlit.web.server.starlette.starlette_server_config import XSRF_COOKIE_NAME

from bench.streamlit_client import Run, Session
from mayen_dash.loader import load_report
from mayen_dash.store import SnapshotStore
from tests import postgres
from tests.builders import BUNDLED, csv_bytes
from tests.live import Client, live_server
from tests.test_uploads import held

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
NEWER = ("status_2023-06.csv", [["Maßnahme", "Status"], ["Neue Maßnahme", "offen"], ["Zweite", "erledigt"]])
UPLOADED = ("status_2024-03.csv", [["Maßnahme", "Status"], ["Hochgeladen", "offen"]])


class Tab(Session):
    """The protocol client with what this test needs besides: buttons, the upload widget and the session id."""

    session_id = ""

    def _resolve(self, message):
        if message.WhichOneof("type") == "new_session":
            self.session_id = message.new_session.initialize.session_id
        return super()._resolve(message)

    async def click(self, run: Run, label: str) -> Run:
        """Press the button with this label that the run drew, as a click in the browser does."""
        button = next(
            e.button for _s, e in run.elements if e.WhichOneof("type") == "button" and e.button.label == label
        )
        press = WidgetState(id=button.id, trigger_value=True)
        return await self._send([*self._states(), press])

    async def upload(self, run: Run, base_url: str, name: str, data: bytes) -> Run:
        """Send a file to the upload widget drawn in `run` as the browser does: PUT the bytes, then the state."""
        uploader = elements(run, "file_uploader")[0].file_uploader
        file_id = str(uuid.uuid4())
        assert put(base_url, self.session_id, file_id, name, data) in (200, 204)
        state = WidgetState(id=uploader.id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.file_id, info.name, info.size = file_id, name, len(data)
        info.file_urls.upload_url = f"/_stcore/upload_file/{self.session_id}/{file_id}"
        info.file_urls.delete_url = info.file_urls.upload_url
        return await self._send([*self._states(), state])

    def _states(self) -> list[WidgetState]:
        return [value for _script, value in self._widgets.values()]

    async def _send(self, widgets: list[WidgetState]) -> Run:
        return await self._rerun(
            query_string=self.query_string, page_script_hash=self.page_script_hash, widgets=widgets, timeout=60
        )


def put(base_url: str, session_id: str, file_id: str, name: str, data: bytes) -> int:
    token = generate_xsrf_token_string()
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    address = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request(
            "PUT",
            f"/_stcore/upload_file/{session_id}/{file_id}",
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": f"{XSRF_COOKIE_NAME}={token}",
                "X-Xsrftoken": token,
            },
        )
        return connection.getresponse().status
    finally:
        connection.close()


def stand_options(run: Run) -> list[str]:
    """The options of the sidebar's "Stand" select box, as the run drew it."""
    box = next(
        e.selectbox for _s, e in run.elements if e.WhichOneof("type") == "selectbox" and e.selectbox.label == "Stand"
    )
    return list(box.options)


def elements(run: Run, kind: str) -> list[Element]:
    return [e for _s, e in run.elements if e.WhichOneof("type") == kind]


@pytest.fixture(scope="module")
def database() -> Iterator[postgres.PostgresServer]:
    yield from postgres.postgres_for_session()


@pytest.fixture(scope="module")
def servers(database: postgres.PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Two dashboard servers on one new database that holds the bundled report and a newer Stand."""
    with contextlib.ExitStack() as stack:
        url = database.create_database("scale")
        store = SnapshotStore(url)
        for name, data in ((BUNDLED.name, BUNDLED.read_bytes()), (NEWER[0], csv_bytes(NEWER[1]))):
            store.add(data, name, load_report(data, name))
        store.close()
        bases = [
            stack.enter_context(
                live_server(
                    tmp_path_factory.mktemp(f"mayen-scale-{side}"),
                    ROOT / "test-artifacts" / "server" / f"server-scale-{side}.log",
                    {"MAYEN_DB_URL": url},
                )
            )
            for side in ("a", "b")
        ]
        yield bases[0], bases[1]


def stande(base: str) -> list[str]:
    return [s["file_name"] for s in Client(base).get("/api/v1/staende.json").json()["snapshots"]]


def test_a_deletion_and_an_upload_on_one_server_are_seen_by_the_other_at_its_next_run(servers):
    a, b = servers

    async def scenario() -> None:
        reader, first = await Tab.open(b)  # reads the newer Stand: now parsed in server B's memory
        editor, _ = await Tab.open(a)
        try:
            assert stand_options(first)[0].endswith(NEWER[0])
            assert any(m.metric.body == "2" for m in elements(first, "metric") if m.metric.label == "Maßnahmen")
            daten = await editor.goto("daten")
            deleted = await editor.click(daten, "Endgültig löschen")
            assert any("Gelöscht" in e.alert.body for e in elements(deleted, "alert")), deleted.problems()
            seen = await reader.goto("status")  # B's next run
            assert [o for o in stand_options(seen) if NEWER[0] in o] == []
            assert stande(b) == [BUNDLED.name]
            daten = await editor.goto("daten")
            checked = await editor.upload(daten, a, UPLOADED[0], csv_bytes(UPLOADED[1]))
            stored = await editor.click(checked, "Diese Daten verwenden")
            assert not stored.problems(), stored.problems()
            assert held(Client(a)) == 0, "stored: the upload's bytes are let go while the session is still there"
            seen = await reader.goto("")
            assert stand_options(seen)[0].endswith(UPLOADED[0])
            assert stande(b) == [BUNDLED.name, UPLOADED[0]]
        finally:
            await reader.close()
            await editor.close()

    asyncio.run(scenario())
    assert stande(a) == stande(b)
