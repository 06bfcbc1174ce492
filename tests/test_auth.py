"""The sign-in and sign-out pages: the editor cookie, wrong passwords and their lock, safe redirects."""

import datetime as dt

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mayen_dash.access import (
    CLIENT_LOCK_AFTER,
    EDITOR_COOKIE,
    FREE_ATTEMPTS,
    AccessPolicy,
    hash_password,
    token_expiry,
)
from web import auth
from web.clients import TRUSTED_PROXIES_ENV

PASSWORD = "Ratssitzung-2025"
POLICY = AccessPolicy(shared=True, password_hash=hash_password(PASSWORD))
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    now = [NOW]
    monkeypatch.setattr(auth, "_now", lambda: now[0])
    return now


@pytest.fixture
def client(tmp_path, monkeypatch, clock):
    monkeypatch.setenv("MAYEN_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MAYEN_DB_URL", raising=False)
    monkeypatch.setattr(auth, "access", lambda: POLICY)
    return TestClient(Starlette(routes=auth.routes()), base_url="http://dashboard.test", follow_redirects=False)


def sign_in(client, password: str, weiter: str = "/daten", **headers):
    return client.post("/anmelden", data={"kennwort": password, "weiter": weiter}, headers=headers)


def test_the_form_is_german_and_labelled(client):
    page = client.get("/anmelden?weiter=/daten")
    assert page.status_code == 200
    assert '<html lang="de">' in page.text
    assert '<label for="kennwort">Kennwort für Bearbeiter</label>' in page.text
    assert 'value="/daten"' in page.text
    assert page.headers["cache-control"] == "no-store"


def test_the_right_password_sets_a_strict_httponly_cookie_and_returns(client):
    answer = sign_in(client, PASSWORD)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/daten"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{EDITOR_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Max-Age=28800" in cookie
    assert "Secure" not in cookie  # plain http on loopback; behind HTTPS see the next test
    token = answer.cookies[EDITOR_COOKIE]
    assert token_expiry(token, auth.editor_key(POLICY), NOW) == NOW + dt.timedelta(hours=8)


def test_the_cookie_is_secure_behind_a_trusted_https_proxy(client, monkeypatch):
    monkeypatch.setenv(TRUSTED_PROXIES_ENV, "10.0.0.5")
    behind_proxy = TestClient(
        client.app, base_url="http://dashboard.test", client=("10.0.0.5", 50000), follow_redirects=False
    )
    answer = sign_in(behind_proxy, PASSWORD, **{"X-Forwarded-Proto": "https"})
    assert "Secure" in answer.headers["set-cookie"]
    assert "Secure" not in sign_in(client, PASSWORD, **{"X-Forwarded-Proto": "https"}).headers["set-cookie"]


def test_a_wrong_password_is_refused_in_german_and_sets_no_cookie(client):
    answer = sign_in(client, "falsch")
    assert answer.status_code == 401
    assert "Das Kennwort stimmt nicht." in answer.text
    assert "set-cookie" not in answer.headers


def test_wrong_passwords_wait_then_lock_and_say_until_when(client, clock):
    for _ in range(FREE_ATTEMPTS):
        assert sign_in(client, "falsch").status_code == 401
    answer = sign_in(client, PASSWORD)  # even the right one: the wait of 1 s is not over
    assert answer.status_code == 429
    assert "wieder möglich" in answer.text
    for _ in range(CLIENT_LOCK_AFTER - FREE_ATTEMPTS):
        clock[0] += dt.timedelta(minutes=2)  # every wait so far is over
        assert sign_in(client, "falsch").status_code == 401
    clock[0] += dt.timedelta(minutes=2)
    locked = sign_in(client, PASSWORD)
    assert locked.status_code == 429
    assert "10:" in locked.text  # 09:18 UTC + 15 min lock, shown in Berlin time (10:33:00)
    clock[0] += dt.timedelta(minutes=16)
    assert sign_in(client, PASSWORD).status_code == 303


def test_a_new_client_gets_no_fresh_tries_by_reconnecting(client):
    for _ in range(FREE_ATTEMPTS):
        sign_in(client, "falsch")
    fresh = TestClient(client.app, base_url="http://dashboard.test", follow_redirects=False)  # new cookies, tab
    assert sign_in(fresh, PASSWORD).status_code == 429


@pytest.mark.parametrize("target", ["https://example.org/", "//example.org", "/\\example.org", "javascript:x", ""])
def test_the_return_address_stays_on_the_dashboard(client, target):
    assert sign_in(client, PASSWORD, weiter=target).headers["location"] == "/"


def test_a_form_sent_from_another_site_is_refused(client):
    answer = sign_in(client, PASSWORD, Origin="https://angreifer.example")
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers


def test_sign_out_clears_the_cookie(client):
    assert "Abmelden" in client.get("/abmelden?weiter=/status").text
    answer = client.post("/abmelden", data={"weiter": "/status"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/status"
    assert f'{EDITOR_COOKIE}=""' in answer.headers["set-cookie"]
    assert "Max-Age=0" in answer.headers["set-cookie"]


def test_without_a_password_there_is_no_sign_in(client, monkeypatch):
    monkeypatch.setattr(auth, "access", lambda: AccessPolicy(shared=True))
    assert "keine Anmeldung mit Kennwort" in client.get("/anmelden").text
    assert sign_in(client, PASSWORD).status_code == 404
