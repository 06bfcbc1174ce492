"""Streamlit's front end sent compressed: compressed once per installation, never again per request.

A fresh browser's first page fetched 7.8 MB of JavaScript uncompressed: Streamlit's own
gzip middleware leaves its static bundles out, because compressing them on every request
costs the server's CPU. They never change, though (their names carry a content hash), so
`make run` compresses them once, with brotli at its best quality and gzip as the fallback,
into a folder beside the virtual environment (`python -m web.compression`); this
middleware then only picks the file the browser accepts. Without that folder (a server
started some other way) a bundle is gzipped on its first request and kept in memory.

bench/bench_frontend.py measures the bytes and the time of a cold visit on a throttled line.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import brotli
from anyio import to_thread
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from .frontend import STATIC_DIR, STREAMLIT_VERSION

BUNDLES = STATIC_DIR / "static"
PREFIX = "/static/"
PRECOMPRESSED = Path(sys.prefix) / "mayen-static" / STREAMLIT_VERSION
COMPRESSIBLE = frozenset({".js", ".css", ".json", ".svg", ".map", ".txt", ".ttf"})
# brotli's best quality takes about 3 s per MB, acceptable once at set-up; gzip's best is quick.
BROTLI_QUALITY = 11
GZIP_LEVEL = 9
# The same lifetime Streamlit gives its hashed bundles.
CACHE_CONTROL = "public, immutable, max-age=31536000"
SUFFIXES = {"br": ".br", "gzip": ".gz"}


def _compressors() -> dict[str, Callable[[bytes], bytes]]:
    return {
        "br": lambda data: brotli.compress(data, quality=BROTLI_QUALITY),
        "gzip": lambda data: gzip.compress(data, GZIP_LEVEL, mtime=0),
    }


def _gzip_file(path: Path) -> bytes:
    return _compressors()["gzip"](path.read_bytes())


def bundles() -> list[Path]:
    """Streamlit's static files worth compressing (fonts and images are compressed already)."""
    return sorted(p for p in BUNDLES.rglob("*") if p.is_file() and p.suffix in COMPRESSIBLE)


def _compress_one(source: Path, target_dir: Path) -> int:
    relative = source.relative_to(BUNDLES)
    data = source.read_bytes()
    written = 0
    for encoding, compress in _compressors().items():
        target = target_dir / (relative.as_posix() + SUFFIXES[encoding])
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + f".{os.getpid()}.part")
        partial.write_bytes(compress(data))
        partial.replace(target)  # a server reading meanwhile never sees half a file
        written += 1
    return written


def precompress(target_dir: Path = PRECOMPRESSED, workers: int | None = None) -> int:
    """Write a .br and a .gz beside every bundle that lacks one; returns the number of files written."""
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count()) as pool:
        return sum(pool.map(_compress_one, bundles(), [target_dir] * len(bundles())))


def _accepted(headers: Headers) -> list[str]:
    """The encodings the browser accepts, best first (q=0 means refused)."""
    accepted = []
    for part in headers.get("accept-encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if params.strip().replace(" ", "") in {"q=0", "q=0.0", "q=0.00", "q=0.000"}:
            continue
        accepted.append(name.strip().lower())
    return [encoding for encoding in ("br", "gzip") if encoding in accepted]


class StaticCompression:
    """ASGI middleware: answer GET/HEAD of a static bundle with its precompressed form when the browser takes it."""

    def __init__(self, app: ASGIApp, directory: Path = PRECOMPRESSED) -> None:
        self.app = app
        self.directory = directory
        self._bodies: dict[tuple[str, str], bytes] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] not in {"GET", "HEAD"} or not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        relative = path[len(PREFIX) :]
        source = BUNDLES / relative
        headers = Headers(scope=scope)
        encodings = _accepted(headers)
        if (
            not encodings
            or ".." in relative.split("/")
            or source.suffix not in COMPRESSIBLE
            or not source.is_file()
            or headers.get("range")
        ):
            await self.app(scope, receive, send)
            return
        found = await self._body(relative, source, encodings)
        if found is None:
            await self.app(scope, receive, send)
            return
        encoding, body = found
        etag = f'"{hashlib.sha1(relative.encode()).hexdigest()[:16]}-{encoding}"'  # bundles never change
        media_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
        if media_type.startswith("text/") or media_type in {"application/javascript", "application/json"}:
            media_type += "; charset=utf-8"
        response_headers = {
            "content-type": media_type,
            "content-encoding": encoding,
            "vary": "Accept-Encoding",
            "cache-control": CACHE_CONTROL,
            "etag": etag,
        }
        if headers.get("if-none-match") == etag:
            status, body = 304, b""
            response_headers.pop("content-encoding")
        else:
            status = 200
            response_headers["content-length"] = str(len(body))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in response_headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    async def _body(self, relative: str, source: Path, encodings: list[str]) -> tuple[str, bytes] | None:
        """The best accepted form, kept in memory after its first use (all of them: about 7 MB).

        Precompressed on disk if `make run` wrote it, else gzipped now. Files are read in
        Starlette's own worker threads (anyio), as its static files are.
        """
        for encoding in encodings:
            key = (relative, encoding)
            if key not in self._bodies:
                ready = self.directory / (relative + SUFFIXES[encoding])
                if ready.is_file():
                    self._bodies[key] = await to_thread.run_sync(ready.read_bytes)
                elif encoding == "gzip":
                    self._bodies[key] = await to_thread.run_sync(_gzip_file, source)
                else:
                    continue
            return encoding, self._bodies[key]
        return None


def main() -> None:
    """`python -m web.compression`: compress Streamlit's bundles once, as `make run` does at set-up."""
    written = precompress()
    print(f"Streamlit {STREAMLIT_VERSION}: {written} komprimierte Dateien in {PRECOMPRESSED}")


if __name__ == "__main__":
    main()
