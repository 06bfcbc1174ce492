"""A real dashboard server on loopback for the tests of its routes, and a plain HTTP client for it.

The routes for other systems need no browser: these tests start `streamlit run server.py` as the
browser tests do (tests/browser/serving.py) and speak HTTP to it with the standard library. The
client can connect from any 127.0.0.x address, so that each test is a client of its own for the
rate limit, and one address can play the trusted reverse proxy.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.serving import ServerError, dashboard_server

STARTUP_SECONDS = 60
# The address that plays the city's reverse proxy in the shared server's MAYEN_TRUSTED_PROXIES.
PROXY = "127.0.0.2"
_sources = itertools.count(10)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> dict:
        assert self.headers.get_content_type() in ("application/json", "application/ld+json"), self.headers
        return json.loads(self.body)

    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass(frozen=True)
class Client:
    """HTTP to the server from one loopback source address (a client of its own for the rate limit)."""

    url: str
    source: str = "127.0.0.1"

    def request(self, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
        parts = urllib.parse.urlsplit(self.url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30, source_address=(self.source, 0))
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            connection.close()

    def get(self, path: str, **headers: str) -> Reply:
        return self.request(path, {name.replace("_", "-"): value for name, value in headers.items()})


def next_source() -> str:
    """A loopback address no other test of this session has used."""
    number = next(_sources)
    return f"127.0.{number // 250}.{number % 250 + 3}"


@contextlib.contextmanager
def live_server(data_dir: Path, log_path: Path, environment: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run server.py` with its own data folder and `environment`; yields its base URL."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        try:
            with dashboard_server(data_dir, log, STARTUP_SECONDS, environment=environment) as (url, _seconds):
                yield url
        except ServerError as error:
            pytest.fail(f"{error}:\n{log_path.read_text()[-3000:]}")
