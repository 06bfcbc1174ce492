"""/api/v1/…: the dashboard's data for an open-data portal, with the dashboard's filters (mayen_dash.opendata)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mayen_dash.openapi import API_PREFIX, DCAT, FIGURES, MEASURES_CSV, MEASURES_JSON, OPENAPI, SNAPSHOTS
from mayen_dash.opendata import not_found, open_data

from .responses import base_url, document_response, params


def measures_json(request: Request) -> Response:
    return document_response(request, open_data().measures(params(request), "json"))


def measures_csv(request: Request) -> Response:
    return document_response(request, open_data().measures(params(request), "csv"))


def figures(request: Request) -> Response:
    return document_response(request, open_data().figures(params(request)))


def snapshots(request: Request) -> Response:
    return document_response(request, open_data().snapshots(params(request)))


def dcat(request: Request) -> Response:
    return document_response(request, open_data().dcat(params(request), base_url(request)))


def openapi(request: Request) -> Response:
    return document_response(request, open_data().openapi(params(request), base_url(request)))


def unknown(request: Request) -> Response:
    """Any other path under /api/: a German 404 that names the addresses there are."""
    raise not_found(request.url.path)


ROUTES = (
    (API_PREFIX + MEASURES_JSON, measures_json),
    (API_PREFIX + MEASURES_CSV, measures_csv),
    (API_PREFIX + FIGURES, figures),
    (API_PREFIX + SNAPSHOTS, snapshots),
    (API_PREFIX + DCAT, dcat),
    (API_PREFIX + OPENAPI, openapi),
    ("/api", unknown),
    ("/api/{rest:path}", unknown),
)
