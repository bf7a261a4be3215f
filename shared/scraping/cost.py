"""What an Apify run cost the account, and where the figure came from.

In order of trust:
1. `usage_total_usd`: the run's `usageTotalUsd`, which Apify documents as what the account
   actually pays for the run (platform usage and/or event charges, per the actor's pricing).
2. `charged_events`: the run's `chargedEventCounts` priced by the run's own `pricingInfo`, the
   record in force when the run started. Never the actor's prices of today: a price change
   after the run must not rewrite what the run cost.
3. `unreported`: neither is there (or an event has no flat price in the run's record, e.g. a
   tier-priced one, whose price depends on the account's plan). The cost is null and the
   reason says why; nothing is guessed.

Money is integer micro-dollars, rounded half up from the exact decimal Apify wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from shared.ports import ActorRun

MICROS_PER_USD = 1_000_000
PAY_PER_EVENT = "PAY_PER_EVENT"
CostSource = Literal["usage_total_usd", "charged_events", "unreported"]


@dataclass(frozen=True)
class RunCost:
    usd_micros: int | None
    source: CostSource
    reason: str | None = None


def usd_to_micros(usd: float | Decimal) -> int:
    """`str()` first: a float from JSON holds the shortest decimal that reads back as it, which
    is the figure Apify sent."""
    exact = usd if isinstance(usd, Decimal) else Decimal(str(usd))
    return int((exact * MICROS_PER_USD).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def run_cost(run: ActorRun) -> RunCost:
    if run.usage_total_usd is not None:
        return RunCost(usd_to_micros(run.usage_total_usd), "usage_total_usd")
    counts = run.charged_event_counts
    if not counts:
        return RunCost(None, "unreported", "Apify reported neither usageTotalUsd nor charges")
    pricing = run.pricing
    if pricing is None or pricing.model != PAY_PER_EVENT:
        return RunCost(
            None, "unreported", "the run has charged events but no pay-per-event pricing"
        )
    unpriced = sorted(event for event in counts if event not in pricing.event_prices_usd)
    if unpriced:
        return RunCost(
            None,
            "unreported",
            f"no flat price in the run's pricing for {', '.join(unpriced)}",
        )
    total = sum(
        (Decimal(str(pricing.event_prices_usd[event])) * count for event, count in counts.items()),
        Decimal(0),
    )
    return RunCost(usd_to_micros(total), "charged_events")
