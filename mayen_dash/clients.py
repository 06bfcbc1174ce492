"""Who is asking, and how often they may: the client's address behind a trusted proxy, and a rate limit per client.

Behind a reverse proxy every request comes from the proxy's address; the proxy names the
real client in X-Forwarded-For. That header is a plain request header, so anyone can send
one: it is believed only when the connection comes from a proxy this installation trusts
(MAYEN_TRUSTED_PROXIES, addresses or networks, comma-separated), and then only as far as
the chain of trusted proxies goes. The open-data routes limit requests per client with it;
the sign-in lockout counts failed attempts per client with the same rule.

web/clients.py applies this rule to a Starlette request (the sign-in, the open-data routes).
uvicorn, which runs the server, has a rule of its own that believes X-Forwarded-For from
127.0.0.1 unless FORWARDED_ALLOW_IPS says otherwise; `make run`, `make serve` and the tests
set FORWARDED_ALLOW_IPS empty, so that this module's rule is the only one.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

TRUSTED_PROXIES_ENV = "MAYEN_TRUSTED_PROXIES"
RATE_LIMIT_ENV = "MAYEN_API_RATE_LIMIT"
# Requests per minute and client on the open-data routes: a portal harvesting every few minutes and a
# calendar refreshing hourly stay far below it; a script in a loop is slowed down, not the server.
DEFAULT_REQUESTS_PER_MINUTE = 120
# Clients remembered at once; the longest idle is forgotten first (it would have a full allowance anyway).
CLIENTS_KEPT = 10_000

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(environment: Mapping[str, str]) -> tuple[Network, ...]:
    """The proxies named in MAYEN_TRUSTED_PROXIES ("10.0.0.5, 192.168.10.0/24"); none by default.

    Raises ValueError with a German message naming an entry that is no address or network,
    so that a typo stops the server instead of silently trusting nobody.
    """
    networks = []
    for entry in filter(None, (part.strip() for part in environment.get(TRUSTED_PROXIES_ENV, "").split(","))):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"{TRUSTED_PROXIES_ENV}: „{entry}“ ist keine IP-Adresse und kein Netz "
                "(z. B. 10.0.0.5 oder 10.0.0.0/24)."
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.ipv4_mapped or address if isinstance(address, ipaddress.IPv6Address) else address


def is_trusted(peer: str, trusted: tuple[Network, ...]) -> bool:
    """Whether the connection comes from one of the trusted proxies."""
    address = _address(peer)
    return address is not None and any(address in network for network in trusted)


def client_address(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The address a request comes from: the connection's peer, or the client a trusted proxy names.

    X-Forwarded-For lists the client first and each proxy appends the address it was
    connected from. Walking it from the right, every hop that is a trusted proxy is passed;
    the first one that is not is the client. An entry that is no address ends the walk at
    the hop before it, because only a trusted proxy's own entries are believed.
    """
    current = _address(peer)
    if current is None:
        return peer
    if not forwarded_for:
        return str(current)
    hops = [hop for hop in forwarded_for.split(",") if hop.strip()]
    while hops and any(current in network for network in trusted):
        hop = _address(hops.pop())
        if hop is None:
            break
        current = hop
    return str(current)


@dataclass(frozen=True)
class Decision:
    """Whether a request may go ahead; if not, how many seconds until the next one may."""

    allowed: bool
    retry_after: int = 0


class RateLimiter:
    """A token bucket per client: `per_minute` requests a minute, up to a quarter of it at once.

    Thread-safe (the routes run in a thread pool); memory is bounded by CLIENTS_KEPT.
    `per_minute` 0 switches the limit off. `clock` is injectable for the tests.
    """

    def __init__(
        self, per_minute: int, *, clients_kept: int = CLIENTS_KEPT, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_minute = per_minute
        self.burst = max(1, per_minute // 4)
        self._rate = per_minute / 60.0
        self._clients_kept = clients_kept
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, time)
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls, environment: Mapping[str, str]) -> RateLimiter:
        """MAYEN_API_RATE_LIMIT requests per minute and client (default 120; 0 = no limit)."""
        text = environment.get(RATE_LIMIT_ENV, "").strip()
        if not text:
            return cls(DEFAULT_REQUESTS_PER_MINUTE)
        if not text.isdigit():
            raise ValueError(f"{RATE_LIMIT_ENV}: „{text}“ ist keine ganze Zahl (Anfragen je Minute, 0 = unbegrenzt).")
        return cls(int(text))

    def check(self, client: str) -> Decision:
        """Take one request from the client's allowance."""
        if self.per_minute <= 0:
            return Decision(True)
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self._rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self._clients_kept:
                self._buckets.popitem(last=False)
        if allowed:
            return Decision(True)
        return Decision(False, retry_after=max(1, math.ceil((1.0 - tokens) / self._rate)))
