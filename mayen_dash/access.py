"""Who may change the data: the rule, and passwords stored only as salted scrypt hashes.

Reading is public. Uploading, editing, saving and deleting need an editor when
the installation is shared (MAYEN_SHARED=1, as `make serve` sets it):
signed in through OpenID Connect where `[auth]` is configured in
.streamlit/secrets.toml, else with the editor password whose hash is stored
there. A shared installation with neither is read-only. On one's own machine
(`make run`) everyone is an editor, as a desktop program would be.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OPEN, OIDC, PASSWORD, READ_ONLY = "open", "oidc", "password", "read_only"
TRUE_WORDS = {"1", "true", "ja", "yes", "on"}

# scrypt cost: about 50 ms per check here, so guessing is slow and a login stays quick.
_N, _R, _P = 2**14, 8, 1

HOW_TO_ENABLE_EDITING = (
    "Diese Installation ist nur zum Lesen freigegeben. Zum Bearbeiten muss der Betrieb entweder eine "
    "Anmeldung über den Anmeldedienst der Verwaltung (OpenID Connect, Abschnitt [auth]) oder ein "
    "Bearbeiter-Kennwort in .streamlit/secrets.toml einrichten; siehe README, Abschnitt „Für andere bereitstellen“."
)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """A storable hash: scrypt$N$r$p$salt$hash, salt and hash in base64."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    encode = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${encode(salt).decode()}${encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches a hash from hash_password; a malformed hash matches nothing."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt, validate=True),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(frozen=True)
class AccessPolicy:
    """How this installation decides who is an editor."""

    shared: bool = False
    oidc: bool = False
    password_hash: str = ""

    @property
    def mode(self) -> str:
        if not self.shared:
            return OPEN
        if self.oidc:
            return OIDC
        if self.password_hash:
            return PASSWORD
        return READ_ONLY

    @classmethod
    def from_settings(cls, environment: Mapping[str, str], secrets: Mapping[str, Any]) -> AccessPolicy:
        """The policy from the environment (MAYEN_SHARED) and the secrets file's contents."""
        auth = secrets.get("auth") or {}
        editor = secrets.get("mayen") or {}
        return cls(
            shared=str(environment.get("MAYEN_SHARED", "")).strip().lower() in TRUE_WORDS,
            oidc=isinstance(auth, Mapping) and bool(auth.get("redirect_uri") and auth.get("cookie_secret")),
            password_hash=str(editor.get("editor_password_hash", "")) if isinstance(editor, Mapping) else "",
        )


# --- the editor's sign-in, bound to the browser --------------------------------------------------------
#
# A signed-in editor is a browser that holds EDITOR_COOKIE, never a Streamlit session: a session
# can be resumed by anyone who presents its id, and that id is part of every upload URL. The cookie
# is set by the server's own sign-in route (web/auth.py), HttpOnly and SameSite=Strict, and checked
# on every script run (ui/signin.py).

EDITOR_COOKIE = "mayen_bearbeiter"
SIGN_IN_HOURS = 8


def token_key(password_hash: str, server_secret: str = "") -> bytes:
    """The key that signs editor cookies.

    Derived from the editor password's hash (and Streamlit's server.cookieSecret where the
    operator set one), so that every app server of an installation accepts the same cookie,
    a restart keeps editors signed in, and a new password signs every editor out.
    """
    return hashlib.sha256(b"mayen editor cookie\0" + server_secret.encode() + b"\0" + password_hash.encode()).digest()


def _signature(key: bytes, payload: str) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, payload.encode(), hashlib.sha256).digest()).decode().rstrip("=")


def editor_token(key: bytes, now: dt.datetime, hours: int = SIGN_IN_HOURS) -> str:
    """A cookie value that says "signed in until now + hours", signed with `key`."""
    expires = int((now + dt.timedelta(hours=hours)).timestamp())
    payload = f"{expires}.{secrets.token_urlsafe(12)}"
    return f"{payload}.{_signature(key, payload)}"


def token_expiry(token: str | None, key: bytes, now: dt.datetime) -> dt.datetime | None:
    """When the signed-in state of `token` ends; None for a missing, forged, malformed or expired token."""
    if not token or token.count(".") != 2:
        return None
    payload, _, signature = token.rpartition(".")
    if not hmac.compare_digest(signature, _signature(key, payload)):
        return None
    try:
        expires = dt.datetime.fromtimestamp(int(payload.split(".")[0]), dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return expires if expires > now else None


# --- wrong passwords: growing waits, then a lock --------------------------------------------------------

FAILURE_WINDOW = dt.timedelta(minutes=15)  # failures are forgotten after this long without another
FREE_ATTEMPTS = 3  # per client, before the first wait
MAX_WAIT = dt.timedelta(minutes=5)
CLIENT_LOCK_AFTER = 10  # failures of one client address in the window
INSTALLATION_LOCK_AFTER = 50  # failures of all clients together in the window
LOCK = dt.timedelta(minutes=15)
INSTALLATION = "*"  # the counter of all clients together


@dataclass(frozen=True)
class SignInFailures:
    """Wrong passwords of one client address (or of all, INSTALLATION) with no pause of FAILURE_WINDOW."""

    count: int = 0
    last: dt.datetime | None = None


def next_attempt(client: SignInFailures, installation: SignInFailures) -> dt.datetime | None:
    """When the next password may be tried; None means now.

    After FREE_ATTEMPTS wrong passwords a client waits 1 s, then 2, 4, 8 … up to MAX_WAIT; after
    CLIENT_LOCK_AFTER it is locked for LOCK. Guesses spread over many addresses meet the
    installation's own lock after INSTALLATION_LOCK_AFTER wrong passwords in the window.
    """
    waits = []
    if client.last and client.count >= CLIENT_LOCK_AFTER:
        waits.append(client.last + LOCK)
    elif client.last and client.count >= FREE_ATTEMPTS:
        waits.append(client.last + min(MAX_WAIT, dt.timedelta(seconds=2 ** (client.count - FREE_ATTEMPTS))))
    if installation.last and installation.count >= INSTALLATION_LOCK_AFTER:
        waits.append(installation.last + LOCK)
    return max(waits) if waits else None
