"""On a shared installation the upload endpoint itself needs an editor, refused before a byte is read."""

import asyncio
import datetime as dt

import pytest

from mayen_dash.access import EDITOR_COOKIE, AccessPolicy, editor_token, hash_password
from web import guard

POLICY = AccessPolicy(shared=True, password_hash=hash_password("richtig"))
UPLOAD = "/_stcore/upload_file/6b1f0c1e-session/1234-file"


async def _streamlit(scope, receive, send):
    await receive()  # Streamlit reads the body
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def call(path: str, method: str = "PUT", cookie: str = "") -> tuple[int, bytes, bool]:
    """Status, body and whether the request's body was read at all."""
    headers = [(b"cookie", cookie.encode())] if cookie else []
    scope = {"type": "http", "method": method, "path": path, "headers": headers}
    read = []
    messages = []

    async def receive():
        read.append(True)
        return {"type": "http.request", "body": b"x" * 1024, "more_body": False}

    async def send(message):
        messages.append(message)

    asyncio.run(guard.SharedInstallationGuard(_streamlit)(scope, receive, send))
    return messages[0]["status"], messages[1].get("body", b""), bool(read)


@pytest.fixture
def shared(monkeypatch):
    monkeypatch.setattr(guard, "access", lambda: POLICY)


def test_an_anonymous_upload_is_refused_unread(shared):
    status, body, read = call(UPLOAD)
    assert status == 403
    assert body.decode() == "Hochladen ist nur für angemeldete Bearbeiter möglich."
    assert not read


def test_a_forged_cookie_does_not_help(shared):
    assert call(UPLOAD, cookie=f"{EDITOR_COOKIE}=1999999999.abc.def")[0] == 403


def test_an_editors_upload_goes_through(shared):
    token = editor_token(guard.editor_key(POLICY), dt.datetime.now(dt.UTC))
    assert call(UPLOAD, cookie=f"{EDITOR_COOKIE}={token}") == (204, b"", True)
    assert call(UPLOAD, method="DELETE", cookie=f"{EDITOR_COOKIE}={token}")[0] == 204


def test_streamlits_metrics_are_not_public(shared):
    assert call("/_stcore/metrics", method="GET")[0] == 404
    assert call("/_stcore/health", method="GET")[0] == 204  # everything else is Streamlit's


def test_on_ones_own_machine_everyone_uploads(monkeypatch):
    monkeypatch.setattr(guard, "access", lambda: AccessPolicy(shared=False))
    assert call(UPLOAD)[0] == 204
    assert call("/_stcore/metrics", method="GET")[0] == 204


def test_a_read_only_installation_takes_no_upload(monkeypatch):
    monkeypatch.setattr(guard, "access", lambda: AccessPolicy(shared=True))
    assert call(UPLOAD)[0] == 403
