"""Who is asking, for a Starlette request: the client's address and whether the line is encrypted.

The rule itself is mayen_dash.clients.client_address: X-Forwarded-For and X-Forwarded-Proto are
believed only from the proxies named in MAYEN_TRUSTED_PROXIES (addresses or networks,
comma-separated, e.g. "127.0.0.1" for an nginx on the same machine); from anyone else they are the
client's own words and could name any address. Every rule that counts per client (the sign-in
lockout, the API's rate limit) asks here.
"""

from __future__ import annotations

import os

from starlette.requests import HTTPConnection

from mayen_dash.clients import TRUSTED_PROXIES_ENV, is_trusted, trusted_proxies
from mayen_dash.clients import client_address as address_behind

__all__ = ["TRUSTED_PROXIES_ENV", "client_address", "is_secure"]

MAX_ADDRESS = 64


def _peer(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else ""


def client_address(connection: HTTPConnection) -> str:
    """The address the request came from: the proxy's word for it if the peer is a trusted proxy."""
    forwarded = ", ".join(connection.headers.getlist("x-forwarded-for")) or None
    address = address_behind(_peer(connection), forwarded, trusted_proxies(os.environ))
    return address[:MAX_ADDRESS] or "unbekannt"


def is_secure(connection: HTTPConnection) -> bool:
    """Whether the browser speaks HTTPS with us (directly, or to a trusted proxy in front)."""
    if connection.url.scheme in {"https", "wss"}:
        return True
    if is_trusted(_peer(connection), trusted_proxies(os.environ)):
        return connection.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower() == "https"
    return False
