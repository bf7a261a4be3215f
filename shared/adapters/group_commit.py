"""Group commit: rows of concurrent requests go to the warehouse in one write.

A Storage Write append costs about the same round trip for one row as for a hundred
(bigquery_write.py), so one request's append at a time would cap intake at one round trip's
rate. Here a request whose rows arrive while a write runs waits for it to end; then one of the
waiting requests writes every row that queued meanwhile, and each request returns only once its
own rows are written (or raises that write's error), so a 202 still means stored. Nothing
waits on a timer: an idle instance writes a lone request's rows at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Row = TypeVar("Row")


@dataclass
class _Entry(Generic[Row]):
    rows: Sequence[Row]
    done: bool = False
    error: BaseException | None = None


class GroupCommit(Generic[Row]):
    def __init__(self, write: Callable[[list[Row]], None]) -> None:
        self._write = write
        self._condition = threading.Condition(threading.Lock())
        self._pending: list[_Entry[Row]] = []
        self._writing = False

    def write(self, rows: Sequence[Row]) -> None:
        if not rows:
            return
        entry = _Entry(rows)
        with self._condition:
            self._pending.append(entry)
            while not entry.done:
                if self._writing:
                    self._condition.wait()
                    continue
                self._writing = True
                batch, self._pending = self._pending, []
                self._condition.release()
                error: BaseException | None = None
                try:
                    self._write([row for queued in batch for row in queued.rows])
                except BaseException as exc:  # handed to every request of the batch, and raised
                    error = exc
                finally:
                    self._condition.acquire()
                for queued in batch:
                    queued.done, queued.error = True, error
                self._writing = False
                self._condition.notify_all()
        if entry.error is not None:
            raise entry.error
