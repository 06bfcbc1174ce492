"""Responses of the routes for other systems: JSON, documents with ETag and gzip, refusals in German."""

from __future__ import annotations

import datetime as dt
import email.utils
import urllib.parse

from starlette.requests import Request
from starlette.responses import Response

from mayen_dash.opendata import Body, OpenDataError, json_bytes


def json_response(document: dict, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json_bytes(document), status_code=status, media_type="application/json", headers=headers)


def error_response(error: OpenDataError) -> Response:
    headers = {"Cache-Control": "no-store"}
    if error.status == 405:
        headers["Allow"] = ", ".join(error.allowed)
    return json_response(error.document(), error.status, headers)


def _http_date(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, parameters = part.strip().partition(";")
        if coding.strip().lower() == "gzip":
            return parameters.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _not_modified(request: Request, body: Body, etags: tuple[str, str]) -> bool:
    """RFC 9110: If-None-Match decides when present (weak comparison), else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or not tags.isdisjoint(etags)
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since and body.last_modified is not None:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return body.last_modified.replace(microsecond=0) <= since
    return False


def document_response(request: Request, body: Body) -> Response:
    """A document with ETag and Last-Modified, 304 when the client has it, gzip-compressed when it takes that."""
    gzip_etag = body.etag[:-1] + '-gz"'
    compressed = _accepts_gzip(request)
    headers = {"ETag": gzip_etag if compressed else body.etag, "Cache-Control": "no-cache"}
    if body.last_modified is not None:
        headers["Last-Modified"] = _http_date(body.last_modified)
    if body.file_name:
        headers["Content-Disposition"] = f"inline; filename*=UTF-8''{urllib.parse.quote(body.file_name, safe='')}"
    if _not_modified(request, body, (body.etag, gzip_etag)):
        return Response(status_code=304, headers=headers)
    if compressed:
        # Streamlit's gzip middleware leaves an encoded response alone, Vary included: set it here.
        headers["Content-Encoding"] = "gzip"
        headers["Vary"] = "Accept-Encoding"
        return Response(body.gzipped, media_type=body.media_type, headers=headers)
    return Response(body.content, media_type=body.media_type, headers=headers)


def params(request: Request) -> dict[str, list[str]]:
    """The query parameters, each with all its values, as mayen_dash.filters reads them."""
    found: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        found.setdefault(name, []).append(value)
    return found


def base_url(request: Request) -> str:
    """This server's address as the client used it (MAYEN_PUBLIC_URL, where set, wins in mayen_dash.opendata)."""
    return str(request.base_url).rstrip("/")
