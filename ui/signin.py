"""Who may change the data in this session, and signing in and out at the foot of the sidebar."""

from __future__ import annotations

import os

import streamlit as st

from mayen_dash.access import HOW_TO_ENABLE_EDITING, OIDC, OPEN, PASSWORD, READ_ONLY, AccessPolicy, verify_password
from mayen_dash.formatting import escape_markdown

from . import keys

MAX_FAILED_LOGINS = 5


def access() -> AccessPolicy:
    """This installation's rule for editors, read from the environment and .streamlit/secrets.toml."""
    try:
        secrets = st.secrets.to_dict()
    except FileNotFoundError:  # no secrets.toml: nothing configured
        secrets = {}
    return AccessPolicy.from_settings(os.environ, secrets)


def can_edit() -> bool:
    """Whether this session may upload, edit, save and delete."""
    mode = access().mode
    if mode == OPEN:
        return True
    if mode == OIDC:
        return bool(st.user.is_logged_in)
    if mode == PASSWORD:
        return bool(st.session_state.get(keys.EDITOR))
    return False


def _check_password() -> None:
    state = st.session_state
    if state.get(keys.FAILED_LOGINS, 0) >= MAX_FAILED_LOGINS:
        return
    if verify_password(state.get(keys.PASSWORD, ""), access().password_hash):
        state[keys.EDITOR] = True
        state[keys.FAILED_LOGINS] = 0
    else:
        state[keys.FAILED_LOGINS] = state.get(keys.FAILED_LOGINS, 0) + 1
    state[keys.PASSWORD] = ""


def _sign_out() -> None:
    st.session_state[keys.EDITOR] = False


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
    elif st.session_state.get(keys.EDITOR):
        sidebar.caption("Als Bearbeiter angemeldet.")
        sidebar.button("Abmelden", on_click=_sign_out)
    elif st.session_state.get(keys.FAILED_LOGINS, 0) >= MAX_FAILED_LOGINS:
        sidebar.error("Zu viele falsche Kennwörter. Bitte die Seite später neu laden.")
    else:
        with sidebar.form("editor_login", clear_on_submit=True, border=False):
            st.text_input("Kennwort für Bearbeiter", type="password", key=keys.PASSWORD)
            st.form_submit_button("Anmelden", on_click=_check_password)
        if st.session_state.get(keys.FAILED_LOGINS):
            sidebar.warning("Das Kennwort stimmt nicht.")


def editors_only(action: str) -> bool:
    """True for an editor; for anyone else, say why `action` is not offered and how to get it."""
    if can_edit():
        return True
    if access().mode == READ_ONLY:
        st.info(f"{action}: {HOW_TO_ENABLE_EDITING}")
    else:
        st.info(f"{action} ist nur für angemeldete Bearbeiter möglich. Die Anmeldung steht unten im Seitenmenü.")
    return False
