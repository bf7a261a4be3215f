"""How much one site key and one client address may send: bounded per-minute windows in the
instance's memory (shared/http/limits.py), forgotten when their minute ends. A site key is
charged per event (a batch of 100 costs 100), an address per request, so neither a leaked key
nor one noisy client can flood the warehouse; the refused call is a 429 with Retry-After."""

from __future__ import annotations

import time
from collections.abc import Callable

from shared.http.limits import MinuteQuotas, consumer_of

SITE_EVENTS_PER_MINUTE = 6000
CLIENT_REQUESTS_PER_MINUTE = 600
EVENTS = "events"
REQUESTS = "requests"


class IntakeLimits:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        site_events: int = SITE_EVENTS_PER_MINUTE,
        client_requests: int = CLIENT_REQUESTS_PER_MINUTE,
    ) -> None:
        self._sites = MinuteQuotas({EVENTS: site_events}, clock)
        self._clients = MinuteQuotas({REQUESTS: client_requests}, clock)

    def charge_client(self, client_ip: str) -> None:
        self._clients.charge(consumer_of(client_ip), [(REQUESTS, 1)])

    def charge_site_key(self, site_key: str, events: int) -> None:
        self._sites.charge(consumer_of(site_key), [(EVENTS, events)])
