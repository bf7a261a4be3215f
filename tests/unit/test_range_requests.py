"""The bounds of range report requests: only what Meta keeps, and a request document that
never grows past MAX_PENDING + REMEMBERED entries however many ranges are asked over time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from shared.adaccounts.range_requests import (
    MAX_PENDING,
    PENDING_EXPIRES,
    REMEMBERED,
    _pruned,
    earliest_day,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_meta_keeps_37_months_counted_from_the_first_of_the_month() -> None:
    assert earliest_day(date(2026, 12, 1)) == date(2023, 11, 1)
    assert earliest_day(date(2026, 1, 31)) == date(2022, 12, 1)


def test_the_request_document_stays_bounded() -> None:
    ranges = {
        f"finished-{n}": {
            "status": "failed",
            "requested_at": (NOW - timedelta(hours=n)).isoformat(),
            "finished_at": (NOW - timedelta(hours=n)).isoformat(),
        }
        for n in range(50)
    }
    lost = NOW - PENDING_EXPIRES - timedelta(minutes=1)
    ranges |= {
        f"lost-{n}": {"status": "pending", "requested_at": lost.isoformat()} for n in range(50)
    }
    ranges |= {
        f"live-{n}": {"status": "pending", "requested_at": NOW.isoformat()}
        for n in range(MAX_PENDING)
    }
    kept = _pruned(ranges, NOW)
    assert len(kept) == MAX_PENDING + REMEMBERED
    assert {f"live-{n}" for n in range(MAX_PENDING)} <= set(kept)
    assert "finished-0" in kept  # the most recent are remembered
    assert "finished-49" not in kept
