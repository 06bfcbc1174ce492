"""/gesundheit: whether this server can reach its store, for a load balancer (200 or 503, JSON)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mayen_dash.installation import installation
from mayen_dash.openapi import HEALTH_PATH
from mayen_dash.opendata import health as check

from .responses import json_response


def health(_request: Request) -> Response:
    reachable, document = check(lambda: installation().store)
    return json_response(document, 200 if reachable else 503, {"Cache-Control": "no-store"})


ROUTES = ((HEALTH_PATH, health),)
