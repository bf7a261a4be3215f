"""Scores through the local gateway: NPS over posted feedback with its margin, an empty period
answered with nulls and the reason, bad queries a 4xx naming the field; scores calculated by
members, read by every role, paged, ranked and kept per organization; the engagement settings
written by admins; the daily job idempotent for its day."""

from __future__ import annotations

import httpx
import pytest

from shared.auth import Role
from shared.localstack.identities import SCHEDULER
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant
from tests.e2e.creator_flow import eventually

pytestmark = pytest.mark.e2e

RATINGS = [("nps_0_10", 10), ("nps_0_10", 9), ("nps_0_10", 3), ("stars_1_5", 5)]


def post_feedback(client: httpx.Client) -> list[str]:
    people = []
    for i, (scale, rating) in enumerate(RATINGS):
        body = {
            "feedback_id": f"fb-{i}",
            "scale": scale,
            "rating": rating,
            "text": "Great shoes" if rating > 4 else "Late delivery",
            "email": f"customer{i}@example.com",
        }
        reply = client.post("/feedback", json=body)
        assert reply.status_code == 201, reply.text
        people.append(reply.json()["person_id"])
    return people


def test_nps_of_the_feedback_with_its_margin_and_an_empty_period(tenant: Tenant) -> None:
    post_feedback(tenant[Role.MEMBER])
    viewer = tenant[Role.VIEWER]
    report = viewer.get("/nps", params={"interval": "week", "by_segment": "true"})
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["n"], body["promoters"], body["passives"], body["detractors"]) == (4, 3, 0, 1)
    assert body["score"] == pytest.approx(50.0)
    assert body["margin_of_error"] > 0
    assert sum(t["n"] for t in body["trend"]) == 4
    assert body["segments"] == []

    empty = viewer.get("/nps", params={"from": "2020-01-01", "to": "2020-01-31"})
    assert empty.status_code == 200
    assert (empty.json()["score"], empty.json()["reason"]) == (None, "no ratings in the period")

    backwards = viewer.get("/nps", params={"from": "2026-01-31", "to": "2026-01-01"})
    assert backwards.status_code == 422
    assert backwards.json()["error"]["field"] == "query.from"
    half = viewer.get("/nps", params={"compare_from": "2026-01-01"})
    assert half.status_code == 422
    assert viewer.get("/nps", params={"interval": "day"}).json()["error"]["field"] == (
        "query.interval"
    )


def test_scores_are_calculated_by_members_and_read_paged_and_per_organization(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    people = post_feedback(tenant[Role.MEMBER])
    assert tenant[Role.VIEWER].post("/scores/calculate/nps").status_code == 403
    unknown = tenant[Role.MEMBER].post("/scores/calculate/happiness")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["field"] == "path.score_type"
    run = tenant[Role.MEMBER].post("/scores/calculate/nps")
    assert run.status_code == 200, run.text
    assert run.json()["persons_scored"] == 4
    assert run.json()["diagnostics"]["snapshot"]["n"] == 4

    viewer = tenant[Role.VIEWER]
    first = viewer.get("/scores", params={"type": "nps", "limit": 3}).json()
    second = viewer.get(
        "/scores", params={"type": "nps", "limit": 3, "cursor": first["next_cursor"]}
    ).json()
    listed = first["items"] + second["items"]
    assert sorted(s["person_id"] for s in listed) == sorted(people)
    assert second["next_cursor"] is None
    assert [s["value"] for s in listed] == [10.0, 10.0, 9.0, 3.0]
    detractors = viewer.get("/scores", params={"type": "nps", "max_value": 6}).json()["items"]
    assert [s["breakdown"]["category"] for s in detractors] == ["detractor"]
    assert viewer.get("/scores", params={"min_value": "x"}).json()["error"]["field"] == (
        "query.min_value"
    )

    mine = viewer.get(f"/scores/person/{people[2]}").json()["items"]
    assert [(s["score_type"], s["value"]) for s in mine] == [("nps", 3.0)]
    assert mine[0]["expires_at"] > mine[0]["computed_at"]
    board = viewer.get("/scores/leaderboard", params={"type": "nps", "limit": 2}).json()
    assert [i["rank"] for i in board["items"]] == [1, 2]

    assert other_tenant[Role.VIEWER].get("/scores").json()["items"] == []
    assert other_tenant[Role.VIEWER].get(f"/scores/person/{people[0]}").json()["items"] == []


def test_engagement_settings_are_set_by_admins(tenant: Tenant) -> None:
    body = {"weights": {"page_view": 2}, "half_life_days": 14}
    assert tenant[Role.MEMBER].put("/scores/settings/engagement", json=body).status_code == 403
    bad = tenant[Role.ADMIN].put("/scores/settings/engagement", json={"weights": {"hug": 1}})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"].startswith("weights")
    saved = tenant[Role.ADMIN].put("/scores/settings/engagement", json=body)
    assert saved.status_code == 200, saved.text
    settings = tenant[Role.VIEWER].get("/scores/settings/engagement").json()
    assert settings["half_life_days"] == 14
    assert settings["weights"]["page_view"] == 2
    assert settings["weights"]["purchase"] == 10


def test_the_daily_job_is_idempotent_for_its_day(tenant: Tenant, local_stack: StackInfo) -> None:
    post_feedback(tenant[Role.MEMBER])
    url = f"{local_stack.functions_base_url}/scores_daily"
    headers = local_stack.invoker_headers(SCHEDULER, "scores_daily")
    first = httpx.post(url, headers=headers, timeout=120)
    assert first.status_code == 200, first.text
    again = httpx.post(url, headers=headers, timeout=120)
    assert again.json() == first.json()
    scores = tenant[Role.VIEWER].get("/scores", params={"type": "engagement"}).json()["items"]
    assert len(scores) == 4  # each person's feedback is a journey event
    assert all(s["breakdown"]["events"]["feedback"]["events"] == 1 for s in scores)


def test_the_weekly_churn_job_is_idempotent_for_its_week(
    tenant: Tenant, local_stack: StackInfo
) -> None:
    post_feedback(tenant[Role.MEMBER])

    def all_feedback_scored() -> bool:
        """Sentiment is scored in the background; a run before it lands reads other inputs."""
        params: dict[str, str | int] = {"source_type": "feedback", "limit": 100}
        scored = tenant[Role.VIEWER].get("/sentiment", params=params).json()["items"]
        return len(scored) == len(RATINGS)

    eventually(all_feedback_scored, "the feedback's sentiment")
    url = f"{local_stack.functions_base_url}/scores_weekly"
    headers = local_stack.invoker_headers(SCHEDULER, "scores_weekly")
    first = httpx.post(url, headers=headers, timeout=120)
    assert first.status_code == 200, first.text
    scored = tenant[Role.VIEWER].get("/scores", params={"type": "churn_risk"}).json()["items"]
    assert scored, "every person with feedback gets a churn risk"
    again = httpx.post(url, headers=headers, timeout=120)
    assert again.json() == first.json()
    rescored = tenant[Role.VIEWER].get("/scores", params={"type": "churn_risk"}).json()["items"]
    assert sorted((s["person_id"], s["value"], s["period"]) for s in rescored) == sorted(
        (s["person_id"], s["value"], s["period"]) for s in scored
    )
