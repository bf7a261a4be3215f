"""Per-key minute quotas shared by every instance of every API function, counted in Firestore.

API Gateway counts its quotas per consumer project (learnt from a Google API key), which a
ReachOps key does not name, and an in-memory counter would give each instance its own budget.
So the keyed API enforces the gateway document's limits (`quota_limits()`, the one
definition) itself, in the document store every instance shares: the Firestore emulator
locally, Firestore in production, the same code through the same port.

Documents (collection `rate_limits`; the TTL policy on `expires_at` in terraform/firestore.tf
deletes ended windows):
- `rate_limits/{key_id}`: the key's current window, opened by its first call (`started`,
  epoch seconds), as API Gateway opens a consumer's minute;
- `rate_limits/{key_id}~{started_ms}~{shard}`: the window's SHARDS counters. Each shard owns a
  fixed share of every limit (the shares add up to the limit exactly), so no one document takes
  all of a busy key's writes (Firestore sustains about one a second per document) and the key
  never spends more than its limit.

A call reads the window's shards in one batch and spends from one that has room, in a
transaction that checks the shard again; if it filled meanwhile the next is tried. A call that
no shard can take is refused with the seconds left in the window and charges nothing. Near the
limit a call may be refused while another shard still holds a unit or two another call is
about to take: the approximation only ever errs towards admitting fewer.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from shared.http.limits import WINDOW_SECONDS, checked_costs, refusal
from shared.ports import DocumentStore

RATE_LIMITS = "rate_limits"
SHARDS = 8
"""Counters per key and window: 600 calls a minute is 10 a second, about one per shard."""


class _ShardFull(Exception):
    """Aborts a shard's transaction: it cannot take the call's costs (nothing is written)."""


def shard_share(limit: int, shard: int, shards: int = SHARDS) -> int:
    """Shard `shard`'s part of `limit`: the parts of all shards add up to `limit` exactly."""
    return limit // shards + (1 if shard < limit % shards else 0)


def _expires_at(started: float) -> datetime:
    return datetime.fromtimestamp(started + WINDOW_SECONDS, UTC)


class SharedMinuteQuotas:
    """`consumer` is an API key's id (not a secret, and a valid document id)."""

    def __init__(
        self,
        store: DocumentStore,
        limits: Mapping[str, int],
        clock: Callable[[], float] = time.time,
        shuffle: Callable[[list[int]], None] = random.shuffle,
    ) -> None:
        """`shuffle` spreads concurrent charges over the shards (fewer transaction conflicts);
        it only picks which shard is tried first, never how many calls a key is allowed."""
        self._store = store
        self._limits = dict(limits)
        self._clock = clock
        self._shuffle = shuffle

    def charge(self, consumer: str, costs: Iterable[tuple[str, int]]) -> None:
        """Spend `costs` from the consumer's minute, or raise RateLimited (charging nothing)."""
        wanted = checked_costs(self._limits, costs)
        if not wanted:
            return
        now = self._clock()
        started = self._window(consumer, now)
        paths = [f"{RATE_LIMITS}/{consumer}~{round(started * 1000)}~{i}" for i in range(SHARDS)]
        found = self._store.get_many(paths)
        spent = [dict(found.get(path, {}).get("spent", {})) for path in paths]
        candidates = [i for i in range(SHARDS) if self._fits(i, spent[i], wanted)]
        self._shuffle(candidates)
        for shard in candidates:
            try:
                self._store.update_atomically(paths[shard], self._spender(shard, wanted, started))
                return
            except _ShardFull:
                continue
        totals = {m: sum(s.get(m, 0) for s in spent) for m in wanted}
        over = [m for m, cost in wanted.items() if totals[m] + cost > self._limits[m]]
        ends_in = min(WINDOW_SECONDS, started + WINDOW_SECONDS - now)
        raise refusal(self._limits, over or list(wanted), ends_in)

    def _window(self, consumer: str, now: float) -> float:
        """The start of the consumer's current window, opening one if the last has ended.

        A plain read answers almost every call; only the first call of a minute writes, in a
        transaction, so instances racing to open the window agree on one start."""
        path = f"{RATE_LIMITS}/{consumer}"

        def current(data: Mapping[str, Any] | None) -> bool:
            return data is not None and now - float(data["started"]) < WINDOW_SECONDS

        window = self._store.get(path)
        if window is None or not current(window):

            def open_window(data: dict[str, Any] | None) -> dict[str, Any]:
                if data is not None and current(data):
                    return data
                return {"started": now, "expires_at": _expires_at(now)}

            window = self._store.update_atomically(path, open_window)
        return float(window["started"])

    def _fits(self, shard: int, spent: Mapping[str, int], wanted: Mapping[str, int]) -> bool:
        return all(
            spent.get(m, 0) + cost <= shard_share(self._limits[m], shard)
            for m, cost in wanted.items()
        )

    def _spender(
        self, shard: int, wanted: Mapping[str, int], started: float
    ) -> Callable[[dict[str, Any] | None], dict[str, Any]]:
        def spend(data: dict[str, Any] | None) -> dict[str, Any]:
            spent = dict((data or {}).get("spent", {}))
            if not self._fits(shard, spent, wanted):
                raise _ShardFull
            for metric, cost in wanted.items():
                spent[metric] = spent.get(metric, 0) + cost
            return {"spent": spent, "expires_at": _expires_at(started)}

        return spend
