"""Which events make detection run again: ingest, a change to what decides membership, and
an accepted allocation; nothing else."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import pytest

from shared.allocations.service import ALLOCATION_ACCEPTED
from shared.campaigns.service import CAMPAIGN_UPDATED
from shared.events import SYSTEM_ACTOR, DomainEvent
from shared.posts.service import PostMatching
from shared.scraping.ingest import POSTS_INGESTED


def event(event_type: str, **data: Any) -> DomainEvent:
    return DomainEvent(type=event_type, org_id="o1", subject_id="c1", actor=SYSTEM_ACTOR, data=data)


@pytest.mark.parametrize(
    ("trigger", "ingests", "redetects"),
    [
        (event(POSTS_INGESTED, post_keys=["p1"]), 1, []),
        (event(CAMPAIGN_UPDATED, changed=["tracking_config"]), 0, [None]),
        (event(CAMPAIGN_UPDATED, changed=["end_date", "name"]), 0, [None]),
        (event(CAMPAIGN_UPDATED, changed=["timezone"]), 0, [None]),
        (event(CAMPAIGN_UPDATED, changed=["name", "budget"]), 0, []),
        (event(ALLOCATION_ACCEPTED, allocation_id="a1"), 0, ["a1"]),
        (event("campaign.paused"), 0, []),
    ],
)
def test_detection_runs_again_only_when_what_decides_membership_changes(
    trigger: DomainEvent, ingests: int, redetects: list[str | None]
) -> None:
    """A whole campaign is re-checked (allocation None) or one accepted allocation."""
    matching = PostMatching.__new__(PostMatching)  # routing only: no ports are touched
    with (
        patch.object(PostMatching, "on_posts_ingested") as ingested,
        patch.object(PostMatching, "redetect") as redetected,
    ):
        matching.on_event(trigger)

    assert ingested.call_count == ingests
    assert [c.kwargs.get("allocation_id") for c in redetected.call_args_list] == redetects
