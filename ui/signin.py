"""Who may change the data in this session, and the way to sign in and out at the foot of the sidebar.

An editor is a browser that holds the signed editor cookie (mayen_dash.access), set by the server's
own sign-in page (web/auth.py) and checked here on every script run. Nothing about signing in is
kept in the session: a session resumed by someone who only knows its id is a reader.
"""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import quote, urlsplit

import streamlit as st
from streamlit import config

from mayen_dash.access import (
    EDITOR_COOKIE,
    HOW_TO_ENABLE_EDITING,
    OIDC,
    OPEN,
    PASSWORD,
    READ_ONLY,
    AccessPolicy,
    token_expiry,
    token_key,
)
from mayen_dash.formatting import escape_markdown
from mayen_dash.settings import time_zone

from .data import store_unavailable

SIGN_IN_PATH = "/anmelden"
SIGN_OUT_PATH = "/abmelden"


def access() -> AccessPolicy:
    """This installation's rule for editors, read from the environment and .streamlit/secrets.toml."""
    try:
        secrets = st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml: nothing configured
        secrets = {}
    return AccessPolicy.from_settings(os.environ, secrets)


def editor_key(policy: AccessPolicy | None = None) -> bytes:
    """The key of the editor cookie: from the password hash, and server.cookieSecret where one is set."""
    secret = config.get_option("server.cookieSecret") if config.is_manually_set("server.cookieSecret") else ""
    return token_key((policy or access()).password_hash, secret or "")


def editor_cookie() -> str | None:
    """The editor cookie of this session's browser, as it connected; None without one (or outside a server)."""
    return st.context.cookies.get(EDITOR_COOKIE)


def signed_in_until() -> dt.datetime | None:
    """Until when this browser is signed in as editor with the password; None when it is not."""
    return token_expiry(editor_cookie(), editor_key(), dt.datetime.now(dt.UTC))


def can_edit() -> bool:
    """Whether this session may upload, edit, save and delete."""
    mode = access().mode
    if mode == OPEN:
        return True
    if mode == OIDC:
        return bool(st.user.is_logged_in)
    if mode == PASSWORD:
        return signed_in_until() is not None
    return False


def _here() -> str:
    """This page's path, for the sign-in page to return to."""
    return urlsplit(st.context.url or "/").path or "/"


def editor_sidebar() -> None:
    """Sign in and out at the foot of the sidebar, as the installation's rule asks."""
    mode = access().mode
    sidebar = st.sidebar
    if mode == OPEN:
        return
    sidebar.divider()
    if mode == READ_ONLY:
        sidebar.caption("Nur Lesen: Bearbeiten ist auf dieser Installation nicht eingerichtet.")
    elif mode == OIDC:
        if st.user.is_logged_in:
            sidebar.caption(f"Angemeldet: {escape_markdown(str(st.user.get('name') or st.user.get('email') or ''))}")
            sidebar.button("Abmelden", on_click=st.logout)
        else:
            sidebar.button("Als Bearbeiter anmelden", on_click=st.login)
    elif until := signed_in_until():
        sidebar.caption(f"Als Bearbeiter angemeldet bis {until.astimezone(time_zone()):%H:%M} Uhr.")
        sidebar.link_button("Abmelden", f"{SIGN_OUT_PATH}?weiter={quote(_here())}")
    else:
        sidebar.link_button("Als Bearbeiter anmelden", f"{SIGN_IN_PATH}?weiter={quote(_here())}")


def editors_only(action: str) -> bool:
    """True for an editor; for anyone else, say why `action` is not offered and how to get it."""
    if can_edit():
        if not store_unavailable():
            return True
        st.info(f"{action} ist gerade nicht möglich: die Datenbank ist nicht erreichbar (siehe Hinweis oben).")
        return False
    if access().mode == READ_ONLY:
        st.info(f"{action}: {HOW_TO_ENABLE_EDITING}")
    else:
        st.info(f"{action} ist nur für angemeldete Bearbeiter möglich. Die Anmeldung steht unten im Seitenmenü.")
    return False
