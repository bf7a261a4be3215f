"""The insights section of the demo (steps 26-34) against the local stack tells the story it
prints: feedback scored by a named engine, a visitor's purchases and visits in the linked
person's journey, an RFM segment with members, NPS with its margin, lifetime value for every
sample customer, and an at-risk list at the endpoint's default threshold that names the
drifting customers and none of the loyal or new ones."""

from __future__ import annotations

import pytest

from shared.auth import Role
from shared.localstack.demo_customers import DRIFTING, sample_customers
from shared.localstack.demo_insights import run_insights_flow
from shared.localstack.stack import StackInfo
from shared.scores.models import AtRiskQuery
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand, create_campaign

pytestmark = pytest.mark.e2e


def test_the_insights_demo_tells_its_story(
    tenant: Tenant, local_stack: StackInfo, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = tenant[Role.OWNER]
    brand_id = create_brand(owner, "Acme Outdoor")
    campaign_id = create_campaign(owner, brand_id)["campaign_id"]
    report = run_insights_flow(owner, local_stack, brand_id=brand_id, campaign_id=campaign_id)
    printed = capsys.readouterr().out
    assert [n for n in range(26, 35) if f"\n{n}. " in f"\n{printed}"] == list(range(26, 35))
    customers = sample_customers()
    rated = [c for c in customers if c.rating is not None]
    assert report["insights_customers"] == len(customers)

    scored = owner.get("/sentiment", params={"source_type": "feedback", "limit": 100}).json()
    assert len(scored["items"]) == len(rated)
    assert all(item["engine"] and item["model"] for item in scored["items"])

    person_id = report["insights_journey_person_id"]
    journey = owner.get(f"/people/{person_id}/journey").json()["events"]
    assert {"purchase", "page_view", "form_submit", "feedback"} <= {e["event"] for e in journey}

    segment_id = report["insights_rfm_segment_id"]
    members = owner.get(f"/segments/{segment_id}/members", params={"limit": 100}).json()
    assert len(members["items"]) == len(customers)
    assert all(member["rfm"]["segment"] for member in members["items"])

    nps = owner.get("/nps").json()
    assert nps["n"] == len(rated)
    assert report["insights_nps"] == nps["score"]
    assert report["insights_nps_margin"] > 0

    assert report["insights_clv_scored"] == len(customers)
    clv = owner.get("/scores", params={"type": "clv", "limit": 100}).json()["items"]
    assert {s["currency"] for s in clv} == {"EUR"}
    assert all(s["value"] > 0 and 0 <= s["breakdown"]["p_alive"] <= 1 for s in clv)

    at_risk = owner.get("/customers/at-risk", params={"limit": 100}).json()["items"]
    emails = {
        owner.get(f"/customers/{s['person_id']}/profile").json()["identity"]["email"]
        for s in at_risk
    }
    assert emails == {c.email for c in customers if c.kind == "drifting"}
    assert all(s["value"] >= AtRiskQuery().min_risk and s["breakdown"]["reasons"] for s in at_risk)
    assert report["insights_at_risk"] == report["insights_at_risk_drifting"] == DRIFTING
