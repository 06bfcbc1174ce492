"""The server's routes for other systems (open data, calendars, health) and what they all share.

`routes()` lists every one of them as a plain Starlette route, so that middleware added in
server.py (sign-in, upload guards) wraps them like Streamlit's own. They are readable
without signing in, also on a shared installation, as the pages are.

Each route answers GET and HEAD; OPTIONS answers a browser's CORS preflight; every other
method gets a German 405. Around each handler: CORS for every origin (the data are public
and no cookie is read), a rate limit per client (mayen_dash.clients), and German JSON for
every refusal and failure, never a traceback: a failure is logged with a reference number
that the JSON names.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mayen_dash.clients import RateLimiter, trusted_proxies
from mayen_dash.opendata import (
    OpenDataError,
    internal_error,
    method_not_allowed,
    settings,
    store_unavailable,
    too_many_requests,
)
from mayen_dash.store import StoreError

from . import api, calendars, health
from .clients import client_address
from .errors import reference_number
from .responses import error_response

log = logging.getLogger("mayen_dash.web")

READ_METHODS = ("GET", "HEAD")
# Every method reaches the handler, so that a POST gets the German 405 rather than Starlette's English one.
ALL_METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
# On every answer: CORS for any origin, and no guessing of types (a 404 repeats the path it was asked for).
COMMON_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After, Content-Disposition",
    "X-Content-Type-Options": "nosniff",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": ", ".join(READ_METHODS),
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}
# uvicorn's own X-Forwarded-For rule (see mayen_dash.clients) is off only when this is set, empty.
UVICORN_PROXY_ENV = "FORWARDED_ALLOW_IPS"

Handler = Callable[[Request], Response]


class Guard:
    """CORS, the rate limit and German errors around a handler; one per server, shared by all its routes."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    def wrap(self, handler: Handler) -> Handler:
        def endpoint(request: Request) -> Response:
            response = self._answer(request, handler)
            response.headers.update(COMMON_HEADERS)
            return response

        endpoint.__name__ = handler.__name__
        return endpoint

    def _answer(self, request: Request, handler: Handler) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={**PREFLIGHT_HEADERS, "Allow": ", ".join(READ_METHODS)})
        if request.method not in READ_METHODS:
            return error_response(method_not_allowed(request.method))
        decision = self.limiter.check(client_address(request))
        if not decision.allowed:
            response = error_response(too_many_requests(decision.retry_after))
            response.headers["Retry-After"] = str(decision.retry_after)
            return response
        try:
            return handler(request)
        except OpenDataError as error:
            return error_response(error)
        except StoreError as error:
            return error_response(store_unavailable(error))
        except Exception:
            reference = reference_number()
            log.exception("Fehlernummer %s: %s %s failed", reference, request.method, request.url.path)
            return error_response(internal_error(reference))


def routes() -> list[BaseRoute]:
    """Every route for other systems, before the dashboard's own (whose /{page} would take /gesundheit)."""
    if UVICORN_PROXY_ENV not in os.environ:
        log.warning(
            "%s is not set: uvicorn believes X-Forwarded-For from 127.0.0.1 before %s is asked; "
            "start the server with `make run` or `make serve`, which set it empty",
            UVICORN_PROXY_ENV,
            "MAYEN_TRUSTED_PROXIES",
        )
    settings()  # a bad MAYEN_DCAT_* or MAYEN_PUBLIC_URL stops the start with its German message
    trusted_proxies(os.environ)  # so does a MAYEN_TRUSTED_PROXIES entry that is no address
    guard = Guard(RateLimiter.from_environment(os.environ))
    return [
        Route(path, guard.wrap(handler), methods=list(ALL_METHODS))
        for path, handler in (*api.ROUTES, *calendars.ROUTES, *health.ROUTES)
    ]
