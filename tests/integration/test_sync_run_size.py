"""An insight sync of an account with thousands of campaigns keeps its run document small: the
units a failed account-wide report splits into are documents of their own under the run, so
the run's document does not grow with the account, and a split redone after a crash writes no
unit twice.

Real Firestore emulator, DuckDB warehouse, the real facebook-business SDK against the Graph API
stand-in serving a generated catalog (the sample account's first campaign, repeated)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from shared.adaccounts.models import AdAccountUpdate
from shared.adaccounts.sync_runs import SyncRun, sync_path, units_path
from shared.adaccounts.sync_units import UnitStatus
from shared.auth import Principal, Role
from shared.localstack.graph import LocalGraphApi
from shared.localstack.graph.catalog import SAMPLES
from shared.localstack.stack import StackInfo
from tests.integration.graph_standin_fixtures import Clock, serving
from tests.integration.meta_sync_world import (
    EU,
    START,
    build_sync,
    connect_with_sample_token,
    meta_services,
)

pytestmark = pytest.mark.integration

CAMPAIGNS = 1500
MAX_RUN_DOCUMENT_BYTES = 2048


def huge_catalog(path: Path) -> Path:
    """The samples with the EU account holding CAMPAIGNS copies of its first campaign."""
    document = json.loads(SAMPLES.read_text(encoding="utf-8"))
    account = next(a for a in document["ad_accounts"] if a["account_id"] == EU)
    template = account["campaigns"][0]
    campaigns = []
    for n in range(CAMPAIGNS):
        campaign = copy.deepcopy(template)
        campaign["id"], campaign["name"] = f"9{n:07d}00", f"Generated campaign {n}"
        adset = campaign["adsets"][0]
        campaign["adsets"] = [adset]
        adset["id"] = f"9{n:07d}10"
        adset["ads"] = adset["ads"][:1]
        adset["ads"][0]["id"] = f"9{n:07d}11"
        adset["ads"][0].get("creative", {})["id"] = f"8{n:07d}11"
        campaigns.append(campaign)
    account["campaigns"] = campaigns
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture
def graph_url(tmp_path: Path) -> Iterator[str]:
    samples = huge_catalog(tmp_path / "huge.json")
    with serving(LocalGraphApi(clock=lambda: START, polls_to_complete=1, samples=samples)) as url:
        yield url


def test_a_split_onto_thousands_of_campaigns_keeps_the_run_document_small(
    local_stack: StackInfo, clean_firestore: None, tmp_path: Path, graph_url: str
) -> None:
    services = meta_services(tmp_path, graph_url, "sync-size-tests")
    clock = Clock()
    sync = build_sync(services, clock, poll_seconds=60.0)
    org, _ = services.orgs.create_org("huge")
    owner = Principal(org.org_id, "k1", Role.OWNER)
    connect_with_sample_token(services, owner)
    # Two days of data: the size of the account is in its objects, not its days.
    services.ad_accounts.update(owner, EU, AdAccountUpdate(lookback_days=1))
    httpx.post(
        f"{graph_url}/_control/faults",
        json={"fail_reports_next": 2, "fail_reports_level": "campaign"},
        timeout=10,
    ).raise_for_status()

    def run_document() -> bytes:
        data = services.store.get(sync_path(org.org_id, "huge"))
        return json.dumps(data, default=str).encode()

    run: SyncRun | None = sync.start(org.org_id, EU, "huge")
    first_size = len(run_document())
    for _ in range(10):  # report fails twice, then the campaign rows split onto campaigns
        run = sync.load(org.org_id, "huge")
        assert run is not None
        sync.step(run)
        clock.now += timedelta(seconds=60)
        if len(run.units) > CAMPAIGNS:
            break
    units = services.store.query(units_path(org.org_id, "huge"))
    split = [u for u in units if u.data["status"] == UnitStatus.SPLIT.value]
    children = [u for u in units if u.data["object_level"] == "campaign"]
    assert [u.data["level"] for u in split] == ["campaign"]
    assert len(children) == CAMPAIGNS
    assert len(run_document()) <= max(first_size + 64, MAX_RUN_DOCUMENT_BYTES)
    assert b"units" not in run_document()

    # A crash after the children were written but before the unit was marked SPLIT: the next
    # step splits again and writes no child twice. (Meta's usage headers near the limit make
    # the step pause after its first unit, the split, rather than start 1500 reports.)
    httpx.post(f"{graph_url}/_control/faults", json={"usage_pct": 90}, timeout=10)
    parent = split[0]
    parent_path = f"{units_path(org.org_id, 'huge')}/{parent.id}"
    services.store.set(parent_path, {**parent.data, "status": UnitStatus.SPLITTING.value})
    run = sync.load(org.org_id, "huge")
    assert run is not None
    sync.step(run)
    again = services.store.query(units_path(org.org_id, "huge"))
    assert len(again) == len(units)
    assert len([u for u in again if u.data["object_level"] == "campaign"]) == CAMPAIGNS
