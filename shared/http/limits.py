"""Per-key request quotas, counted the way API Gateway counts them.

The limits are the gateway document's own (`x-google-api-management.quota.limits`: per metric,
what one consumer may spend per minute) and each operation's `x-google-quota.metricCosts` says
what a call charges, so production and the local gateway read one definition. A call is
admitted only if every metric it charges still has room in the consumer's current minute; a
refused call charges nothing and is told how many seconds remain in that minute.

A consumer is a hash of the credential the caller presented (never the credential itself), so
each key is counted on its own and one key spending its quota leaves every other key whole.

`MinuteQuotas` counts in one process's memory (the public tracking intake's per-instance
limits); the keyed API counts in Firestore, shared by every instance
(shared/http/distributed_limits.py). Both refuse the same way (`refusal`).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from shared.errors import RateLimited

WINDOW_SECONDS = 60.0
"""API Gateway quota limits are per minute per consumer (Service Control's `1/min/{project}`)."""


class Quotas(Protocol):
    """Per-consumer minute quotas: admit a call's costs or raise RateLimited."""

    def charge(self, consumer: str, costs: Iterable[tuple[str, int]]) -> None: ...


def refusal(limits: Mapping[str, int], over: Sequence[str], window_ends_in: float) -> RateLimited:
    """The 429 for a call that would overspend `over`, retryable when the window ends."""
    retry_after = max(1, math.ceil(window_ends_in))
    return RateLimited(
        f"this key's quota of {limits[over[0]]} {over[0]} per minute is spent; "
        f"retry in {retry_after} s",
        retry_after=retry_after,
        details=[{"metric": m, "limit_per_minute": limits[m]} for m in over],
    )


def checked_costs(limits: Mapping[str, int], costs: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The costs by metric; a metric with no limit is a configuration error, not a free pass."""
    wanted = dict(costs)
    unknown = set(wanted) - set(limits)
    if unknown:
        raise KeyError(f"metrics with no quota limit: {sorted(unknown)}")
    return wanted


@dataclass
class _Window:
    started: float
    spent: dict[str, int]


def consumer_of(credential: str) -> str:
    """The bucket a credential is counted in: its SHA-256, so no key is held in memory."""
    return hashlib.sha256(credential.encode("utf-8", "surrogateescape")).hexdigest()


class MinuteQuotas:
    """One minute window per consumer, opened by its first call, for every metric at once."""

    def __init__(
        self, limits: Mapping[str, int], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limits = dict(limits)
        self._clock = clock
        self._windows: OrderedDict[str, _Window] = OrderedDict()
        self._lock = threading.Lock()

    def charge(self, consumer: str, costs: Iterable[tuple[str, int]]) -> None:
        """Spend `costs` from the consumer's minute, or raise RateLimited (charging nothing)."""
        wanted = checked_costs(self._limits, costs)
        with self._lock:
            now = self._clock()
            self._expire(now)
            window = self._windows.get(consumer)
            if window is None or now - window.started >= WINDOW_SECONDS:
                window = self._windows[consumer] = _Window(now, {})
                self._windows.move_to_end(consumer)  # the newest window opened last
            over = [
                m for m, cost in wanted.items() if window.spent.get(m, 0) + cost > self._limits[m]
            ]
            if over:
                raise refusal(self._limits, over, window.started + WINDOW_SECONDS - now)
            for metric, cost in wanted.items():
                window.spent[metric] = window.spent.get(metric, 0) + cost

    def _expire(self, now: float) -> None:
        """Forget windows that ended, so memory follows the keys active this minute. Windows
        are kept in the order they opened, so the ended ones are at the front and this stops
        at the first still open: O(1) amortised per call, however many visitors are counted."""
        while self._windows:
            consumer, oldest = next(iter(self._windows.items()))
            if now - oldest.started < WINDOW_SECONDS:
                return
            del self._windows[consumer]
