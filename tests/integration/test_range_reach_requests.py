"""The KPI table shows reach for the range the caller picks: a range with no stored range report
is asked of Meta once (one content-named task, duplicates collapse), answered pending with the
reason, and shown on a later call, campaign and account rows alike; the account's reach is its
own range row, never a sum of its campaigns'. Requests are bounded per account and to what
Meta keeps, and a redelivered task stores nothing twice.

Real Firestore emulator, DuckDB warehouse, the real facebook-business SDK against the Graph API
stand-in. Cloud Tasks is recorded in-process (the local dispatcher would deliver to the stack's
own functions host and warehouse), keyed by task name as Cloud Tasks dedupes."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.adaccounts.range_requests import MAX_PENDING, RangeRequests
from shared.auth import Principal, Role
from shared.localstack.graph import LocalGraphApi
from shared.localstack.stack import StackInfo
from shared.paid.kpi_table import KpiQuery
from shared.paid.range_state import RangeStatus, stored_range
from tests.integration.graph_standin_fixtures import Clock, serving
from tests.integration.meta_sync_world import (
    EU,
    START,
    build_sync,
    connect_with_sample_token,
    meta_services,
)

pytestmark = pytest.mark.integration
APP_SECRET = "range-reach-tests"


class RecordedTasks:
    """Cloud Tasks as the code sees it: a named task is enqueued once."""

    def __init__(self) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}

    def enqueue(
        self,
        queue: str,
        payload: Mapping[str, Any],
        *,
        task_id: str | None = None,
        delay_seconds: float = 0,
    ) -> None:
        self.tasks.setdefault(task_id or secrets.token_hex(8), {"queue": queue, **payload})


@pytest.fixture(scope="module")
def graph_url() -> Iterator[str]:
    with serving(LocalGraphApi(clock=lambda: START, polls_to_complete=1)) as url:
        yield url


def test_a_picked_range_is_requested_once_then_shows_campaign_and_account_reach(
    local_stack: StackInfo, clean_firestore: None, tmp_path: Path, graph_url: str
) -> None:
    services = meta_services(tmp_path, graph_url, APP_SECRET)
    recorded = RecordedTasks()
    services.tasks = recorded
    clock = Clock()
    sync = build_sync(services, clock, tasks=recorded)
    org, _ = services.orgs.create_org("range")
    owner = Principal(org.org_id, "k1", Role.OWNER)
    connect_with_sample_token(services, owner)
    run = sync.start(org.org_id, EU, "daily")
    for _ in range(50):
        delay = sync.step(run)
        if delay is None:
            break
        clock.now += timedelta(seconds=delay)
        reloaded = sync.load(org.org_id, "daily")
        assert reloaded is not None
        run = reloaded
    recorded.tasks.clear()

    since, until = START.date() - timedelta(days=14), START.date() - timedelta(days=7)
    query = KpiQuery(since=since, until=until)
    first = services.kpi_tables.table(owner, EU, query)
    assert first.items, "the sync stored no daily rows"
    assert first.range_reach.status is RangeStatus.PENDING
    assert all(item.reach is None for item in first.items)
    assert "requested from Meta" in first.items[0].unknown["reach"]
    assert first.totals.reach is None
    assert "requested from Meta" in first.totals.unknown["reach"]
    assert first.totals.spend_micros == sum(item.spend_micros or 0 for item in first.items)

    again = services.kpi_tables.table(owner, EU, query)
    assert again.range_reach.status is RangeStatus.PENDING
    assert len(recorded.tasks) == 1  # one content-named task, however often it is asked
    ((name, task),) = recorded.tasks.items()
    assert name == f"range-{org.org_id}-{EU}-{since:%Y%m%d}-{until:%Y%m%d}-1"
    assert (task["kind"], task["since"], task["until"]) == ("range_reach", str(since), str(until))

    requests = services.range_requests
    done = requests.run_task(org.org_id, EU, since, until, task["attempt"])
    assert done["status"] == "ready"
    stored = stored_range(services.warehouse, org.org_id, EU, since, until)
    assert stored["rows_stored"] == done["rows"] > 1  # the account row and each campaign's
    assert requests.run_task(org.org_id, EU, since, until, task["attempt"])["skipped"]
    # A redelivery stores nothing twice (and re-reads nothing: the rows keep their sync time).
    assert stored_range(services.warehouse, org.org_id, EU, since, until) == stored

    ready = services.kpi_tables.table(owner, EU, query)
    assert ready.range_reach.status is RangeStatus.READY
    assert all(item.reach is not None for item in ready.items), ready.items[0].unknown
    assert ready.totals.reach is not None
    assert ready.totals.reach <= sum(item.reach or 0 for item in ready.items)
    assert "reach" not in ready.totals.unknown
    totals = ready.totals
    assert totals.spend_micros
    assert totals.impressions
    assert totals.reach
    # The account's KPIs are of its summed totals (never an average of campaigns' KPIs).
    assert totals.kpis["cpm"] == pytest.approx(totals.spend_micros / totals.impressions / 1000)
    assert totals.kpis["frequency"] == pytest.approx(totals.frequency)
    if totals.conversions:
        assert totals.kpis["cpa"] == pytest.approx(totals.spend_micros / 1e6 / totals.conversions)
    assert len(recorded.tasks) == 1

    # Bounded: MAX_PENDING more ranges are asked, the next is refused until they are back.
    states = [
        services.kpi_tables.table(owner, EU, KpiQuery(since=since + timedelta(days=n), until=until))
        for n in range(1, MAX_PENDING + 2)
    ]
    assert [s.range_reach.status for s in states] == [RangeStatus.PENDING] * MAX_PENDING + [
        RangeStatus.REFUSED
    ]
    assert "already asked" in (states[-1].range_reach.reason or "")
    assert len(recorded.tasks) == 1 + MAX_PENDING


def test_ranges_outside_what_meta_keeps_or_in_the_future_are_never_asked(
    local_stack: StackInfo, clean_firestore: None, tmp_path: Path, graph_url: str
) -> None:
    services = meta_services(tmp_path, graph_url, APP_SECRET)
    recorded = RecordedTasks()
    services.tasks = recorded
    org, _ = services.orgs.create_org("bounds")
    owner = Principal(org.org_id, "k1", Role.OWNER)
    connect_with_sample_token(services, owner)
    requests: RangeRequests = services.range_requests
    today = datetime.now(UTC).date()
    future = requests.request(org.org_id, EU, today, today + timedelta(days=2))
    assert future.status is RangeStatus.REFUSED
    assert "after the account's today" in (future.reason or "")
    old = requests.request(org.org_id, EU, date(today.year - 4, 1, 1), date(today.year - 4, 2, 1))
    assert old.status is RangeStatus.REFUSED
    assert "37 months" in (old.reason or "")
    assert recorded.tasks == {}
