"""/kalender/<Einheit>.ics: the due dates of the newest Stand for a calendar program to subscribe to."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mayen_dash.openapi import CALENDAR_PREFIX
from mayen_dash.opendata import calendar_not_found, open_data

from .responses import document_response


def calendar(request: Request) -> Response:
    """The unit comes URL-decoded (Bereich%202.1 → Bereich 2.1, Klimaschutz%2FUmwelt → Klimaschutz/Umwelt)."""
    return document_response(request, open_data().calendar(request.path_params["unit"]))


def unknown(request: Request) -> Response:
    raise calendar_not_found(request.url.path)


ROUTES = (
    (CALENDAR_PREFIX + "/{unit:path}.ics", calendar),
    (CALENDAR_PREFIX, unknown),
    (CALENDAR_PREFIX + "/{rest:path}", unknown),
)
