"""What every route for other systems shares: CORS, German refusals, the rate limit per client, no traceback."""

import json
import logging

import pytest
from starlette.requests import Request
from starlette.responses import Response

from mayen_dash.clients import RateLimiter
from mayen_dash.store import StoreUnavailableError
from tests.conftest import LIVE_RATE_LIMIT
from tests.live import PROXY, Client
from web import public
from web.public import Guard


def request(method: str = "GET", peer: str = "192.0.2.10", headers: dict[str, str] | None = None) -> Request:
    raw = [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    scope = {
        "type": "http",
        "method": method,
        "path": "/api/v1/test",
        "headers": raw,
        "query_string": b"",
        "client": (peer, 40000),
        "server": ("127.0.0.1", 8501),
        "scheme": "http",
    }
    return Request(scope)


def guarded(handler, per_minute: int = 60):
    return Guard(RateLimiter(per_minute)).wrap(handler)


def body(response: Response) -> dict:
    return json.loads(response.body)


def test_an_uncaught_error_is_logged_with_a_reference_and_answered_in_german(caplog):
    def broken(_request):
        raise KeyError("secret detail")

    with caplog.at_level(logging.ERROR, logger="mayen_dash.web"):
        response = guarded(broken)(request())
    assert response.status_code == 500
    message = body(response)["message"]
    assert message.startswith("Bei dieser Anfrage ist ein Fehler aufgetreten")
    assert "secret detail" not in response.body.decode()
    reference = message.rsplit(" ", 1)[-1]
    assert f"Fehlernummer {reference}" in caplog.text
    assert "KeyError: 'secret detail'" in caplog.text  # the traceback goes to the log only
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_an_unreachable_store_gives_503_in_german():
    def unreachable(_request):
        raise StoreUnavailableError()

    response = guarded(unreachable)(request())
    assert response.status_code == 503
    assert body(response)["message"].startswith("Die Datenbank der gespeicherten Berichte ist gerade nicht erreichbar")


def test_only_reading_methods_reach_the_handler():
    calls = []

    def handler(_request):
        calls.append(1)
        return Response("ok")

    endpoint = guarded(handler)
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = endpoint(request(method))
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
        assert body(response)["message"].startswith(f"Die Methode {method} ist hier nicht erlaubt")
    preflight = endpoint(
        request("OPTIONS", headers={"Origin": "https://portal.example", "Access-Control-Request-Method": "GET"})
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert calls == []
    assert endpoint(request("HEAD")).status_code == 200
    assert calls == [1]


def test_rate_limit_per_client_with_retry_after():
    endpoint = guarded(lambda _request: Response("ok"), per_minute=8)  # two at once, then one every 7.5 s
    assert [endpoint(request(peer="192.0.2.1")).status_code for _ in range(3)] == [200, 200, 429]
    refused = endpoint(request(peer="192.0.2.1"))
    assert refused.headers["Retry-After"] == "8"
    assert body(refused)["message"] == "Zu viele Anfragen von dieser Adresse. Bitte in 8 Sekunden erneut versuchen."
    assert endpoint(request(peer="192.0.2.2")).status_code == 200


def test_forwarded_for_counts_only_from_a_trusted_proxy(monkeypatch):
    monkeypatch.setenv("MAYEN_TRUSTED_PROXIES", "10.0.0.5")
    endpoint = guarded(lambda _request: Response("ok"), per_minute=4)
    via_proxy = [endpoint(request(peer="10.0.0.5", headers={"X-Forwarded-For": f"198.51.100.{n}"})) for n in range(5)]
    assert {r.status_code for r in via_proxy} == {200}  # five clients behind the proxy, one request each
    spoofed = [endpoint(request(peer="192.0.2.7", headers={"X-Forwarded-For": f"198.51.100.{n}"})) for n in range(2)]
    assert [r.status_code for r in spoofed] == [200, 429]  # one client, whatever it claims


def test_routes_come_in_one_list_with_every_address(monkeypatch):
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "")
    paths = [route.path for route in public.routes()]
    assert paths[:6] == [
        "/api/v1/massnahmen.json",
        "/api/v1/massnahmen.csv",
        "/api/v1/kennzahlen.json",
        "/api/v1/staende.json",
        "/api/v1/dcat.json",
        "/api/v1/openapi.json",
    ]
    assert {"/api/{rest:path}", "/kalender/{unit:path}.ics", "/gesundheit"} <= set(paths)


def test_a_bad_setting_stops_the_start_with_its_german_message(monkeypatch):
    monkeypatch.setenv("MAYEN_TRUSTED_PROXIES", "10.0.0.5, proxy.intern")
    with pytest.raises(ValueError, match=r"„proxy\.intern“ ist keine IP-Adresse"):
        public.routes()
    monkeypatch.delenv("MAYEN_TRUSTED_PROXIES")
    monkeypatch.setenv("MAYEN_DCAT_LICENSE", "frei")
    with pytest.raises(ValueError, match="„frei“ ist weder eine bekannte Lizenz"):
        public.routes()


# --- against the real server: uvicorn must not decide about X-Forwarded-For itself -----------------


@pytest.mark.server
def test_cors_on_every_answer_of_the_real_server(client):
    for path in ("/api/v1/staende.json", "/api/v1/gibtsnicht", "/kalender/alle.ics", "/gesundheit"):
        assert client.get(path, Origin="https://portal.example").headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in client.get("/kalender/alle.ics").headers["Access-Control-Expose-Headers"]


@pytest.mark.server
def test_the_real_server_limits_per_client_and_believes_only_the_trusted_proxy(live_url):
    burst = LIVE_RATE_LIMIT // 4
    proxy = Client(live_url, PROXY)
    behind = [proxy.get("/api/v1/staende.json", X_Forwarded_For="203.0.113.7").status for _ in range(burst + 1)]
    assert behind == [200] * burst + [429]
    assert proxy.get("/api/v1/staende.json", X_Forwarded_For="203.0.113.8").status == 200  # another client
    # 127.0.0.1 is no trusted proxy here (uvicorn would trust it by default): its header changes nothing.
    direct = Client(live_url, "127.0.0.1")
    claims = [direct.get("/gesundheit", X_Forwarded_For=f"198.51.100.{n}").status for n in range(burst + 1)]
    assert claims == [200] * burst + [429]
    refused = direct.get("/api/v1/massnahmen.json")
    assert refused.json()["message"].startswith("Zu viele Anfragen von dieser Adresse.")
    assert int(refused.headers["Retry-After"]) >= 1
