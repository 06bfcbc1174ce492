"""Uploaded bytes are let go once their session is gone, against a real server on loopback.

The attack of the issue: PUT /_stcore/upload_file/<session>/<file> with a self-made XSRF cookie and
header, 24 MB at a time, then leave; the bytes were still held 17 minutes later. The server's own
metrics (served on an installation that is not shared) say how many bytes its upload manager holds.
"""

from __future__ import annotations

import asyncio
import http.client
import re
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string
from streamlit.web.server.starlette.starlette_server_config import XSRF_COOKIE_NAME

from bench.streamlit_client import Session
from tests.live import Client, live_server
from web import uploads
from web.uploads import SWEEP_SECONDS

ROOT = Path(__file__).resolve().parent.parent
UPLOAD_BYTES = 5 * 1024 * 1024
HELD = re.compile(r'^cache_memory_bytes\{cache_type="UploadedFileManager"[^}]*\}\s+(\d+)', re.MULTILINE)


class Tab(Session):
    """The protocol client, remembering the session id the server gave it (part of every upload URL)."""

    session_id = ""

    def _resolve(self, message):
        if message.WhichOneof("type") == "new_session":
            self.session_id = message.new_session.initialize.session_id
        return super()._resolve(message)


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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = ROOT / "test-artifacts" / "server" / "server-uploads.log"
    with live_server(tmp_path_factory.mktemp("mayen-uploads"), log) as url:
        yield url


def held(client: Client) -> int:
    """Bytes the server's upload manager holds, from its metrics (no line while it holds no file)."""
    reply = client.get("/_stcore/metrics")
    assert reply.status == 200
    return sum(int(found) for found in HELD.findall(reply.text()))


@pytest.mark.server
def test_uploaded_bytes_are_released_once_their_session_has_left(server):
    client = Client(server)

    async def upload_and_leave() -> None:
        session, _run = await Tab.open(server)
        try:
            assert session.session_id
            for _ in range(2):
                status = put(server, session.session_id, str(uuid.uuid4()), "gross.csv", b"x" * UPLOAD_BYTES)
                assert status in (200, 204)
            assert held(client) >= 2 * UPLOAD_BYTES, "the uploads are held while the session is there"
        finally:
            await session.close()

    asyncio.run(upload_and_leave())
    deadline = time.monotonic() + 3 * SWEEP_SECONDS + 10
    while held(client) and time.monotonic() < deadline:
        time.sleep(1)
    assert held(client) == 0, "Streamlit keeps a closed tab's session for two minutes and then drops it unreleased"


class FakeRuntime:
    """What the sweep asks of Streamlit's runtime: its upload manager, and which sessions are connected."""

    def __init__(self, connected: set[str]) -> None:
        self.uploaded_file_mgr = MemoryUploadedFileManager("/_stcore/upload_file")
        self.connected = connected

    def is_active_session(self, session_id: str) -> bool:
        return session_id in self.connected


def add(runtime: FakeRuntime, session_id: str, file_id: str) -> None:
    runtime.uploaded_file_mgr.add_file(session_id, UploadedFileRec(file_id, "a.csv", "text/csv", b"x" * 10))


def test_the_sweep_releases_only_the_files_of_sessions_that_are_not_connected():
    runtime = FakeRuntime({"da"})
    add(runtime, "da", "1")
    add(runtime, "weg", "2")
    add(runtime, "erfunden", "3")  # a session id nobody ever had
    assert uploads.sweep(runtime) == 2
    assert list(runtime.uploaded_file_mgr.file_storage) == ["da"]
    assert uploads.sweep(runtime) == 0


def test_stored_uploads_are_released_by_the_page(monkeypatch):
    runtime = FakeRuntime({"da"})
    add(runtime, "da", "1")
    add(runtime, "da", "2")
    monkeypatch.setattr(uploads, "get_script_run_ctx", lambda: SimpleNamespace(session_id="da"))
    monkeypatch.setattr(uploads.Runtime, "exists", staticmethod(lambda: True))
    monkeypatch.setattr(uploads.Runtime, "instance", staticmethod(lambda: runtime))
    stored = runtime.uploaded_file_mgr.get_files("da", ["1"])
    uploads.release(stored)
    assert [f.file_id for f in runtime.uploaded_file_mgr.get_files("da", ["1", "2"])] == ["2"]
