"""What the server refuses before Streamlit sees a request, on an installation shared with others.

Streamlit accepts a file upload from any session that presents a matching XSRF cookie and header,
both of which a client can make up; the upload widget is only drawn for editors, but the endpoint
behind it was open, and 24 MB at a time were held in memory. Here the upload endpoint itself needs
an editor, and a refusal is sent before a byte of the body is read. Streamlit's internal metrics
are not served to the public either.
"""

from __future__ import annotations

import datetime as dt
import json

from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME
from streamlit.web.server.starlette.starlette_websocket import _get_signed_cookie_with_chunks

from mayen_dash.access import EDITOR_COOKIE, OIDC, OPEN, PASSWORD, token_expiry
from ui.signin import access, editor_key

UPLOAD_PREFIX = "/_stcore/upload_file/"
METRICS_PATH = "/_stcore/metrics"
REFUSED = "Hochladen ist nur für angemeldete Bearbeiter möglich."


def _oidc_signed_in(connection: HTTPConnection) -> bool:
    """Whether st.login's own signed cookie says this browser is signed in (Streamlit 1.67's cookie format)."""
    decoded = _get_signed_cookie_with_chunks(dict(connection.cookies), USER_COOKIE_NAME)
    if not decoded:
        return False
    try:
        return bool(json.loads(decoded).get("is_logged_in"))
    except (ValueError, AttributeError):
        return False


def is_editor(connection: HTTPConnection) -> bool:
    """The same rule as ui.signin.can_edit, for a request outside a script run."""
    policy = access()
    if policy.mode == OPEN:
        return True
    if policy.mode == PASSWORD:
        token = connection.cookies.get(EDITOR_COOKIE)
        return token_expiry(token, editor_key(policy), dt.datetime.now(dt.UTC)) is not None
    if policy.mode == OIDC:
        return _oidc_signed_in(connection)
    return False


class SharedInstallationGuard:
    """ASGI middleware: uploads only from editors, no internal metrics for the public."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope.get("path", "")
            if path.startswith(UPLOAD_PREFIX) and scope["method"] != "OPTIONS":
                if not is_editor(HTTPConnection(scope)):
                    await PlainTextResponse(REFUSED, status_code=403)(scope, receive, send)
                    return
            elif path == METRICS_PATH and access().shared:
                await PlainTextResponse("Nicht gefunden.", status_code=404)(scope, receive, send)
                return
        await self.app(scope, receive, send)
