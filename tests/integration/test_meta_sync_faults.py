"""A Meta insight sync through every fault the Graph API stand-in injects ends with exactly the
rows and KPIs of a clean sync: failed reports at every level (split account -> campaigns -> ad
sets -> ads, rows keeping their level), stuck reports, too much data per call, throttling,
codes 1, 2 and unknown codes, gateway errors, and a token that expires mid-sync (re-auth, then
resume). A report that cannot be had even at the lowest granularity fails the sync visibly.

Real Firestore emulator, DuckDB warehouse, the real facebook-business SDK against the local
Graph API stand-in over HTTP; the sync's clock is the test's, so waits cost no time."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
from pydantic import SecretStr

from shared.adaccounts.details import AccountDetailSync
from shared.adaccounts.handoff import CodeHandoff
from shared.adaccounts.models import AccountStatus, ConnectRequest, SyncStatus
from shared.adaccounts.range_reach import RangeReach
from shared.adaccounts.sync import InsightSync
from shared.adaccounts.sync_runs import SyncRun
from shared.adaccounts.sync_units import OBJECT_LEVELS, UnitStatus
from shared.adapters.meta_insights import meta_insight_row, meta_range_row
from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.config import Settings
from shared.localstack.graph import LocalGraphApi, load_catalog
from shared.localstack.stack import StackInfo
from shared.paid.kpi_table import KpiQuery
from shared.topology import load_topology
from tests.integration.graph_standin_fixtures import Clock, serving

pytestmark = pytest.mark.integration

START = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)  # the stand-in's clock, and the sync's start
EU = "100000000000101"
REDIRECT_URI = "https://app.reachops.example/oauth/meta/callback"
POLL_SECONDS = 60.0
STUCK_AFTER = timedelta(minutes=10)
MAX_STEPS = 400
HIDDEN = frozenset({"ARCHIVED", "DELETED"})


@pytest.fixture(scope="module")
def graph_url() -> Iterator[str]:
    with serving(LocalGraphApi(clock=lambda: START, polls_to_complete=3)) as url:
        yield url


@pytest.fixture
def control(graph_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{graph_url}/_control", timeout=10) as client:
        client.post("/reset").raise_for_status()
        yield client
        client.post("/reset").raise_for_status()


Chaos = Callable[[SyncRun], None]


@dataclass
class World:
    services: Services
    sync: InsightSync
    clock: Clock
    control: httpx.Client
    owners: dict[str, Principal] = field(default_factory=dict)

    def org(self, name: str) -> Principal:
        org, owner = self.services.orgs.create_org(name)
        self.owners[name] = Principal(org.org_id, owner.key_id, Role.OWNER)
        self.connect(name)
        return self.owners[name]

    def connect(self, name: str) -> None:
        """What the token vault does with the code the OAuth callback hands it."""
        start = self.services.ad_accounts.connect(self.owners[name], ConnectRequest())
        code = SecretStr(f"sample-code-{secrets.token_hex(4)}")
        handoff = CodeHandoff(handoff_id=secrets.token_hex(8), state=start.state, code=code)
        assert self.services.token_vaulting.run(handoff).status == "connected"

    def faults(self, **faults: Any) -> None:
        self.control.post("/faults", json=faults).raise_for_status()

    def run(self, name: str, chaos: Chaos | None = None) -> SyncRun:
        """Step the sync as Cloud Tasks would, each step from the stored state, the clock
        moved on by the delay each step asks for."""
        org_id = self.owners[name].org_id
        sync_id = f"{EU}-{name}"
        self.sync.start(org_id, EU, sync_id)
        for _ in range(MAX_STEPS):
            run = self.sync.load(org_id, sync_id)
            assert run is not None
            if chaos is not None:
                chaos(run)
            delay = self.sync.step(run)
            if delay is None:
                return run
            self.clock.now += timedelta(seconds=delay)
        raise AssertionError(f"sync {sync_id} did not finish in {MAX_STEPS} steps")

    def stored(self, name: str) -> dict[str, list[dict[str, Any]]]:
        """What analysts and the API see for the org: every stored row at every level, the
        KPI views and the KPI table, with the org's own id and sync times left out."""
        owner = self.owners[name]
        tables = {
            "ad_insights_daily": "level, entity_id, date",
            "ad_conversions_daily": "level, entity_id, date, attribution_window",
            "paid_kpis_daily": "level, entity_id, date, attribution_window",
            "paid_kpis_campaign_daily": "campaign_id, date, attribution_window",
        }
        out = {
            table: _select(
                self.services,
                f"SELECT * FROM reachops.{table} WHERE org_id = '{owner.org_id}' "  # noqa: S608
                f"ORDER BY {order}",
            )
            for table, order in tables.items()
        }
        since, until = START.date() - timedelta(days=28), START.date()
        kpis = self.services.kpi_tables.table(owner, EU, KpiQuery(since=since, until=until))
        out["kpi_table"] = [item.model_dump(mode="json") for item in kpis.items]
        return out


def _select(services: Services, sql: str) -> list[dict[str, Any]]:
    """Rows of the world's DuckDB warehouse file, without the columns that differ by run."""
    with duckdb.connect(str(services.settings.duckdb_path)) as connection:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description]
        return [
            {k: v for k, v in zip(names, row, strict=True) if k not in ("org_id", "synced_at")}
            for row in cursor.fetchall()
        ]


@pytest.fixture
def world(
    local_stack: StackInfo,
    clean_firestore: None,
    tmp_path: Path,
    graph_url: str,
    control: httpx.Client,
) -> World:
    settings = Settings(
        duckdb_path=tmp_path / "warehouse.duckdb",
        meta_graph_url=graph_url,
        meta_dialog_url=graph_url,
        meta_app_id="100000000000042",
        meta_app_secret="sync-fault-tests",
        meta_oauth_redirect_uri=REDIRECT_URI,
    )
    services = Services(settings, load_topology())
    clock = Clock()
    sync = InsightSync(
        store=services.store,
        warehouse=services.warehouse,
        accounts=services.ad_accounts,
        ads=services.ads,
        alerts=services.spend_alerts,
        links=services.paid_links,
        details=AccountDetailSync(
            warehouse=services.warehouse, convert=meta_insight_row, now=clock
        ),
        range_reach=RangeReach(warehouse=services.warehouse, convert=meta_range_row, now=clock),
        tasks=services.tasks,
        convert_row=meta_insight_row,
        poll_seconds=POLL_SECONDS,
        stuck_after=STUCK_AFTER,
        now=clock,
    )
    return World(services=services, sync=sync, clock=clock, control=control)


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
