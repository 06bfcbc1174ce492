"""The client's address behind trusted proxies (the rule, and web/clients.py's use of it), and the rate limit."""

import ipaddress

import pytest
from starlette.requests import HTTPConnection

from mayen_dash.clients import CLIENTS_KEPT, DEFAULT_REQUESTS_PER_MINUTE, RateLimiter, client_address, trusted_proxies
from web import clients as web_clients

PROXY = (ipaddress.ip_network("10.0.0.5"),)
PROXIES = (ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("2001:db8::/32"))


def test_trusted_proxies_from_the_environment():
    assert trusted_proxies({}) == ()
    assert trusted_proxies({"MAYEN_TRUSTED_PROXIES": " 10.0.0.5, 192.168.10.0/24 ,,"}) == (
        ipaddress.ip_network("10.0.0.5/32"),
        ipaddress.ip_network("192.168.10.0/24"),
    )
    with pytest.raises(ValueError, match="„nginx“ ist keine IP-Adresse und kein Netz"):
        trusted_proxies({"MAYEN_TRUSTED_PROXIES": "10.0.0.5, nginx"})


def test_without_a_trusted_proxy_the_header_changes_nothing():
    assert client_address("192.0.2.7", "198.51.100.1", ()) == "192.0.2.7"
    assert client_address("192.0.2.7", "198.51.100.1", PROXY) == "192.0.2.7"  # the peer is no trusted proxy
    assert client_address("10.0.0.5", None, PROXY) == "10.0.0.5"


def test_the_client_is_the_first_untrusted_hop_from_the_right():
    assert client_address("10.0.0.5", "198.51.100.1", PROXY) == "198.51.100.1"
    # A client that sends its own header: the proxy appends the real address, the claim stays to the left.
    assert client_address("10.0.0.5", "203.0.113.9, 198.51.100.1", PROXY) == "198.51.100.1"
    # Two proxies of the city in a row.
    assert client_address("10.0.0.1", "198.51.100.1, 10.0.0.7", PROXIES) == "198.51.100.1"
    # Only proxies: the leftmost is as far as the trusted chain goes.
    assert client_address("10.0.0.1", "10.0.0.2", PROXIES) == "10.0.0.2"


def test_malformed_entries_end_the_walk_and_addresses_are_normalised():
    assert client_address("10.0.0.5", "nonsense", PROXY) == "10.0.0.5"
    assert client_address("10.0.0.1", "198.51.100.1, unknown, 10.0.0.7", PROXIES) == "10.0.0.7"
    assert client_address("10.0.0.5", "198.51.100.1:4711", PROXY) == "198.51.100.1"
    assert client_address("2001:db8::5", "[2001:DB8:1::1]:443", PROXIES) == "2001:db8:1::1"
    assert client_address("::ffff:10.0.0.5", "198.51.100.1", PROXY) == "198.51.100.1"
    assert client_address("", "198.51.100.1", PROXY) == ""


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_quarter_minute_at_once_then_one_at_the_rate():
    clock = Clock()
    limiter = RateLimiter(60, clock=clock)
    assert [limiter.check("a").allowed for _ in range(16)] == [True] * 15 + [False]
    assert limiter.check("a").retry_after == 1
    assert limiter.check("b").allowed  # another client has its own allowance
    clock.now += 1.0
    assert limiter.check("a").allowed
    assert not limiter.check("a").allowed
    clock.now += 3600
    assert [limiter.check("a").allowed for _ in range(16)] == [True] * 15 + [False]  # never more than the burst


def test_retry_after_says_when_the_next_request_may_come():
    limiter = RateLimiter(6, clock=Clock())  # one at once, then one every 10 s
    assert limiter.check("a").allowed
    refused = limiter.check("a")
    assert (refused.allowed, refused.retry_after) == (False, 10)


def test_limit_from_the_environment_and_switched_off():
    assert RateLimiter.from_environment({}).per_minute == DEFAULT_REQUESTS_PER_MINUTE
    off = RateLimiter.from_environment({"MAYEN_API_RATE_LIMIT": "0"})
    assert all(off.check("a").allowed for _ in range(1000))
    with pytest.raises(ValueError, match="„viele“ ist keine ganze Zahl"):
        RateLimiter.from_environment({"MAYEN_API_RATE_LIMIT": "viele"})


def test_memory_is_bounded_by_the_clients_kept():
    clock = Clock()
    limiter = RateLimiter(4, clients_kept=3, clock=clock)
    for client in ("a", "b", "c", "d"):
        limiter.check(client)
        limiter.check(client)
    assert not limiter.check("d").allowed
    assert limiter.check("a").allowed  # forgotten as the longest idle: a full allowance again
    assert CLIENTS_KEPT >= 1000


# --- web/clients.py: the rule for a Starlette request -------------------------------------------------


def connection(peer: str | None, **headers: str) -> HTTPConnection:
    raw = [(name.replace("_", "-").lower().encode(), value.encode()) for name, value in headers.items()]
    scope = {"type": "http", "path": "/", "headers": raw, "client": (peer, 4711) if peer else None, "scheme": "http"}
    return HTTPConnection(scope)


def test_a_request_s_client_under_the_installation_s_proxies(monkeypatch):
    monkeypatch.setenv("MAYEN_TRUSTED_PROXIES", "10.0.0.0/24")
    assert web_clients.client_address(connection("10.0.0.5", X_Forwarded_For="198.51.100.1")) == "198.51.100.1"
    assert web_clients.client_address(connection("192.0.2.7", X_Forwarded_For="198.51.100.1")) == "192.0.2.7"
    assert web_clients.client_address(connection(None)) == "unbekannt"
    two_lines = HTTPConnection(
        {
            "type": "http",
            "path": "/",
            "scheme": "http",
            "client": ("10.0.0.5", 4711),
            "headers": [(b"x-forwarded-for", b"203.0.113.9"), (b"x-forwarded-for", b"198.51.100.1, 10.0.0.7")],
        }
    )
    assert web_clients.client_address(two_lines) == "198.51.100.1"


def test_https_only_as_a_trusted_proxy_says(monkeypatch):
    monkeypatch.setenv("MAYEN_TRUSTED_PROXIES", "10.0.0.5")
    assert web_clients.is_secure(connection("10.0.0.5", X_Forwarded_Proto="https"))
    assert not web_clients.is_secure(connection("192.0.2.7", X_Forwarded_Proto="https"))
    assert not web_clients.is_secure(connection("10.0.0.5", X_Forwarded_Proto="http"))
