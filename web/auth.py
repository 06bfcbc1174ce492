"""The editor's sign-in and sign-out pages: the only place where the editor cookie is set and cleared.

The password is checked here, outside Streamlit's script runs: a guess costs the attacker one
scrypt (about 50 ms, in a worker thread), never another reader's filter change. Wrong passwords
are counted per client address and for the whole installation in the store, so that a reload, a
new tab, a second app server or a restart gives no fresh tries (mayen_dash.access.next_attempt).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from urllib.parse import urlsplit

from anyio import to_thread
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from mayen_dash.access import EDITOR_COOKIE, PASSWORD, SIGN_IN_HOURS, editor_token, next_attempt, verify_password
from mayen_dash.installation import installation
from mayen_dash.settings import time_zone
from mayen_dash.store import StoreError
from ui.signin import SIGN_IN_PATH, SIGN_OUT_PATH, access, editor_key

from .clients import client_address, is_secure

log = logging.getLogger(__name__)

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=select_autoescape(["html"])
)


def _now() -> dt.datetime:
    """The time of a sign-in attempt; a function so that tests can set the clock."""
    return dt.datetime.now(dt.UTC)


def safe_next(target: str | None) -> str:
    """Where to go after signing in or out: a path of this dashboard, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def _same_origin(request: Request) -> bool:
    """A form sent from this dashboard's own page (the cookie is SameSite=Strict; this also stops login CSRF)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True  # browsers that send neither header cannot be told apart; the cookie rules still hold
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _page(heading: str, *, status: int = 200, message: str = "", next_path: str = "/", **context: object) -> Response:
    html = _templates.get_template("anmelden.html").render(
        heading=heading, message=message, next=next_path, hours=SIGN_IN_HOURS, **context
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _locked_message(until: dt.datetime) -> str:
    local = until.astimezone(time_zone())
    return (
        "Zu viele falsche Kennwörter. Eine neue Anmeldung ist ab "
        f"{local:%H:%M:%S} Uhr am {local:%d.%m.%Y} wieder möglich."
    )


def _sign_in_page(message: str = "", status: int = 200, next_path: str = "/", can_try: bool = True) -> Response:
    return _page(
        "Anmeldung für Bearbeiter",
        status=status,
        message=message,
        next_path=next_path,
        action=SIGN_IN_PATH,
        can_try=can_try,
    )


async def sign_in_form(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("weiter"))
    if access().mode != PASSWORD:
        return _sign_in_page(
            "Auf dieser Installation gibt es keine Anmeldung mit Kennwort.", next_path=next_path, can_try=False
        )
    return _sign_in_page(next_path=next_path)


async def sign_in(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=4, max_part_size=4096)
    next_path = safe_next(str(form.get("weiter", "")))
    policy = access()
    if policy.mode != PASSWORD:
        return _sign_in_page("Auf dieser Installation gibt es keine Anmeldung mit Kennwort.", 404, next_path, False)
    if not _same_origin(request):
        return _sign_in_page("Die Anmeldung muss von dieser Seite aus erfolgen.", 403, next_path)
    client, now = client_address(request), _now()
    store = installation().store
    try:
        wait = next_attempt(*await to_thread.run_sync(store.sign_in_failures, client, now))
        if wait and wait > now:
            return _sign_in_page(_locked_message(wait), 429, next_path, can_try=False)
        password = str(form.get("kennwort", ""))
        if not await to_thread.run_sync(verify_password, password, policy.password_hash):
            await to_thread.run_sync(store.record_sign_in_failure, client, now)
            log.warning("wrong editor password from %s", client)
            return _sign_in_page("Das Kennwort stimmt nicht.", 401, next_path)
        await to_thread.run_sync(store.clear_sign_in_failures, client)
    except StoreError:
        log.exception("sign-in: the store cannot count failed attempts")
        return _sign_in_page("Die Anmeldung ist gerade nicht möglich. Bitte später erneut versuchen.", 503, next_path)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        EDITOR_COOKIE,
        editor_token(editor_key(policy), now),
        max_age=SIGN_IN_HOURS * 3600,
        path="/",
        secure=is_secure(request),
        httponly=True,
        samesite="strict",
    )
    log.info("editor signed in from %s", client)
    return response


async def sign_out_form(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("weiter"))
    return _page("Abmelden", next_path=next_path, action=SIGN_OUT_PATH, sign_out=True)


async def sign_out(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=2, max_part_size=1024)
    response = RedirectResponse(safe_next(str(form.get("weiter", ""))), status_code=303)
    response.delete_cookie(EDITOR_COOKIE, path="/", secure=is_secure(request), httponly=True, samesite="strict")
    return response


def routes() -> list[BaseRoute]:
    return [
        Route(SIGN_IN_PATH, sign_in_form, methods=["GET"]),
        Route(SIGN_IN_PATH, sign_in, methods=["POST"]),
        Route(SIGN_OUT_PATH, sign_out_form, methods=["GET"]),
        Route(SIGN_OUT_PATH, sign_out, methods=["POST"]),
    ]
