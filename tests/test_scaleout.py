"""Two app servers on one PostgreSQL: what an editor stores or deletes on one, the other shows at its next run.

Both servers are real (`streamlit run server.py`, tests/live.py) with data folders of their own
and the same MAYEN_DB_URL, as behind a reverse proxy. The editor works on server A as a browser
tab does, over Streamlit's websocket with the project's protocol client (bench/streamlit_client.py):
pastes a report's text on the page „Daten“, presses „Diese Daten verwenden“, later „Endgültig
löschen“. Server B is watched through its open data and through a tab opened before the upload,
whose next runs must offer the new Stand in the sidebar's „Stand“ and then no longer offer it. A
server that kept its list of Stände (or a deleted Stand's report) per process fails here.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.streamlit_client import Run, Session
from mayen_dash.formatting import escape_markdown
from mayen_dash.loader import PASTED_NAME, load_report
from tests import documents, postgres
from tests.builders import BUNDLED
from tests.live import Client, live_server, next_source

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
NEW_DATE = dt.date(2023, 6, 30)
NEW_LABEL = f"Stand 30.06.2023 – {PASTED_NAME}"
PASTE_BOX = "Text des Statusberichts"
SAVE = "Diese Daten verwenden"
DELETE = "Endgültig löschen"


class EditorTab(Session):
    """A tab that also types into a text area and presses buttons, which the load test's client does not track.

    The text typed is sent again with every later run, as the browser's frontend keeps a widget's value.
    It builds on the client's own widget bookkeeping and rerun request (`_widgets`, `_rerun`), so that the
    load test's client stays as small as it is.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._typed: dict[str, WidgetState] = {}

    async def type_text(self, run: Run, label: str, text: str) -> Run:
        state = WidgetState(id=widget(run, "text_area", label).id, string_value=text)
        self._typed[state.id] = state
        return await self._send()

    async def press(self, run: Run, label: str) -> Run:
        return await self._send(WidgetState(id=widget(run, "button", label).id, trigger_value=True))

    async def _send(self, *once: WidgetState) -> Run:
        tracked = [value for _script, value in self._widgets.values()]
        return await self._rerun(
            query_string=self.query_string,
            page_script_hash=self.page_script_hash,
            widgets=[*tracked, *self._typed.values(), *once],
            timeout=60,
        )


def widget(run: Run, kind: str, label: str) -> object:
    """The first widget of this kind and label that the run drew; fails the test when there is none."""
    for _seconds, element in run.elements:
        if element.WhichOneof("type") == kind and getattr(element, kind).label == label:
            return getattr(element, kind)
    pytest.fail(f"kein {kind} „{label}“ im Lauf; gezeigt: {run.text()[:2000]}")


def stand_options(run: Run) -> list[str]:
    """The Stände the sidebar's select box offers, newest first, and (first) the one shown."""
    select = widget(run, "selectbox", "Stand")
    shown = select.raw_value if select.set_value else select.options[select.default]
    return [shown, *select.options]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, postgres_server: postgres.PostgresServer) -> Iterator[list[str]]:
    """Two dashboards on one database; the first seeds the bundled report, the second finds it."""
    url = postgres_server.create_database("scaleout")
    environment = {"MAYEN_DB_URL": url, "MAYEN_SHARED": ""}
    with contextlib.ExitStack() as stack:
        bases = [
            stack.enter_context(
                live_server(
                    tmp_path_factory.mktemp(f"mayen-{name}"),
                    ROOT / "test-artifacts" / "server" / f"server-scaleout-{name}.log",
                    environment,
                )
            )
            for name in ("a", "b")
        ]
        yield bases
    postgres_server.drop_database(url)


def pasted_report() -> str:
    """The bundled report's text as copied out of its PDF, under a Stichtag not stored yet."""
    bundled = load_report(BUNDLED.read_bytes(), BUNDLED.name)
    return documents.report_text(replace(bundled, report_date=NEW_DATE)).decode("utf-8")


async def scenario(a: str, b: str) -> dict[str, Any]:
    """Upload and delete on A, with a tab on B that reruns after each; what B showed at every step."""
    api = Client(b, next_source())
    seen: dict[str, Any] = {"before": api.get("/api/v1/staende.json").json()}
    watcher, first = await Session.open(b)
    editor, _ = await EditorTab.open(a)
    try:
        seen["tab before"] = stand_options(first)
        daten = await editor.goto("daten")
        typed = await editor.type_text(daten, PASTE_BOX, pasted_report())
        assert typed.problems() == []
        saved = await editor.press(typed, SAVE)
        assert saved.problems() == []
        assert f"Gespeichert und angezeigt: {escape_markdown(NEW_LABEL)}." in saved.text()
        seen["stored"] = api.get("/api/v1/staende.json").json()
        seen["tab stored"] = stand_options(await watcher.goto("daten"))
        new_id = seen["stored"]["newest_snapshot_id"]
        seen["measures stored"] = api.get(f"/api/v1/massnahmen.json?stand={new_id}")
        deleted = await editor.press(saved, DELETE)
        assert deleted.problems() == []
        assert f"Gelöscht: {escape_markdown(NEW_LABEL)}." in deleted.text()
        seen["deleted"] = api.get("/api/v1/staende.json").json()
        seen["measures deleted"] = api.get(f"/api/v1/massnahmen.json?stand={new_id}")
        seen["tab deleted"] = stand_options(await watcher.goto(""))
    finally:
        await editor.close()
        await watcher.close()
    return seen


def test_a_stand_stored_and_deleted_on_one_server_is_seen_by_the_other_at_its_next_run(servers):
    seen = asyncio.run(scenario(*servers))
    bundled_id = seen["before"]["newest_snapshot_id"]
    assert [s["id"] for s in seen["before"]["snapshots"]] == [bundled_id]
    assert NEW_LABEL not in seen["tab before"]

    new_id = seen["stored"]["newest_snapshot_id"]
    assert [s["id"] for s in seen["stored"]["snapshots"]] == [bundled_id, new_id]
    assert seen["stored"]["snapshots"][-1]["file_name"] == PASTED_NAME
    assert seen["tab stored"][1:3] == [NEW_LABEL, seen["tab before"][1]], "the new Stand is offered, newest first"
    assert seen["tab stored"][0] == NEW_LABEL, "and shown, being the newest"
    measures = seen["measures stored"]
    assert (measures.status, measures.json()["snapshot"]["id"], measures.json()["count"]) == (200, new_id, 101)

    assert [s["id"] for s in seen["deleted"]["snapshots"]] == [bundled_id]
    refused = seen["measures deleted"]
    assert refused.status == 400
    assert refused.json()["message"].startswith(f"Unbekannter Stand „{new_id}“.")
    assert refused.json()["allowed"] == [str(bundled_id)]
    assert NEW_LABEL not in seen["tab deleted"]
    assert seen["tab deleted"] == seen["tab before"], "the tab that showed the deleted Stand is back on the bundled one"
