"""Two deliveries of one insight sync step running side by side (Cloud Tasks delivers at least
once) start each Meta report once: the second finds the step's lease held and answers "in
progress" (retryable) without calling Meta. A lease whose holder died is taken over once it
expires. The real Firestore emulator, the Graph API stand-in and the facebook-business SDK."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pytest

from shared.adaccounts.sync import STEP_LEASE
from shared.adaccounts.sync_runs import StepInProgress, SyncRuns
from shared.adapters.meta_ads import MetaAds
from tests.integration.meta_sync_world import EU, World, build_sync, control, graph_url, world

pytestmark = pytest.mark.integration
__all__ = ["control", "graph_url", "world"]  # fixtures, used by name


class HeldAtFirstReport(MetaAds):
    """The real adapter, except that the first report start waits until the test lets it go:
    its delivery is then surely mid-step when the duplicate arrives."""

    def __init__(self, *, app_id: str, app_secret: str, graph_url: str) -> None:
        super().__init__(app_id=app_id, app_secret=app_secret, graph_url=graph_url)
        self.inside, self.go_on = threading.Event(), threading.Event()

    def start_report(
        self,
        token: str,
        object_id: str,
        *,
        level: str,
        since: date,
        until: date,
        attribution_windows: Sequence[str],
    ) -> str:
        if not self.inside.is_set():
            self.inside.set()
            assert self.go_on.wait(timeout=20)
        return super().start_report(
            token,
            object_id,
            level=level,
            since=since,
            until=until,
            attribution_windows=attribution_windows,
        )


def report_starts(world: World) -> int:
    calls = world.control.get("/calls").json()["calls"]
    return sum(1 for c in calls if c["method"] == "POST" and c["path"].endswith("/insights"))


def test_a_duplicate_delivered_mid_step_is_in_progress_and_starts_no_report(
    world: World,
) -> None:
    settings = world.services.settings
    held = HeldAtFirstReport(
        app_id=settings.meta_app_id,
        app_secret=settings.meta_app_secret,
        graph_url=settings.meta_graph_url,
    )
    first = build_sync(world.services, world.clock, ads=lambda: held)
    duplicate = build_sync(world.services, world.clock)  # another instance, same queue
    org_id = world.org("side-by-side").org_id
    sync_id = f"{EU}-side-by-side"
    outcome: dict[str, Any] = {}
    delivery = threading.Thread(
        target=lambda: outcome.update(first.run_task(org_id, EU, sync_id, "scheduled"))
    )
    delivery.start()
    try:
        assert held.inside.wait(timeout=20)
        with pytest.raises(StepInProgress):
            duplicate.run_task(org_id, EU, sync_id, "scheduled")
    finally:
        held.go_on.set()
        delivery.join(timeout=30)

    assert outcome["next_step_in_seconds"] is not None
    assert report_starts(world) == 3  # one per level: campaign, ad set, ad
    again = duplicate.run_task(org_id, EU, sync_id, "scheduled")  # the retry, after the step
    assert again["sync_id"] == sync_id
    assert report_starts(world) == 3


def test_a_lease_left_by_a_dead_delivery_is_taken_over_once_it_expires(world: World) -> None:
    org_id = world.org("crashed").org_id
    sync_id = f"{EU}-crashed"
    SyncRuns(world.services.store).take_lease(org_id, sync_id, "dead", world.clock(), STEP_LEASE)
    sync = build_sync(world.services, world.clock)

    with pytest.raises(StepInProgress):
        sync.run_task(org_id, EU, sync_id, "scheduled")
    assert report_starts(world) == 0
    world.clock.now += STEP_LEASE + timedelta(seconds=1)
    assert sync.run_task(org_id, EU, sync_id, "scheduled")["next_step_in_seconds"] is not None
    assert report_starts(world) == 3
