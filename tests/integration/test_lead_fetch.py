"""A Lead Ads lead becomes one conversion of the organization whose synced ad it came from,
fetched through the real facebook-business SDK from the Graph API stand-in with that ad
account's token, exactly once however often the task is delivered (concurrently too); a lead
that is gone, that the token may not read or whose ad is no organization's is dropped, and a
throttled Meta is retried (the task answers 503) and then records it. No answer of the form is
ever stored. A lead whose answers carry an email links the person it names (found or created
by the email's keyed hash), once however often it is fetched, and its lead_capture is in that
person's journey."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import httpx
import pytest

from shared.adaccounts.metadata import OBJECT_KEYS
from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.conversions.leads import LeadFetch, LeadTask
from shared.conversions.models import ConversionQuery
from shared.conversions.service import ConversionService
from shared.errors import Unavailable
from shared.localstack.graph import LocalGraphApi
from shared.localstack.stack import StackInfo
from shared.people.models import JourneyQuery
from shared.topology import load_topology
from shared.tracking.intake import TrackIntake
from shared.tracking.limits import IntakeLimits
from tests.integration.graph_standin_fixtures import serving
from tests.integration.meta_sync_world import APP_ID, EU, connect_with_sample_token, meta_services

pytestmark = pytest.mark.integration

APP_SECRET = "lead-fetch-tests-app-secret"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # the stand-in's and the intake's clock
LEAD_AD = "120210000000001511"
LEAD = LeadTask(leadgen_id="900000000000001", ad_id=LEAD_AD, page_id="110000000000001")


@pytest.fixture(scope="module")
def graph_url() -> Iterator[str]:
    with serving(LocalGraphApi(app_id=APP_ID, app_secret=APP_SECRET, clock=lambda: NOW)) as url:
        yield url


@pytest.fixture
def world(
    local_stack: StackInfo, clean_firestore: None, tmp_path: Path, graph_url: str
) -> tuple[Services, Principal, LeadFetch, ConversionService]:
    settings = meta_services(tmp_path, graph_url, APP_SECRET).settings
    pii_keys = {"local_pii_key_file": tmp_path / "pii_keys.json"}
    services = Services(settings.model_copy(update=pii_keys), load_topology())
    org, owner = services.orgs.create_org("leads")
    principal = Principal(org.org_id, owner.key_id, Role.OWNER)
    connect_with_sample_token(services, principal)
    services.warehouse.merge_rows(
        "ad_objects",
        [
            {
                "org_id": org.org_id,
                "platform": "meta",
                "account_id": EU,
                "level": "ad",
                "object_id": LEAD_AD,
                "name": "Lead form ad",
                "campaign_id": "120210000000001500",
                "adset_id": "120210000000001510",
                "currency": "EUR",
                "synced_at": NOW,
            }
        ],
        OBJECT_KEYS,
        update_existing=True,
    )
    intake = TrackIntake(
        services.store, services.warehouse, services.sites, IntakeLimits(), clock=lambda: NOW
    )
    fetch = LeadFetch(
        warehouse=services.warehouse,
        accounts=services.ad_accounts,
        ads=services.ads,
        intake=intake,
        people=lambda: services.people,
        clock=lambda: NOW,
    )
    conversions = ConversionService(
        warehouse=services.warehouse,
        intake=intake,
        sites=services.sites,
        campaigns=services.campaigns,
        default_page_size=25,
        max_page_size=100,
        clock=lambda: NOW,
    )
    return services, principal, fetch, conversions


def stored(conversions: ConversionService, principal: Principal) -> list[dict[str, object]]:
    query = ConversionQuery.model_validate({"from": "2026-11-01", "to": "2026-12-01"})
    return [c.model_dump() for c in conversions.list(principal, query).items]


def test_a_lead_is_recorded_once_with_its_ad_however_often_it_is_delivered(
    world: tuple[Services, Principal, LeadFetch, ConversionService],
) -> None:
    _, principal, fetch, conversions = world

    assert fetch.fetch(LEAD) == 1
    threads = [threading.Thread(target=fetch.fetch, args=(LEAD,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fetch.fetch(LEAD) == 0

    rows = stored(conversions, principal)
    assert len(rows) == 1
    lead = rows[0]
    assert lead["conversion_id"] == "~meta_lead_900000000000001"
    assert lead["source"] == "meta_lead_ads"
    assert lead["type"] == "lead_form_submission"
    assert lead["occurred_at"] == NOW - timedelta(minutes=1606)
    assert (lead["ad_id"], lead["paid_adset_id"], lead["paid_campaign_id"]) == (
        LEAD_AD,
        "120210000000001510",
        "120210000000001500",
    )
    assert (lead["ad_account_id"], lead["lead_id"]) == (EU, "900000000000001")
    assert lead["properties"] == {
        "form_id": "700000000000001",
        "platform": "fb",
        "is_organic": False,
        "field_names": "email,full_name,phone_number,what_are_you_looking_for?",
    }
    assert "example.invalid" not in repr(rows)
    assert "Sample Person" not in repr(rows)


def test_a_lead_that_is_gone_unreadable_or_of_no_organization_is_dropped_and_meta_retried(
    world: tuple[Services, Principal, LeadFetch, ConversionService], graph_url: str
) -> None:
    _, principal, fetch, conversions = world
    deleted = LeadTask(leadgen_id="900000000000004", ad_id=LEAD_AD)
    forbidden = LeadTask(leadgen_id="900000000000005", ad_id=LEAD_AD)
    stranger = LeadTask(leadgen_id="900000000000002", ad_id="999999999999")
    organic = LeadTask(leadgen_id="900000000000003")

    assert [fetch.fetch(t) for t in (deleted, forbidden, stranger, organic)] == [0, 0, 0, 0]
    assert stored(conversions, principal) == []

    httpx.post(f"{graph_url}/_control/faults", json={"throttle_next": 1}).raise_for_status()
    try:
        with pytest.raises(Unavailable):
            fetch.fetch(LEAD)
        assert stored(conversions, principal) == []
        assert fetch.fetch(LEAD) == 1
    finally:
        httpx.post(f"{graph_url}/_control/reset").raise_for_status()
    assert [r["lead_id"] for r in stored(conversions, principal)] == ["900000000000001"]


def test_a_lead_with_an_email_links_its_person_once_and_joins_their_journey(
    world: tuple[Services, Principal, LeadFetch, ConversionService],
) -> None:
    services, principal, fetch, conversions = world
    lead = LeadTask(leadgen_id="900000000000007", ad_id=LEAD_AD)

    assert fetch.fetch(lead) == 1
    assert fetch.fetch(lead) == 0  # a redelivered task links nobody twice
    assert fetch.fetch(LEAD) == 1  # its email is no address (example.invalid): recorded unlinked

    person_id = services.people.person_of_visitor(principal.org_id, "meta_lead:900000000000007")
    assert person_id is not None
    person = services.people.get(principal, person_id)
    assert person.email == "lead.sample@example.com"
    assert person.visitor_ids == ["meta_lead:900000000000007"]
    journey = services.journeys.journey(
        principal, person_id, JourneyQuery.model_validate({"to": NOW.date().isoformat()})
    )
    assert [(e.event, e.stage, e.channel, e.source_id) for e in journey.events] == [
        ("lead_capture", "consideration", "social", "~meta_lead_900000000000007")
    ]
    rows = {r["lead_id"]: r for r in stored(conversions, principal)}
    assert set(rows) == {"900000000000001", "900000000000007"}
    assert rows["900000000000007"]["properties"] == {
        "form_id": "700000000000001",
        "platform": "ig",
        "is_organic": False,
        "field_names": "email,full_name,what_are_you_looking_for?",
    }
    assert "example.com" not in repr(rows).lower()
    assert "boots" not in repr(rows)
    with duckdb.connect(str(services.settings.duckdb_path)) as connection:
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'reachops' "
            "AND table_type = 'BASE TABLE'"
        ).fetchall()
        for (table,) in tables:
            text = repr(connection.execute(f"SELECT * FROM reachops.{table}").fetchall())  # noqa: S608
            assert "example.com" not in text.lower(), table
            assert "Lead Sample" not in text, table
