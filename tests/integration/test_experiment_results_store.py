"""Experiment results stored by the hourly job (Firestore emulator, DuckDB warehouse): a rerun
within the hour replaces that hour's run (same rows), a later hour adds a run, `at` answers the
run at or before it, and an experiment with no run answers every figure null with the reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.brands.models import BrandCreate
from shared.experiments.models import ExperimentCreate
from shared.experiments.result_models import COMPARISON_FIGURES
from shared.experiments.results import NO_RUN, run_hour
from shared.goals.models import GoalCreate
from shared.tracking.intake import TrackBatch
from shared.tracking.sites import IssuedSite, SiteCreate

pytestmark = pytest.mark.integration

ORIGIN = "https://shop.example"


def send(services: Services, site: IssuedSite, events: list[dict[str, Any]]) -> None:
    _, result = services.track_intake.receive(TrackBatch(events=events), site.site_key, ORIGIN)
    assert result.accepted == len(events), result.rejected


def visitors(
    experiment_id: str, prefix: str, variant: str, count: int, buyers: int
) -> list[dict[str, Any]]:
    at = datetime.now(UTC).isoformat()
    events = []
    for n in range(count):
        visitor = f"{prefix}{n}"
        events.append(
            {
                "type": "experiment_viewed",
                "event_id": f"v-{visitor}",
                "occurred_at": at,
                "visitor_id": visitor,
                "experiment_id": experiment_id,
                "variation_id": variant,
            }
        )
        if n < buyers:
            events.append(
                {
                    "type": "purchase",
                    "event_id": f"p-{visitor}",
                    "occurred_at": at,
                    "visitor_id": visitor,
                    "order_id": f"o-{visitor}",
                    "value": "25.00",
                    "currency": "EUR",
                }
            )
    return events


@pytest.fixture
def running(app_services: Services) -> tuple[Services, Principal, IssuedSite, str]:
    org, key = app_services.orgs.create_org("Tests Inc")
    owner = Principal(org.org_id, key.key_id, Role.OWNER)
    brand = app_services.brands.create(owner, BrandCreate(name="Acme"))
    site = app_services.sites.create(
        owner, SiteCreate(name="Shop", brand_id=brand.brand_id, allowed_origins=[ORIGIN])
    )
    goal = app_services.goals.create(
        owner, GoalCreate.model_validate({"name": "Buy", "event_type": "purchase"})
    )
    experiment = app_services.experiments.create(
        owner,
        ExperimentCreate.model_validate(
            {
                "name": "Headline",
                "site_id": site.site_id,
                "variants": [
                    {"variant_id": "control", "name": "A", "weight": 1},
                    {"variant_id": "b", "name": "B", "weight": 1},
                ],
                "metrics": [
                    {
                        "metric_id": "buy",
                        "role": "goal",
                        "kind": "binomial",
                        "goal_id": goal.goal_id,
                    },
                    {"metric_id": "rpv", "role": "secondary", "kind": "mean", "currency": "EUR"},
                ],
                "mde": 0.1,
                "settings": {"min_users": 5},
            }
        ),
    )
    app_services.experiments.transition(owner, experiment.experiment_id, "start")
    return app_services, owner, site, experiment.experiment_id


def test_a_rerun_in_the_hour_is_the_same_run(
    running: tuple[Services, Principal, IssuedSite, str],
) -> None:
    services, owner, site, experiment_id = running
    before = services.experiment_results.latest(owner, experiment_id)
    assert before.run_at is None
    assert before.reason == NO_RUN
    assert not before.trustworthy
    for metric in before.metrics:
        for variant in metric.variants:
            assert variant.users is None
            assert variant.mean is None
            assert variant.reason == NO_RUN
            assert all(getattr(variant, name) is None for name in COMPARISON_FIGURES)

    send(services, site, visitors(experiment_id, "a", "control", 20, 4))
    send(services, site, visitors(experiment_id, "b", "b", 20, 8))
    first_hour = datetime.now(UTC) + timedelta(minutes=1)
    summary = services.experiment_results.recompute_all(first_hour)
    assert summary.run_at == run_hour(first_hour)
    assert summary.rows == 4
    first = services.experiment_results.latest(owner, experiment_id)
    services.experiment_results.recompute_all(first_hour + timedelta(seconds=30))
    again = services.experiment_results.latest(owner, experiment_id)
    assert again.run_at == first.run_at
    assert again.model_dump(exclude={"computed_at"}) == first.model_dump(exclude={"computed_at"})

    buy = {m.metric_id: m for m in first.metrics}["buy"]
    control, variant = buy.variants
    assert (control.users, control.mean, variant.users, variant.mean) == (20, 0.2, 20, 0.4)
    assert control.lift is None
    assert variant.lift == pytest.approx(1.0)
    assert first.srm.variants[0].users == 20
    assert first.srm.flagged is False
    assert first.trustworthy

    send(services, site, visitors(experiment_id, "c", "b", 30, 0))
    next_hour = first_hour + timedelta(hours=1)
    services.experiment_results.recompute_all(next_hour)
    latest = services.experiment_results.latest(owner, experiment_id, at=next_hour)
    assert latest.run_at == run_hour(next_hour)
    assert [v.users for v in latest.srm.variants] == [20, 50]
    earlier = services.experiment_results.latest(
        owner, experiment_id, at=run_hour(next_hour) - timedelta(minutes=1)
    )
    assert earlier.run_at == first.run_at
    assert [v.users for v in earlier.srm.variants] == [20, 20]
    too_early = services.experiment_results.latest(
        owner, experiment_id, at=run_hour(first_hour) - timedelta(minutes=1)
    )
    assert too_early.run_at is None
    assert too_early.reason == NO_RUN
