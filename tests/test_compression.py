"""Streamlit's bundles sent compressed: precompressed when `make run` wrote them, gzipped once otherwise."""

import asyncio
import gzip

import brotli
import pytest

from web import compression

BUNDLE = next(p for p in compression.bundles() if p.suffix == ".js" and p.stat().st_size > 100_000)
PATH = compression.PREFIX + BUNDLE.relative_to(compression.BUNDLES).as_posix()


async def _passed_through(scope, receive, send):
    await send({"type": "http.response.start", "status": 299, "headers": []})
    await send({"type": "http.response.body", "body": b"from Streamlit"})


def call(middleware, path: str = PATH, method: str = "GET", headers: dict[str, str] | None = None):
    """The status, headers and body the middleware answers with (299: handed on to Streamlit)."""
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }
    messages = []

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        messages.append(message)

    asyncio.run(middleware(scope, receive, send))
    start, body = messages
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body["body"]


@pytest.fixture
def precompressed(tmp_path):
    target = tmp_path / "static"
    relative = BUNDLE.relative_to(compression.BUNDLES).as_posix()
    compression._compress_one(BUNDLE, target)
    assert (target / f"{relative}.br").exists()
    return compression.StaticCompression(_passed_through, target)


def test_brotli_when_the_browser_takes_it(precompressed):
    status, headers, body = call(precompressed, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert status == 200
    assert headers["content-encoding"] == "br"
    assert brotli.decompress(body) == BUNDLE.read_bytes()
    assert headers["cache-control"] == "public, immutable, max-age=31536000"
    assert headers["vary"] == "Accept-Encoding"
    assert int(headers["content-length"]) == len(body) < BUNDLE.stat().st_size / 2


def test_gzip_without_a_precompressed_folder(tmp_path):
    middleware = compression.StaticCompression(_passed_through, tmp_path / "nothing")
    status, headers, body = call(middleware, headers={"Accept-Encoding": "gzip, br"})
    assert (status, headers["content-encoding"]) == (200, "gzip")
    assert gzip.decompress(body) == BUNDLE.read_bytes()
    assert call(middleware, headers={"Accept-Encoding": "br"})[0] == 299  # no brotli at hand: Streamlit answers


@pytest.mark.parametrize(
    ("path", "method", "headers"),
    [
        (PATH, "GET", {}),  # the browser takes no compression
        (PATH, "GET", {"Accept-Encoding": "br;q=0, gzip;q=0"}),
        (PATH, "POST", {"Accept-Encoding": "br"}),
        (PATH, "GET", {"Accept-Encoding": "br", "Range": "bytes=0-99"}),
        ("/static/../index.html", "GET", {"Accept-Encoding": "br"}),
        ("/static/media/nothing-here.js", "GET", {"Accept-Encoding": "br"}),
        ("/_stcore/health", "GET", {"Accept-Encoding": "br"}),
    ],
)
def test_everything_else_goes_to_streamlit(precompressed, path, method, headers):
    assert call(precompressed, path, method, headers)[0] == 299


def test_a_repeated_request_is_answered_not_modified(precompressed):
    _, headers, _ = call(precompressed, headers={"Accept-Encoding": "br"})
    status, again, body = call(precompressed, headers={"Accept-Encoding": "br", "If-None-Match": headers["etag"]})
    assert (status, body) == (304, b"")
    assert "content-encoding" not in again


def test_head_has_the_headers_and_no_body(precompressed):
    status, headers, body = call(precompressed, method="HEAD", headers={"Accept-Encoding": "br"})
    assert (status, body) == (200, b"")
    assert int(headers["content-length"]) > 0
