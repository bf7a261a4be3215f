"""What a run cost (usageTotalUsd first, else charged events at the run's own prices, else
unreported with a reason) and the job's claim state machine, as pure logic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from shared.campaigns.models import Platform
from shared.ports import ActorRun, RunPricing
from shared.scraping.actors import ScrapeKind
from shared.scraping.cost import RunCost, run_cost, usd_to_micros
from shared.scraping.models import JobStatus, ScrapeJob, ScrapeTarget
from shared.scraping.runs import CLAIM_LEASE, claim, claim_is_live, place, start_failed, started

NOW = datetime(2026, 11, 21, 6, tzinfo=UTC)
PPE = RunPricing("PAY_PER_EVENT", {"actor-start": 0.005, "result": 0.004})


def run(**fields: object) -> ActorRun:
    values: dict[str, object] = {
        "run_id": "r1",
        "actor_id": "a",
        "status": "SUCCEEDED",
        "dataset_id": "d",
        "started_at": NOW,
        "finished_at": NOW,
        "usage_total_usd": None,
        "charged_event_counts": None,
        "pricing": None,
    }
    values.update(fields)
    return ActorRun(**values)  # type: ignore[arg-type]


def job() -> ScrapeJob:
    return ScrapeJob(
        job_id="j1",
        org_id="o1",
        kind=ScrapeKind.POSTS,
        platform=Platform.INSTAGRAM,
        actor_id="apify/instagram-scraper",
        targets=[ScrapeTarget(creator_id="c1", username="anna")],
        since=None,
        created_at=NOW - timedelta(hours=1),
        updated_at=NOW - timedelta(hours=1),
    )


def test_usage_total_usd_is_what_the_account_pays_and_wins() -> None:
    charged = run(usage_total_usd=0.2654, charged_event_counts={"result": 1000}, pricing=PPE)
    assert run_cost(charged) == RunCost(265_400, "usage_total_usd")


def test_without_usage_charged_events_are_priced_by_the_runs_own_pricing() -> None:
    charged = run(charged_event_counts={"actor-start": 1, "result": 50}, pricing=PPE)
    assert run_cost(charged) == RunCost(205_000, "charged_events")


@given(
    counts=st.dictionaries(
        st.sampled_from(["actor-start", "result", "profile", "comment"]),
        st.integers(min_value=1, max_value=10_000_000),
        min_size=1,
    ),
    cents=st.dictionaries(
        st.sampled_from(["actor-start", "result", "profile", "comment"]),
        st.integers(min_value=0, max_value=100_000),
    ),
)
def test_charged_events_cost_exactly_their_count_times_price(
    counts: dict[str, int], cents: dict[str, int]
) -> None:
    """Prices in hundredths of a micro-dollar: the total is exact, no float drift."""
    prices = {event: price / 100_000_000 for event, price in cents.items()}
    cost = run_cost(run(charged_event_counts=counts, pricing=RunPricing("PAY_PER_EVENT", prices)))
    if set(counts) <= set(prices):
        exact = sum((Decimal(cents[e]) * n for e, n in counts.items()), Decimal(0)) / 100
        assert cost.source == "charged_events"
        assert cost.usd_micros == int(exact.to_integral_value(rounding=ROUND_HALF_UP))
    else:
        assert (cost.usd_micros, cost.source) == (None, "unreported")
        assert cost.reason is not None
        assert all(event in cost.reason for event in set(counts) - set(prices))


def test_tier_priced_or_unpriced_events_leave_the_cost_unreported_with_the_reason() -> None:
    tiered = RunPricing("PAY_PER_EVENT", {"actor-start": 0.005}, frozenset({"result"}))
    cost = run_cost(run(charged_event_counts={"actor-start": 1, "result": 3}, pricing=tiered))
    assert (cost.usd_micros, cost.source) == (None, "unreported")
    assert cost.reason == "no flat price in the run's pricing for result"
    no_pricing = run_cost(run(charged_event_counts={"result": 3}))
    assert no_pricing.usd_micros is None
    assert no_pricing.reason == "the run has charged events but no pay-per-event pricing"
    nothing = run_cost(run())
    assert (nothing.usd_micros, nothing.source) == (None, "unreported")
    assert nothing.reason


@given(st.decimals(min_value=0, max_value=10_000, places=8))
def test_micros_round_half_up_from_the_decimal_apify_wrote(usd: Decimal) -> None:
    micros = usd_to_micros(float(usd))
    assert abs(Decimal(micros) - Decimal(str(float(usd))) * 1_000_000) <= Decimal("0.5")


def test_a_claim_is_taken_once_and_a_live_claim_blocks_a_second() -> None:
    first = claim(job(), "c1", NOW)
    assert (first.status, first.claim_id, first.attempts) == (JobStatus.STARTING, "c1", 1)
    assert claim_is_live(first, NOW + CLAIM_LEASE - timedelta(seconds=1))
    second = claim(first.model_copy(deep=True), "c2", NOW + timedelta(minutes=5))
    assert second.claim_id == "c1"
    stale = claim(first.model_copy(deep=True), "c3", NOW + CLAIM_LEASE)
    assert (stale.claim_id, stale.attempts) == ("c3", 2)


def test_the_run_of_a_claim_whose_save_was_lost_is_adopted_on_its_report() -> None:
    claimed = claim(job(), "c1", NOW)
    done = place(claimed, run(usage_total_usd=0.01), "c1", RunCost(10_000, "usage_total_usd"))
    assert (done.status, done.run_id, done.run_ids) == (JobStatus.RUNNING, "r1", ["r1"])
    assert not done.runs[0].superseded
    assert (done.cost_usd_micros, done.cost_source) == (10_000, "usage_total_usd")
    again = place(done.model_copy(deep=True), run(), "c1", RunCost(10_000, "usage_total_usd"))
    assert again == done


def test_a_stale_claims_run_is_superseded_but_its_spend_counts() -> None:
    first = claim(job(), "c1", NOW)
    second = started(claim(first, "c2", NOW + CLAIM_LEASE), "c2", run(run_id="r2"))
    assert (second.status, second.run_id) == (JobStatus.RUNNING, "r2")
    late = place(second, run(run_id="r1"), "c1", RunCost(7_000, "usage_total_usd"))
    assert late.run_id == "r2"
    assert [(r.run_id, r.superseded) for r in late.runs] == [("r2", False), ("r1", True)]
    assert late.cost_usd_micros == 7_000
    current = place(late, run(run_id="r2"), "c2", RunCost(None, "unreported", "no figure"))
    assert (current.cost_usd_micros, current.cost_source) == (None, "unreported")
    assert current.cost_note == "run r2: no figure"


def test_a_refused_start_releases_the_claim_until_the_last_attempt() -> None:
    claimed = claim(job(), "c1", NOW)
    released = start_failed(claimed.model_copy(deep=True), "c1", "429", final=False, now=NOW)
    assert (released.status, released.claim_id) == (JobStatus.PENDING, "c1")
    failed = start_failed(claimed, "c1", "429", final=True, now=NOW)
    assert (failed.status, failed.finished_at) == (JobStatus.FAILED, NOW)
    assert start_failed(failed, "c0", "x", final=True, now=NOW) == failed


def test_a_run_that_started_after_a_start_looked_refused_is_adopted_not_repeated() -> None:
    claimed = claim(job(), "c1", NOW)
    released = start_failed(claimed, "c1", "502 after the run was made", final=False, now=NOW)
    adopted = place(released, run(), "c1", RunCost(1, "usage_total_usd"))
    assert (adopted.status, adopted.run_id) == (JobStatus.RUNNING, "r1")
    assert claim(adopted.model_copy(deep=True), "c2", NOW).claim_id == "c1"
