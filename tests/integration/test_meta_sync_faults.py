"""A Meta insight sync through every fault the Graph API stand-in injects ends with exactly the
rows and KPIs of a clean sync: failed reports at every level (split account -> campaigns -> ad
sets -> ads, rows keeping their level), stuck reports, too much data per call, throttling,
codes 1, 2 and unknown codes, gateway errors, and a token that expires mid-sync (re-auth, then
resume). A report that cannot be had even at the lowest granularity fails the sync visibly.

The world of tests/integration/meta_sync_world.py: real Firestore emulator, DuckDB warehouse,
the real facebook-business SDK against the local Graph API stand-in over HTTP; the sync's clock
is the test's, so waits cost no time."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from shared.adaccounts.models import AccountStatus, SyncStatus
from shared.adaccounts.sync_runs import SyncRun
from shared.adaccounts.sync_units import OBJECT_LEVELS, UnitStatus
from shared.localstack.graph import load_catalog
from tests.integration.meta_sync_world import EU, START, World, control, graph_url, world

pytestmark = pytest.mark.integration
__all__ = ["control", "graph_url", "world"]  # fixtures, used by name

HIDDEN = frozenset({"ARCHIVED", "DELETED"})


@dataclass
class EveryFault:
    """Arms the stand-in's faults as the run reaches each stage, so that every kind fires at
    least once: the three account reports fail twice (split onto campaigns), and so do the
    ad reports of each campaign and then of each ad set (split down to single ads); the
    other faults come at fixed steps. `seen` records the (object level, row level) pairs."""

    world: World
    step: int = 0
    armed: set[str] = field(default_factory=set)
    seen: set[tuple[str, str]] = field(default_factory=set)
    reauths: int = 0

    def __call__(self, run: SyncRun) -> None:
        self.seen |= {(u.object_level, u.level) for u in run.units}
        if run.reauth_since is not None:
            self.world.faults(expire_tokens=False)
            self.world.connect("faulty")
            self.reauths += 1
        if self.step == 0:
            self.world.faults(fail_reports_next=2 * len(run.units), fail_reports_level="")
        fresh = [
            u.object_id
            for u in run.units
            if u.level == "ad"
            and u.object_level in ("campaign", "adset")
            and u.status is UnitStatus.PENDING
            and u.object_id not in self.armed
        ]
        if fresh:  # they start together in this step: each fails twice
            self.world.faults(fail_reports_next=2 * len(fresh), fail_reports_level="ad")
            self.armed |= set(fresh)
        scheduled = {
            1: {"throttle_next": 1, "throttle_code": 80004, "regain_minutes": 2},
            3: {"server_error_next": 2, "server_error_code": 1},
            5: {"unknown_error_next": 2},
            7: {"server_error_next": 2, "server_error_code": 2},
            9: {"throttle_next": 1, "throttle_code": 613, "regain_minutes": 0},
            11: {"gateway_error_next": 2, "gateway_status": 502},
            13: {"stuck_reports_next": 1},
            15: {"throttle_next": 2, "throttle_code": 17, "regain_minutes": 1},
            17: {"expire_tokens_after": 5},
            19: {"too_much_data_over": 100},  # smaller pages, id queries in halves
            25: {"throttle_next": 1, "throttle_code": 4, "regain_minutes": 1},
        }
        if self.step in scheduled:
            self.world.faults(**scheduled[self.step])
        self.step += 1


def test_a_sync_through_every_fault_stores_what_a_clean_sync_stores(world: World) -> None:
    world.org("clean")
    world.org("faulty")
    clean = world.run("clean")
    world.clock.now = START
    chaos = EveryFault(world)
    faulty = world.run("faulty", chaos)

    assert clean.status is SyncStatus.SUCCEEDED, clean.error
    assert faulty.status is SyncStatus.SUCCEEDED, faulty.error
    expected = world.stored("clean")
    assert all(expected[table] for table in expected), "the clean sync stored nothing"
    got = world.stored("faulty")
    for table, rows in expected.items():
        assert got[table] == rows, f"{table} differs after the faults"
    # Every fault fired: the ad rows were split all the way down, the token died and came back.
    assert {(level, "ad") for level in OBJECT_LEVELS} <= chaos.seen
    assert chaos.reauths >= 1
    left = world.control.get("/faults").json()["faults"]
    counters = [name for name in left if name.endswith(("_next", "_after"))]
    assert {name: left[name] for name in counters} == dict.fromkeys(counters, 0)
    account = world.services.ad_accounts.load(world.owners["faulty"].org_id, EU)
    assert (account.status, account.sync_status) == (AccountStatus.ACTIVE, SyncStatus.SUCCEEDED)


def test_too_much_data_per_call_reads_smaller_pages_and_stores_the_same_rows(
    world: World,
) -> None:
    world.org("clean")
    world.org("big")
    clean = world.run("clean")
    world.clock.now = START
    # Pages of 500 rows are too much, and so are the campaign ids of 29 days that the split
    # of the twice-failed campaign report asks for.
    world.faults(too_much_data_over=100, fail_reports_next=2, fail_reports_level="campaign")
    big = world.run("big")

    assert (clean.status, big.status) == (SyncStatus.SUCCEEDED, SyncStatus.SUCCEEDED), big.error
    limits = {
        call["params"].get("limit")
        for call in world.control.get("/calls").json()["calls"]
        if call["path"].endswith("/insights") and call["method"] == "GET"
    }
    assert "62" in limits  # 500 -> 250 -> 125 -> 62 rows a page
    assert {u.object_level for u in big.units if u.level == "campaign"} == {"campaign"}
    assert world.stored("big") == world.stored("clean")


def test_a_report_failing_at_its_lowest_granularity_fails_the_sync_with_metas_message(
    world: World,
) -> None:
    owner = world.org("broken")
    world.faults(fail_reports_next=10_000)  # every report, at every granularity

    run = world.run("broken")

    assert run.status is SyncStatus.FAILED
    assert "Generating the report failed" in (run.error or "")
    failed = [u for u in run.units if u.status is UnitStatus.FAILED]
    assert failed
    assert all(u.object_level == u.level for u in failed)
    account = world.services.ad_accounts.load(owner.org_id, EU)
    assert account.sync_status is SyncStatus.FAILED
    assert account.last_successful_sync_at is None
    assert account.last_error == run.error


def test_unknown_errors_are_retried_a_few_times_then_fail_the_unit(world: World) -> None:
    owner = world.org("unknown")
    world.faults(unknown_error_next=10_000, unknown_error_code=1357046)

    run = world.run("unknown")

    assert run.status is SyncStatus.FAILED
    assert "1357046" in (run.error or "")
    assert all(u.status is UnitStatus.FAILED and u.errors == 4 for u in run.units)
    assert world.services.ad_accounts.load(owner.org_id, EU).last_successful_sync_at is None


def test_archived_and_deleted_objects_keep_their_history(world: World) -> None:
    catalog = load_catalog()
    hidden = {
        ad_id
        for ad_id, ad in catalog.ads.items()
        if ad.get("effective_status") in HIDDEN and ad["account_id"] == f"act_{EU}"
    }
    assert hidden, "the samples hold archived or deleted ads"
    world.org("history")
    world.faults(fail_reports_next=6)  # the account reports fail twice: children are looked up

    run = world.run("history")

    assert run.status is SyncStatus.SUCCEEDED, run.error
    stored = {r["entity_id"] for r in world.stored("history")["ad_insights_daily"]}
    assert hidden <= stored
