"""Who is asking: the client's address and whether the line is encrypted, as the installation's proxy says.

X-Forwarded-For and X-Forwarded-Proto are believed only from the proxies named in
MAYEN_TRUSTED_PROXIES (addresses, comma-separated, e.g. "127.0.0.1" for an nginx on the same
machine); from anyone else they are the client's own words and could name any address. Every rule
that counts per client (the sign-in lockout, the API's rate limit) asks here.
"""

from __future__ import annotations

import os

from starlette.requests import HTTPConnection

TRUSTED_PROXIES_ENV = "MAYEN_TRUSTED_PROXIES"
MAX_ADDRESS = 64


def trusted_proxies() -> frozenset[str]:
    return frozenset(p.strip() for p in os.environ.get(TRUSTED_PROXIES_ENV, "").split(",") if p.strip())


def _peer(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else ""


def client_address(connection: HTTPConnection) -> str:
    """The address the request came from: the proxy's word for it if the peer is a trusted proxy."""
    peer = _peer(connection)
    if peer in trusted_proxies():
        forwarded = [part.strip() for part in connection.headers.get("x-forwarded-for", "").split(",") if part.strip()]
        # The last address not of a trusted proxy: the one the outermost trusted proxy saw.
        for address in reversed(forwarded):
            if address not in trusted_proxies():
                return address[:MAX_ADDRESS]
    return peer[:MAX_ADDRESS] or "unbekannt"


def is_secure(connection: HTTPConnection) -> bool:
    """Whether the browser speaks HTTPS with us (directly, or to a trusted proxy in front)."""
    if connection.url.scheme in {"https", "wss"}:
        return True
    if _peer(connection) in trusted_proxies():
        return connection.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower() == "https"
    return False
