"""Group commit (shared/adapters/group_commit.py), which production's Storage Write appender
shares its round trip through: concurrent writes share one, each returns once its own rows
are written, and a failed write fails every request of its batch."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from shared.adapters.group_commit import GroupCommit


def test_concurrent_writes_share_a_merge_and_each_returns_once_its_rows_are_written() -> None:
    written: list[list[Any]] = []
    gate = threading.Event()

    def merge(rows: list[Any]) -> None:
        gate.wait(5)  # the first merge is slow, so the others queue behind it
        written.append(list(rows))

    commit = GroupCommit(merge)
    threads = [threading.Thread(target=commit.write, args=([{"n": i}],)) for i in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    gate.set()
    for thread in threads:
        thread.join(5)
    assert sorted(row["n"] for batch in written for row in batch) == list(range(8))
    assert len(written) < 8


def test_a_failed_merge_fails_every_request_of_its_batch() -> None:
    def merge(rows: list[Any]) -> None:
        raise RuntimeError("warehouse down")

    with pytest.raises(RuntimeError, match="warehouse down"):
        GroupCommit(merge).write([{"n": 1}])
