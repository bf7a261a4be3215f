"""The Meta insight sync's test world, built once for every test of the sync: services on the
real Firestore emulator and a DuckDB warehouse file, the real facebook-business SDK pointed at
the local Graph API stand-in over HTTP, and an InsightSync on the test's clock, so waits cost
no time.

The builders (`meta_services`, `build_sync`, `connect_with_sample_token`) serve tests that run
their own stand-in (another catalog, another report speed); `World` and the fixtures below are
the stand-in that fails reports on demand, for the tests that step whole syncs through it."""

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
from shared.adaccounts.models import ConnectRequest
from shared.adaccounts.range_reach import RangeReach
from shared.adaccounts.service import OAUTH_USER
from shared.adaccounts.sync import POLL_SECONDS, InsightSync
from shared.adaccounts.sync_runs import SyncRun
from shared.adaccounts.sync_units import STUCK_AFTER
from shared.adapters.meta_insights import meta_insight_row, meta_range_row
from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.config import Settings
from shared.localstack.graph import LocalGraphApi
from shared.localstack.graph.oauth import SAMPLE_TOKEN_PREFIX
from shared.localstack.stack import StackInfo
from shared.paid.kpi_table import KpiQuery
from shared.ports import AdsPlatform, TaskQueue
from shared.topology import load_topology
from tests.integration.graph_standin_fixtures import Clock, serving

START = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)  # the stand-in's clock, and the sync's start
EU = "100000000000101"
APP_ID = "100000000000042"
REDIRECT_URI = "https://app.reachops.example/oauth/meta/callback"
MAX_STEPS = 400
WORLD_POLL_SECONDS = 60.0  # the world's sync polls a report a minute, and calls it stuck
WORLD_STUCK_AFTER = timedelta(minutes=10)  # after ten (the deployed defaults are in sync.py)

Chaos = Callable[[SyncRun], None]


def meta_services(tmp_path: Path, graph_url: str, app_secret: str) -> Services:
    """The services of a test, their warehouse a DuckDB file under `tmp_path` and Meta (the
    Graph API and its OAuth dialog) the stand-in at `graph_url`."""
    settings = Settings(
        duckdb_path=tmp_path / "warehouse.duckdb",
        meta_graph_url=graph_url,
        meta_dialog_url=graph_url,
        meta_app_id=APP_ID,
        meta_app_secret=app_secret,
        meta_oauth_redirect_uri=REDIRECT_URI,
    )
    return Services(settings, load_topology())


def build_sync(
    services: Services,
    clock: Clock,
    *,
    tasks: TaskQueue | None = None,
    poll_seconds: float = POLL_SECONDS,
    stuck_after: timedelta = STUCK_AFTER,
    ads: Callable[[], AdsPlatform] | None = None,
) -> InsightSync:
    """The sync as the deployed function builds it, on the test's clock (its steps' waits and
    every row's sync time); its next steps go to `tasks`, the services' queue unless given, and
    it calls Meta through `ads`, the services' adapter unless given."""
    warehouse = services.warehouse
    return InsightSync(
        store=services.store,
        warehouse=warehouse,
        accounts=services.ad_accounts,
        ads=services.ads if ads is None else ads,
        alerts=services.spend_alerts,
        links=services.paid_links,
        details=AccountDetailSync(warehouse=warehouse, convert=meta_insight_row, now=clock),
        range_reach=RangeReach(warehouse=warehouse, convert=meta_range_row, now=clock),
        tasks=services.tasks if tasks is None else tasks,
        convert_row=meta_insight_row,
        poll_seconds=poll_seconds,
        stuck_after=stuck_after,
        now=clock,
    )


def connect_with_sample_token(services: Services, owner: Principal) -> None:
    """What the OAuth callback records once Meta issued a token (a stand-in sample token), for
    tests the OAuth exchange is not about."""
    services.ad_accounts.record_connection(
        owner.org_id,
        owner.key_id,
        services.ads(),
        f"{SAMPLE_TOKEN_PREFIX}-{secrets.token_hex(4)}",
        token_type=OAUTH_USER,
        expires_at=None,
    )


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


@pytest.fixture
def world(
    local_stack: StackInfo,
    clean_firestore: None,
    tmp_path: Path,
    graph_url: str,
    control: httpx.Client,
) -> World:
    services = meta_services(tmp_path, graph_url, "sync-fault-tests")
    clock = Clock()
    sync = build_sync(
        services, clock, poll_seconds=WORLD_POLL_SECONDS, stuck_after=WORLD_STUCK_AFTER
    )
    return World(services=services, sync=sync, clock=clock, control=control)
