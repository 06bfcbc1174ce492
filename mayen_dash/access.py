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
import hashlib
import hmac
import os
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
